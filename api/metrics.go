package api

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Optional extensions of the searcher or the Writer, checked by type
// assertion, that feed the index gauges of /metrics. search.Engine has
// Count; the others appear when whoever owns the index reports them.
type (
	articleCounter interface{ Count() (uint64, error) }
	passageCounter interface{ PassageCount() (uint64, error) }
	// generationer names the live index generation, "gen-000003"; the
	// gauge is its trailing number.
	generationer interface{ Generation() string }
)

// optional returns the first of vs that implements T.
func optional[T any](vs ...any) (T, bool) {
	for _, v := range vs {
		if t, ok := v.(T); ok && v != nil {
			return t, true
		}
	}
	var zero T
	return zero, false
}

// generationNumber is the trailing number of a generation name.
func generationNumber(g generationer) func() (uint64, error) {
	return func() (uint64, error) {
		name := g.Generation()
		i := len(name)
		for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
			i--
		}
		n, err := strconv.ParseUint(name[i:], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("generation %q has no number", name)
		}
		return n, nil
	}
}

// metrics are the server's Prometheus collectors.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	search   *prometheus.HistogramVec
	indexed  prometheus.Counter
	deleted  prometheus.Counter
}

// newMetrics registers the server's collectors on reg. A collector that is
// already registered (a second Server on one registry) is shared.
func newMetrics(reg *prometheus.Registry, s searcher, w Writer, log *slog.Logger) *metrics {
	m := &metrics{reg: reg}
	m.requests = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "newsdex_http_requests_total",
		Help: "HTTP requests answered, by method, route template and status.",
	}, []string{"method", "route", "status"}))
	m.latency = register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "newsdex_http_request_duration_seconds",
		Help:    "HTTP request latency, by method, route template and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "status"}))
	m.search = register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "newsdex_search_duration_seconds",
		Help:    "Search engine latency of answered searches, by mode (lexical, semantic, hybrid, similar).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"mode"}))
	m.indexed = register(reg, prometheus.NewCounter(prometheus.CounterOpts{
		Name: "newsdex_api_articles_indexed_total",
		Help: "Articles indexed through POST /v1/articles.",
	}))
	m.deleted = register(reg, prometheus.NewCounter(prometheus.CounterOpts{
		Name: "newsdex_api_articles_deleted_total",
		Help: "Articles deleted through DELETE /v1/articles/{id}.",
	}))
	gauge := func(name, help string, f func() (uint64, error)) {
		register(reg, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			n, err := f()
			if err != nil {
				log.Warn("metrics: read index gauge", "gauge", name, "err", err)
				return math.NaN()
			}
			return float64(n)
		}))
	}
	if c, ok := optional[articleCounter](s, w); ok {
		gauge("newsdex_index_articles", "Articles in the index.", c.Count)
	}
	if c, ok := optional[passageCounter](s, w); ok {
		gauge("newsdex_index_passages", "Passages in the index.", c.PassageCount)
	}
	if g, ok := optional[generationer](s, w); ok {
		gauge("newsdex_index_generation", "Number of the live index generation, bumped by every rebuild.", generationNumber(g))
	}
	return m
}

// register adds c to reg, or returns the equal collector reg already has.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old
			}
		}
		// A clash of names with another kind of collector is a programming
		// error of whoever shares the registry; serve without it.
	}
	return c
}

func (m *metrics) requestDone(method, route string, status int, took time.Duration) {
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, code).Inc()
	m.latency.WithLabelValues(method, route, code).Observe(took.Seconds())
}

func (m *metrics) searchDone(mode string, took time.Duration) {
	if mode == "" {
		mode = "lexical"
	}
	m.search.WithLabelValues(mode).Observe(took.Seconds())
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return gin.WrapH(h)
}
