package eval

import (
	"slices"
	"strings"
)

// Short queries. The dev collections' queries are sentences, while users
// type one or two words ("marathon", "Trump Pelosi"), whose vectors are
// much less similar to any passage: a floor chosen on sentences alone
// can empty every short query's set. ShortQueries cuts a collection's
// queries to two words, keeping their judgments, so that a floor is also
// measured on queries a user would type.

// ShortWords is the number of words a short query keeps.
const ShortWords = 2

// ShortQueries returns c with each query cut to ShortWords words, named
// c.Name+"-short":
//
//   - a collection with complete judgments (TIME, whose queries are topic
//     statements such as "KENNEDY ADMINISTRATION PRESSURE ON NGO DINH
//     DIEM ...") keeps the first words of the query as newsdex is asked it
//     (stop words removed): its head noun phrase;
//   - a known-item collection (paraphrase sentences, headlines) keeps the
//     query's rarest words by document frequency over c.Docs (title and
//     body), in query order: the words a user who knows the story would
//     type. Words no document holds are skipped (nothing could match them
//     lexically, and a short query names its topic in the collection's
//     words); ties go to the earlier word.
//
// The documents and judgments are c's own, shared, not copied.
func ShortQueries(c *Collection) *Collection {
	s := *c
	s.Name = c.Name + "-short"
	s.Plain = false // the words are already plain
	var df map[string]int
	if c.Complete {
		s.About = c.About + "; SHORT: each query cut to its first 2 words (stop words removed)"
	} else {
		s.About = c.About + "; SHORT: each query cut to its 2 rarest words (by document frequency)"
		df = docFreq(c)
	}
	s.Queries = make([]Query, len(c.Queries))
	for i, q := range c.Queries {
		q.Text = shortText(c.QueryText(q), c.Stop, df)
		s.Queries[i] = q
	}
	return &s
}

// shortText is text cut to ShortWords words: its first ones when df is
// nil, else its rarest ones (see ShortQueries).
func shortText(text string, stop map[string]bool, df map[string]int) string {
	words := strings.Fields(PlainQuery(text, stop))
	if df == nil {
		return strings.Join(words[:min(ShortWords, len(words))], " ")
	}
	type cand struct {
		pos, df int
	}
	var cs []cand
	seen := map[string]bool{}
	for i, w := range words {
		lw := strings.ToLower(w)
		n := df[lw]
		if n == 0 || seen[lw] {
			continue
		}
		seen[lw] = true
		cs = append(cs, cand{i, n})
	}
	if len(cs) == 0 { // no word the documents hold: the first words, as typed
		return strings.Join(words[:min(ShortWords, len(words))], " ")
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.df - b.df })
	cs = cs[:min(ShortWords, len(cs))]
	slices.SortFunc(cs, func(a, b cand) int { return a.pos - b.pos })
	out := make([]string, len(cs))
	for i, x := range cs {
		out[i] = words[x.pos]
	}
	return strings.Join(out, " ")
}

// docFreq counts, for each lowercase word, the documents of c whose title
// or body holds it.
func docFreq(c *Collection) map[string]int {
	df := map[string]int{}
	for _, d := range c.Docs {
		seen := map[string]bool{}
		for _, w := range strings.Fields(nonWord.ReplaceAllString(d.Title+" "+d.Body, " ")) {
			w = strings.ToLower(w)
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	return df
}
