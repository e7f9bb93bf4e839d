package search

import (
	"errors"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	uq "github.com/newsdex/newsdex/query"
)

// plan is what a request's query means: its sets as Bleve queries, with
// the request's filters.
type plan struct {
	ast uq.Node
	// strict is the match set.
	strict query.Query
	// rank is the set the lexical ranking lists: strict, or with partial
	// set, the articles that match any of clauses.
	rank    query.Query
	partial bool
	clauses []clauseQuery
	// plain is a query of words only, without operators, phrases or
	// fields, which semantic neighbours may join.
	plain bool
	// similar marks a more-like-this list, whose hits are all semantic.
	similar bool
}

// clauseQuery is one of the parts of a query written side by side, whose
// absence from a partial match Hit.Missing reports.
type clauseQuery struct {
	text string
	q    query.Query
}

func parseOp(s, op string) (uq.Node, error) {
	o := uq.OpAnd
	if op == OpOr {
		o = uq.OpOr
	}
	ast, err := uq.ParseOp(s, o)
	if err != nil {
		var se *uq.SyntaxError
		if errors.As(err, &se) {
			return nil, &ParamError{Param: "q", Pos: se.Pos, Msg: se.Detail()}
		}
		return nil, &ParamError{Param: "q", Pos: -1, Msg: err.Error()}
	}
	return ast, nil
}

// plan parses and translates r's query (r is normalised).
func (e *Engine) plan(r *Request) (*plan, error) {
	ast, err := parseOp(r.Query, r.Op)
	if err != nil {
		return nil, err
	}
	q, err := e.translate(ast)
	if err != nil {
		return nil, err
	}
	p := &plan{ast: ast, strict: withFilters(q, r), plain: isPlain(r.Query, ast)}
	p.rank = p.strict
	if r.Op != OpAnd {
		return p, nil
	}
	any, err := parseOp(r.Query, OpOr)
	if err != nil {
		return nil, err
	}
	if any.String() == ast.String() {
		return p, nil
	}
	var parts []uq.Node
	if b, ok := any.(*uq.Bool); ok && len(b.Must) == 0 {
		parts = b.Should
	}
	for _, n := range parts {
		cq, err := e.node(n)
		if err != nil {
			return nil, err
		}
		if cq != nil {
			p.clauses = append(p.clauses, clauseQuery{text: n.String(), q: cq})
		}
	}
	if len(p.clauses) < 2 {
		p.clauses = nil
		return p, nil
	}
	aq, err := e.translate(any)
	if err != nil {
		return nil, err
	}
	p.rank, p.partial = withFilters(aq, r), true
	return p, nil
}

// anyOf is a query matching what any of qs matches (scores unused).
func anyOf(qs ...query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewDisjunctionQuery(qs...)
}
