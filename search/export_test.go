package search

// FixtureArticles lets the external tests read the shared fixture.
var FixtureArticles = fixtureArticles
