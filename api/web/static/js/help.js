// The query syntax help of the search page: every example is a query the
// API accepts, and TestHelpExamples (api/ui_test.go) reads this array and
// runs each example against a test server, so keep one entry per line in
// the form [query, meaning] or [query, meaning, extra URL parameters],
// with single-quoted strings.

// HELP lists [example query, what it means, extra parameters or ''].
export const HELP = [
  ['putin xi', 'both words: with "All words" (the default), words side by side must all match', ''],
  ['putin xi', 'either word: the same query with "Any word" selected (op=or)', 'op=or'],
  ['putin OR xi', 'either word, whatever the toggle says', ''],
  ['"joint statement"', 'an exact phrase', ''],
  ['"xi putin"~5', 'both words within 5 positions of each other', ''],
  ['sanctions NEAR/5 oil', 'within 5 words of each other, in either order (NEAR alone means NEAR/10)', ''],
  ['(putin OR kremlin) NEAR/5 sanctions', 'proximity between groups: either word of the group near the other side', ''],
  ['xi AND (pipeline OR gas)', 'AND, OR and parentheses', ''],
  ['putin xi OR gas', 'means (putin AND xi) OR gas: NOT binds first, then AND (written or implied), then OR', ''],
  ['putin NOT ukraine', 'NOT excludes; -ukraine does too', ''],
  ['+putin xi', '+word: the word is required, even with "Any word"', 'op=or'],
  ['title:ceasefire', 'one field: title, body, author, person, outlet, cited, place, leader (another field name is an error)', ''],
  ['author:haberman', 'articles whose authors include Haberman', ''],
  ['person:xi', 'articles whose people include Xi', ''],
  ['sanction*', 'words starting with sanction', ''],
  ['zelenskiy~1', 'fuzzy: words within one edit (a letter added, dropped or changed) of zelenskiy; ~2 allows two', ''],
];

// HELP_NOTES explain what the result list holds besides the matches.
export const HELP_NOTES = [
  'The count says how many articles match the query. With "All words", articles that match only some of the words are listed too, marked "Missing:" with the words they lack; in hybrid mode, articles near in meaning that match none of the words are marked "Related by meaning". Neither kind is in the count, the facets or the chart, unless "Count related hits too" is on: then facets and chart show them apart, as "+N related".',
  'Empty query: browse everything, narrowed by the filters. Click a facet, a chip or a bar of the chart to filter.',
];
