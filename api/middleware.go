package api

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// resultsKey is the gin.Context key under which a handler leaves its
// result count for the request log line.
const resultsKey = "newsdex.results"

// ContentSecurityPolicy is sent with every response: scripts and styles
// only from our own origin (no inline script, so reflected markup cannot
// run), no framing, no plugins, forms only to ourselves.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders sets the headers every response carries.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// recover turns a handler panic into a logged 500 with a JSON body. Gin's
// own Recovery dumps request headers to stderr, and X-API-Key among them.
func (s *Server) recover() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p) // the client went away; let net/http handle it
				}
				s.fail(c, fmt.Errorf("%w: %v", errPanicked, p))
			}
		}()
		c.Next()
	}
}

// observe writes one structured log line per request and records its
// metrics. It logs the route template, never the raw path or query, so
// neither keys nor user text reach the log beyond what slog quotes.
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		took := time.Since(start)
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		method := methodLabel(c.Request.Method)
		s.metrics.requestDone(method, route, status, took)
		attrs := []any{"method", method, "route", route, "status", status,
			"latency_ms", float64(took.Microseconds()) / 1000, "client", c.ClientIP()}
		if n, ok := c.Get(resultsKey); ok {
			attrs = append(attrs, "results", n)
		}
		s.log.Info("request", attrs...)
	}
}

// methodLabel keeps metric and log labels to the methods HTTP defines, so
// a client inventing methods cannot grow the label set.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// cors answers browsers from Options.CORSOrigins: the allow headers on
// matching origins and 204 to their preflight requests. With no origins it
// does nothing and browsers apply the same-origin policy.
func (s *Server) cors() gin.HandlerFunc {
	origins := s.opts.CORSOrigins
	if len(origins) == 0 {
		return func(*gin.Context) {}
	}
	anyOrigin := slices.Contains(origins, "*")
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" {
			return
		}
		h := c.Writer.Header()
		h.Add("Vary", "Origin")
		if !anyOrigin && !slices.Contains(origins, origin) {
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "Retry-After")
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, X-API-Key, Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			c.AbortWithStatus(http.StatusNoContent)
		}
	}
}

// rateLimit answers 429 with Retry-After to a client past its budget.
func (s *Server) rateLimit() gin.HandlerFunc {
	if s.limiter == nil {
		return func(*gin.Context) {}
	}
	return func(c *gin.Context) {
		wait, ok := s.limiter.allow(c.ClientIP(), time.Now())
		if ok {
			return
		}
		secs := int(math.Ceil(wait.Seconds()))
		if secs < 1 {
			secs = 1
		}
		c.Header("Retry-After", strconv.Itoa(secs))
		s.fail(c, refuse(errRateLimited, "too many requests from this client; retry after %d s", secs))
	}
}

// ipLimiter keeps one token bucket per client IP. Idle buckets are swept
// while serving, so a stream of new addresses cannot grow it without bound.
type ipLimiter struct {
	limit rate.Limit
	burst int

	mu        sync.Mutex
	clients   map[string]*client
	lastSweep time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

// Sweeping: at most once a minute, and only past this many clients, drop
// those idle longer than the bucket takes to refill.
const (
	sweepEvery = time.Minute
	sweepAbove = 1024
)

func newIPLimiter(perSecond float64, burst int) *ipLimiter {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	return &ipLimiter{limit: rate.Limit(perSecond), burst: burst, clients: map[string]*client{}}
}

// allow takes one token for ip, or reports how long until one is free.
func (l *ipLimiter) allow(ip string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.clients) > sweepAbove && now.Sub(l.lastSweep) > sweepEvery {
		idle := time.Duration(float64(l.burst)/float64(l.limit)*float64(time.Second)) + time.Second
		for k, c := range l.clients {
			if now.Sub(c.seen) > idle {
				delete(l.clients, k)
			}
		}
		l.lastSweep = now
	}
	cl := l.clients[ip]
	if cl == nil {
		cl = &client{lim: rate.NewLimiter(l.limit, l.burst)}
		l.clients[ip] = cl
	}
	cl.seen = now
	if cl.lim.AllowN(now, 1) {
		return 0, true
	}
	r := cl.lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return wait, false
}
