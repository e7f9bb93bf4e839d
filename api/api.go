// Package api serves newsdex over HTTP with Gin: search, similar articles,
// article reads and writes, entities, health, metrics and the OpenAPI
// document. It is the last stage of the pipeline and talks to package
// search (and to whatever indexes new articles) through small interfaces.
//
// Every error is JSON {"error": {"code": "...", "message": "..."}} with a
// 4xx status for anything the client can fix; 5xx means a server fault.
// Every response carries security headers (CSP without inline script,
// nosniff, no framing). Writes need an API key; reads are open unless
// Options.ReadKeyRequired is set.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// searcher is what the API needs from the search engine.
type searcher interface {
	Search(ctx context.Context, r search.Request) (*search.Results, error)
	Similar(ctx context.Context, id string, r search.Request) (*search.Results, error)
	Article(ctx context.Context, id string) (newsdex.Article, error)
	Entities(ctx context.Context, typ, prefix string, size int) ([]search.Bucket, error)
}

var _ searcher = (*search.Engine)(nil)

// Writer adds and removes articles for POST /v1/articles and
// DELETE /v1/articles/{id}. The server has already checked the key and
// validated and cleaned the articles (ids, sizes, UTF-8, dates, URLs); the
// Writer extracts entities, chunks and indexes them. Put returns how many
// articles it indexed; Delete how many of ids existed and were removed.
// A *search.ParamError from either becomes a 400.
type Writer interface {
	Put(ctx context.Context, arts []newsdex.Article) (int, error)
	Delete(ctx context.Context, ids ...string) (int, error)
}

// Options configures a Server. The zero value is a read-only server with
// open reads, no rate limit, no CORS and a private metrics registry.
type Options struct {
	// SearchTimeout bounds one search, similar or entities lookup; past
	// it the answer is 503 with a message. Zero means 10 s.
	SearchTimeout time.Duration

	// Writer serves the write routes; nil answers them with 503
	// "read-only server".
	Writer Writer
	// Rebuilder serves POST /v1/admin/reindex (behind a key); nil answers
	// it with 503.
	Rebuilder Rebuilder
	// Stats serves GET /v1/stats (index statistics, see StatsView); nil
	// answers 503.
	Stats func(ctx context.Context) (index.Stats, error)
	// VectorsPending, if set, gives the number of articles whose passage
	// vectors are being computed behind the writes, for GET /healthz.
	VectorsPending func(ctx context.Context) (uint64, error)
	// Alerts serves /v1/alerts (behind a key); nil answers 503.
	Alerts Alerter

	// APIKeys are the keys accepted by write routes (and by read routes
	// when ReadKeyRequired, by /metrics when MetricsKeyRequired). With no
	// keys every keyed route answers 403 saying how to configure them.
	// See SplitKeys and ReadKeyFile.
	APIKeys []string
	// ReadKeyRequired makes the /v1 read routes need a key too.
	ReadKeyRequired bool
	// MetricsKeyRequired makes GET /metrics need a key.
	MetricsKeyRequired bool

	// RateLimit is the sustained requests per second allowed per client
	// IP on every route; 0 turns rate limiting off. Past it the answer is
	// 429 with Retry-After.
	RateLimit float64
	// RateBurst is how many requests a client may make at once; 0 means
	// max(1, RateLimit).
	RateBurst int
	// TrustedProxies are the proxy addresses or CIDRs whose
	// X-Forwarded-For names the client; nil trusts none, so the client is
	// the TCP peer and cannot pick its own rate-limit bucket.
	TrustedProxies []string

	// CORSOrigins are the origins allowed to call the API from a browser
	// ("*" for any); nil sends no CORS headers.
	CORSOrigins []string

	// Metrics is the registry the server's metrics are registered on and
	// GET /metrics serves; nil uses a private registry. The caller may
	// add Go and process collectors to it.
	Metrics *prometheus.Registry
}

// Server is the HTTP API. Build it with New; it is safe for concurrent use.
type Server struct {
	search  searcher
	log     *slog.Logger
	opts    Options
	keys    keySet
	limiter *ipLimiter
	metrics *metrics
}

// New returns a server over s that logs to log. It never fails: bad
// TrustedProxies are reported by Handler's first use as a logged error and
// ignored (no proxy is trusted).
func New(s searcher, log *slog.Logger, opts Options) *Server {
	if opts.SearchTimeout <= 0 {
		opts.SearchTimeout = 10 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = prometheus.NewRegistry()
	}
	srv := &Server{search: s, log: log, opts: opts, keys: newKeySet(opts.APIKeys)}
	if opts.RateLimit > 0 {
		srv.limiter = newIPLimiter(opts.RateLimit, opts.RateBurst)
	}
	srv.metrics = newMetrics(opts.Metrics, s, opts.Writer, log)
	return srv
}

// Handler returns the HTTP handler with every route: the JSON API, the
// metrics and OpenAPI documents and the search page (registerUI).
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Path parameters come from the raw path, unescaped: an id holding a
	// slash (ids may be URLs) is sent as %2F and arrives whole.
	r.UseRawPath = true
	r.UnescapePathValues = true
	// Redirects would answer API clients with HTML-less 301s; a wrong path
	// is a JSON 404 instead.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true
	if err := r.SetTrustedProxies(s.opts.TrustedProxies); err != nil {
		s.log.Error("bad trusted proxies, trusting none", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(s.recover(), securityHeaders, s.observe(), s.cors(), s.rateLimit())
	r.NoRoute(func(c *gin.Context) {
		s.fail(c, refuse(errNoRoute, "no such route: %s", quoteParam(c.Request.URL.Path)))
	})
	r.NoMethod(func(c *gin.Context) {
		s.fail(c, refuse(errMethodNotAllowed, "method %s not allowed on %s", quoteParam(c.Request.Method), quoteParam(c.Request.URL.Path)))
	})

	r.GET("/healthz", s.health)
	r.GET("/openapi.json", s.openAPI)
	r.GET("/metrics", s.metricsAuth(), s.metrics.handler())

	read := r.Group("/v1", s.readAuth())
	read.GET("/search", s.handleSearch)
	read.GET("/export", s.handleExport)
	read.GET("/articles/:id", s.handleArticle)
	read.GET("/articles/:id/similar", s.handleSimilar)
	read.GET("/entities", s.handleEntities)
	read.GET("/stats", s.handleStats)
	read.GET("/timeline", s.handleTimeline)
	read.GET("/facets/:name", s.handleFacetList)
	read.GET("/terms", s.handleTerms)

	write := r.Group("/v1", s.requireWriter, s.requireKey)
	write.POST("/articles", s.handlePut)
	write.DELETE("/articles/:id", s.handleDelete)

	// Admin routes need a key, but not a Writer: handleReindex answers 503
	// itself when there is no Rebuilder.
	admin := r.Group("/v1/admin", s.requireKey)
	admin.POST("/reindex", s.handleReindex)

	// Alerts need a key for every call, reads included: an alert's
	// webhook URL is nobody else's business.
	alerts := r.Group("/v1/alerts", s.requireKey, s.requireAlerts)
	alerts.POST("", s.handleCreateAlert)
	alerts.GET("", s.handleListAlerts)
	alerts.GET("/:id", s.handleGetAlert)
	alerts.DELETE("/:id", s.handleDeleteAlert)
	alerts.GET("/:id/deliveries", s.handleAlertDeliveries)
	alerts.GET("/:id/test", s.handleTestAlert)

	s.registerUI(r)
	return r
}

// health answers GET /healthz. With background embedding it adds
// vectors_pending: articles searchable lexically whose vectors are still
// being computed (a count, not a failure: the status stays ok).
func (s *Server) health(c *gin.Context) {
	body := gin.H{"status": "ok"}
	if s.opts.VectorsPending != nil {
		if n, err := s.opts.VectorsPending(c.Request.Context()); err == nil {
			body["vectors_pending"] = n
		}
	}
	c.JSON(http.StatusOK, body)
}
