package search

// FixtureArticles lets the external tests read the shared fixture.
var FixtureArticles = fixtureArticles

// QueryEmbedText returns the text the engine embeds for query q, so the
// tests can cache its vector.
func QueryEmbedText(q string) (string, error) {
	ast, err := parseQuery(q)
	if err != nil {
		return "", err
	}
	return embedText(ast), nil
}
