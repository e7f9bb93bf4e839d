package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/search"
)

// searchParams lists every parameter /v1/search accepts.
var searchParams = search.Params

// similarParams lists every parameter /v1/articles/{id}/similar accepts:
// the filters and the paging and snippet options of search, but no query,
// sort, cursor or mode (the article is the query).
var similarParams = append(filterParams(),
	"from", "to", "size", "page", "snippets", "snippet_size", "facets", "facet_size", "interval", "collapse", "within_days")

// filterParams lists the filter parameters and their operators
// (person, ..., person_op, ...), one of each per entity kind.
func filterParams() []string {
	out := slices.Clone(search.FilterNames)
	for _, name := range search.FilterNames {
		out = append(out, name+"_op")
	}
	return out
}

// similarWithin is the optional part of a searcher that limits similar
// articles to a date window (within_days).
type similarWithin interface {
	SimilarWithin(ctx context.Context, id string, r search.Request, days int) (*search.Results, error)
}

var _ similarWithin = (*search.Engine)(nil)

// ParseSearchRequest turns URL query parameters into a search.Request; bad
// values come back as *search.ParamError naming the parameter.
func ParseSearchRequest(v url.Values) (search.Request, error) {
	return parseRequest(v, searchParams)
}

// parseRequest refuses parameters outside allowed and repeated ones (but
// filters), then decodes v with search.ParseValues, the decoder the
// command line's encoder (search.Request.Values) is tested against.
func parseRequest(v url.Values, allowed []string) (search.Request, error) {
	for name := range v {
		if !slices.Contains(allowed, name) {
			return search.Request{}, &search.ParamError{Param: paramName(name), Pos: -1, Msg: "unknown parameter, want one of " + strings.Join(allowed, ", ")}
		}
	}
	for _, name := range allowed {
		if len(v[name]) > 1 && !slices.Contains(search.FilterNames, name) {
			return search.Request{}, &search.ParamError{Param: name, Pos: -1, Msg: "given more than once"}
		}
	}
	return search.ParseValues(v)
}

// quoteParam quotes a parameter value for an error message, cut to 100
// bytes so a huge value is not echoed back whole.
func quoteParam(s string) string {
	if len(s) > 100 {
		s = strings.ToValidUTF8(s[:100], "") + "…"
	}
	return strconv.Quote(s)
}

// paramName is a parameter name fit for an error body.
func paramName(s string) string {
	q := quoteParam(s)
	return q[1 : len(q)-1]
}

// query parses the request's query string strictly: a bad percent escape
// or a ';' separator is a 400, not a parameter silently dropped.
func query(c *gin.Context) (url.Values, error) {
	v, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return nil, &search.ParamError{Param: "query string", Pos: -1, Msg: "malformed: " + strings.TrimPrefix(err.Error(), "invalid URL escape ")}
	}
	return v, nil
}

func (s *Server) handleSearch(c *gin.Context) {
	v, err := query(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	req, err := ParseSearchRequest(v)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.SearchTimeout)
	defer cancel()
	start := time.Now()
	res, err := s.search.Search(ctx, req)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.searchDone(res.Mode, time.Since(start))
	c.Set(resultsKey, len(res.Hits))
	c.JSON(http.StatusOK, res)
}

func (s *Server) handleSimilar(c *gin.Context) {
	id := c.Param("id")
	if err := checkID(id); err != nil {
		s.fail(c, err)
		return
	}
	v, err := query(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	req, err := parseRequest(v, similarParams)
	if err != nil {
		s.fail(c, err)
		return
	}
	// Check ranges here, so a bad size is a 400 whatever the engine does
	// first; the engine's own Normalize then changes nothing.
	if err := req.Normalize(); err != nil {
		s.fail(c, err)
		return
	}
	days, err := withinDaysParam(v)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.SearchTimeout)
	defer cancel()
	start := time.Now()
	var res *search.Results
	if sw, ok := s.search.(similarWithin); ok {
		res, err = sw.SimilarWithin(ctx, id, req, days)
	} else if days != 0 {
		err = &search.ParamError{Param: "within_days", Pos: -1, Msg: "this server cannot limit similar articles by date"}
	} else {
		res, err = s.search.Similar(ctx, id, req)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.searchDone("similar", time.Since(start))
	c.Set(resultsKey, len(res.Hits))
	c.JSON(http.StatusOK, res)
}

// EntitiesResponse is the JSON of GET /v1/entities.
type EntitiesResponse struct {
	Type     string        `json:"type"`
	Prefix   string        `json:"prefix"`
	Entities []EntityCount `json:"entities"`
}

// EntityCount is one canonical name with its article count.
type EntityCount struct {
	Name   string `json:"name"`
	Count  int    `json:"count"`
	Office string `json:"office,omitempty"`
}

func (s *Server) handleEntities(c *gin.Context) {
	v, err := query(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	for name, vals := range v {
		if !slices.Contains([]string{"type", "prefix", "size"}, name) {
			s.fail(c, &search.ParamError{Param: paramName(name), Pos: -1, Msg: "unknown parameter, want type, prefix or size"})
			return
		}
		if len(vals) > 1 {
			s.fail(c, &search.ParamError{Param: name, Pos: -1, Msg: "given more than once"})
			return
		}
	}
	typ := v.Get("type")
	if typ == "" {
		typ = "person"
	}
	prefix := v.Get("prefix")
	size := 10
	if sz := v.Get("size"); sz != "" {
		n, err := strconv.Atoi(sz)
		if err != nil {
			s.fail(c, &search.ParamError{Param: "size", Pos: -1, Msg: "not an integer: " + quoteParam(sz)})
			return
		}
		size = n
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.SearchTimeout)
	defer cancel()
	bs, err := s.search.Entities(ctx, typ, prefix, size)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := EntitiesResponse{Type: typ, Prefix: prefix, Entities: make([]EntityCount, 0, len(bs))}
	for _, b := range bs {
		out.Entities = append(out.Entities, EntityCount{Name: b.Value, Count: b.Count, Office: b.Office})
	}
	c.Set(resultsKey, len(out.Entities))
	c.JSON(http.StatusOK, out)
}

// ArticleView is the JSON of GET /v1/articles/{id}.
type ArticleView struct {
	newsdex.Article
	Published string `json:"published,omitempty"`
}

func (s *Server) handleArticle(c *gin.Context) {
	id := c.Param("id")
	if err := checkID(id); err != nil {
		s.fail(c, err)
		return
	}
	a, err := s.search.Article(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, articleView(a))
}

func articleView(a newsdex.Article) ArticleView {
	if a.Source != "" {
		// The name stats count it under, not the server's file path.
		a.Source = index.Origin(a.Source)
	}
	v := ArticleView{Article: a}
	if !a.Published.IsZero() {
		v.Published = a.Published.UTC().Format(time.DateOnly)
	}
	return v
}

// MaxIDBytes is the longest article id accepted.
const MaxIDBytes = ingest.MaxIDBytes

// checkID refuses an id from a path that no article can have, by the rule
// ingest.Normalize applies to every article indexed (ingest.CheckID), so
// every stored id can be read back: slashes are fine when the client
// escapes them (%2F), as the routes read ids from the raw path.
func checkID(id string) error {
	if err := ingest.CheckID(id); err != nil {
		var fe *ingest.FieldError
		msg := err.Error()
		if errors.As(err, &fe) {
			msg = fe.Msg
		}
		return &search.ParamError{Param: "id", Pos: -1, Msg: "invalid article id: " + msg}
	}
	return nil
}

// withinDaysParam reads within_days: the days around the article's date
// similar articles come from; absent or 0 means any time.
func withinDaysParam(v url.Values) (int, error) {
	s := v.Get("within_days")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, &search.ParamError{Param: "within_days", Pos: -1, Msg: "not an integer: " + quoteParam(s)}
	}
	return n, nil
}
