// Package api serves newsdex over HTTP with Gin: search, articles and
// health. It is the last stage of the pipeline and talks to package search
// through small interfaces.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/search"
)

// searcher is what the API needs from the search engine.
type searcher interface {
	Search(ctx context.Context, r search.Request) (*search.Results, error)
	Article(ctx context.Context, id string) (newsdex.Article, error)
	Entities(ctx context.Context, typ, prefix string, size int) ([]search.Bucket, error)
}

var _ searcher = (*search.Engine)(nil)

// Options configures a Server.
type Options struct {
	// SearchTimeout bounds one search; past it the answer is 503.
	SearchTimeout time.Duration
}

// Server is the HTTP API.
type Server struct {
	search searcher
	log    *slog.Logger
	opts   Options
}

// New returns a server over s that logs to log.
func New(s searcher, log *slog.Logger, opts Options) *Server {
	if opts.SearchTimeout == 0 {
		opts.SearchTimeout = 10 * time.Second
	}
	return &Server{search: s, log: log, opts: opts}
}

// Handler returns the HTTP handler with every route.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), s.logRequests())
	r.HandleMethodNotAllowed = true
	r.NoRoute(func(c *gin.Context) {
		writeError(c, http.StatusNotFound, "not_found", "no such route: "+c.Request.URL.Path, nil)
	})
	r.NoMethod(func(c *gin.Context) {
		writeError(c, http.StatusMethodNotAllowed, "method_not_allowed", "method "+c.Request.Method+" not allowed on "+c.Request.URL.Path, nil)
	})
	r.GET("/healthz", s.health)
	r.GET("/v1/search", s.handleSearch)
	r.GET("/v1/articles/:id", s.handleArticle)
	r.GET("/v1/entities", s.handleEntities)
	return r
}

func (s *Server) health(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// searchParams lists every parameter /v1/search accepts.
var searchParams = []string{"q", "person", "outlet", "cited", "place", "leader", "from", "to", "sort", "size", "page",
	"cursor", "snippets", "snippet_size", "facets", "facet_size", "interval", "mode", "collapse"}

// ParseSearchRequest turns URL query parameters into a search.Request; bad
// values come back as *search.ParamError naming the parameter.
func ParseSearchRequest(v url.Values) (search.Request, error) {
	var r search.Request
	for name := range v {
		if !slices.Contains(searchParams, name) {
			return r, &search.ParamError{Param: name, Pos: -1, Msg: "unknown parameter, want one of " + strings.Join(searchParams, ", ")}
		}
	}
	for _, name := range []string{"q", "from", "to", "sort", "size", "page", "cursor", "snippets", "snippet_size", "facets", "facet_size", "interval", "mode", "collapse"} {
		if len(v[name]) > 1 {
			return r, &search.ParamError{Param: name, Pos: -1, Msg: "given more than once"}
		}
	}
	r.Query = v.Get("q")
	for _, name := range search.FilterNames {
		if vals := v[name]; len(vals) > 0 {
			if r.Filters == nil {
				r.Filters = map[string][]string{}
			}
			r.Filters[name] = vals
		}
	}
	var err error
	if s := v.Get("from"); s != "" {
		if r.From, err = search.ParseDate("from", s); err != nil {
			return r, err
		}
	}
	if s := v.Get("to"); s != "" {
		if r.To, err = search.ParseDate("to", s); err != nil {
			return r, err
		}
	}
	r.Sort = v.Get("sort")
	ints := []struct {
		name string
		dst  *int
	}{{"size", &r.Size}, {"page", &r.Page}, {"snippets", &r.Snippets}, {"snippet_size", &r.SnippetSize}, {"facet_size", &r.FacetSize}}
	for _, p := range ints {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return r, &search.ParamError{Param: p.name, Pos: -1, Msg: "not an integer: " + strconv.Quote(s)}
		}
		if n == 0 && p.name == "snippets" {
			n = -1 // explicit zero: no snippets
		}
		if n == 0 {
			return r, &search.ParamError{Param: p.name, Pos: -1, Msg: "must be at least 1"}
		}
		*p.dst = n
	}
	r.Cursor = v.Get("cursor")
	if f, ok := v["facets"]; ok {
		r.Facets = []string{}
		for _, name := range strings.Split(f[0], ",") {
			if name = strings.TrimSpace(name); name != "" {
				r.Facets = append(r.Facets, name)
			}
		}
	}
	r.Interval = v.Get("interval")
	r.Mode = v.Get("mode")
	if s := v.Get("collapse"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return r, &search.ParamError{Param: "collapse", Pos: -1, Msg: "want true or false, got " + strconv.Quote(s)}
		}
		r.Collapse = &b
	}
	return r, nil
}

func (s *Server) handleSearch(c *gin.Context) {
	req, err := ParseSearchRequest(c.Request.URL.Query())
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.SearchTimeout)
	defer cancel()
	res, err := s.search.Search(ctx, req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set("results", len(res.Hits))
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
	v := c.Request.URL.Query()
	for name := range v {
		if !slices.Contains([]string{"type", "prefix", "size"}, name) {
			s.fail(c, &search.ParamError{Param: name, Pos: -1, Msg: "unknown parameter, want type, prefix or size"})
			return
		}
	}
	typ := v.Get("type")
	if typ == "" {
		typ = "person"
	}
	size := 10
	if sz := v.Get("size"); sz != "" {
		n, err := strconv.Atoi(sz)
		if err != nil {
			s.fail(c, &search.ParamError{Param: "size", Pos: -1, Msg: "not an integer: " + strconv.Quote(sz)})
			return
		}
		size = n
	}
	bs, err := s.search.Entities(c.Request.Context(), typ, v.Get("prefix"), size)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := EntitiesResponse{Type: typ, Prefix: v.Get("prefix"), Entities: make([]EntityCount, 0, len(bs))}
	for _, b := range bs {
		out.Entities = append(out.Entities, EntityCount{Name: b.Value, Count: b.Count, Office: b.Office})
	}
	c.Set("results", len(out.Entities))
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
	v := ArticleView{Article: a}
	if !a.Published.IsZero() {
		v.Published = a.Published.UTC().Format(time.DateOnly)
	}
	return v
}

// checkID refuses ids that could not have been indexed.
func checkID(id string) error {
	if id == "" || len(id) > 512 || strings.ContainsAny(id, "\x00/\\") || strings.Contains(id, "..") {
		return &search.ParamError{Param: "id", Pos: -1, Msg: "invalid article id"}
	}
	return nil
}

// fail writes err as a JSON error with the status it maps to.
func (s *Server) fail(c *gin.Context, err error) {
	var pe *search.ParamError
	switch {
	case errors.As(err, &pe):
		detail := gin.H{"param": pe.Param}
		if pe.Pos >= 0 {
			detail["position"] = pe.Pos
		}
		writeError(c, http.StatusBadRequest, "bad_request", pe.Error(), detail)
	case errors.Is(err, search.ErrNotFound):
		writeError(c, http.StatusNotFound, "not_found", "article not found", nil)
	case errors.Is(err, context.DeadlineExceeded):
		writeError(c, http.StatusServiceUnavailable, "timeout", "the search took too long and was stopped; narrow the query or add filters", nil)
	case errors.Is(err, context.Canceled):
		writeError(c, 499, "canceled", "request canceled", nil)
	default:
		s.log.Error("request failed", "path", c.FullPath(), "err", err)
		writeError(c, http.StatusInternalServerError, "internal", "internal error", nil)
	}
}

func writeError(c *gin.Context, status int, code, msg string, detail gin.H) {
	body := gin.H{"code": code, "message": msg}
	for k, v := range detail {
		body[k] = v
	}
	c.AbortWithStatusJSON(status, gin.H{"error": body})
}

// logRequests writes one structured line per request.
func (s *Server) logRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		attrs := []any{"method", c.Request.Method, "route", route, "status", c.Writer.Status(),
			"latency_ms", float64(time.Since(start).Microseconds()) / 1000}
		if n, ok := c.Get("results"); ok {
			attrs = append(attrs, "results", n)
		}
		s.log.Info("request", attrs...)
	}
}
