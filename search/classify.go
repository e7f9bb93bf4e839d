package search

import (
	"errors"
	"slices"
	"strings"

	"github.com/newsdex/newsdex/index"
	uq "github.com/newsdex/newsdex/query"
)

// parseQuery parses r's query, mapping syntax errors to *ParamError as the
// lexical path does.
func parseQuery(q string) (uq.Node, error) {
	ast, err := uq.Parse(q)
	if err != nil {
		var se *uq.SyntaxError
		if errors.As(err, &se) {
			return nil, &ParamError{Param: "q", Pos: se.Pos, Msg: se.Detail()}
		}
		return nil, &ParamError{Param: "q", Pos: -1, Msg: err.Error()}
	}
	return ast, nil
}

// isPlain reports whether the query q, parsed as n, is plain words
// (terms without fields, wildcards or fuzziness, and no written operator),
// which fuse freely with the vector ranking; any operator, even an OR or
// parentheses that parse to the same tree as plain words, makes the
// lexical match set binding.
func isPlain(q string, n uq.Node) bool {
	for _, w := range strings.Fields(q) {
		if w == "OR" || w == "||" || w == "AND" || w == "&&" || w == "NOT" || w == "NEAR" || strings.HasPrefix(w, "NEAR/") ||
			strings.HasPrefix(w, "+") || strings.HasPrefix(w, "-") || strings.HasPrefix(w, "!") {
			return false
		}
	}
	return !strings.ContainsAny(q, "()") && plainNode(n)
}

func plainNode(n uq.Node) bool {
	switch n := n.(type) {
	case *uq.Term:
		return n.Field == "" && !n.Wildcard && n.Fuzzy == 0
	case *uq.Bool:
		// Words side by side: all Must (op and) or all Should (op or).
		if len(n.MustNot) > 0 || (len(n.Must) > 0) == (len(n.Should) > 0) {
			return false
		}
		for _, c := range append(slices.Clone(n.Must), n.Should...) {
			if !plainNode(c) {
				return false
			}
		}
		return true
	}
	return false
}

// embedText is the text embedded for a query: its positive words and
// phrases in query order, without operators or excluded words (embedding
// "-trump" would pull towards Trump).
func embedText(n uq.Node) string {
	var words []string
	for _, t := range uq.Terms(n) {
		w := t.Text
		if t.Wildcard {
			w = strings.NewReplacer("*", "", "?", "").Replace(w)
		}
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	return index.EmbedText(strings.Join(words, " "))
}
