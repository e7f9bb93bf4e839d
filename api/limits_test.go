package api

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func fromIP(req *http.Request, ip string) *http.Request {
	req.RemoteAddr = ip + ":5555"
	return req
}

func TestRateLimit(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{RateLimit: 0.5, RateBurst: 2})
	for i := range 2 {
		if rec := hz.do(fromIP(httptest.NewRequest(http.MethodGet, "/v1/search", nil), "198.51.100.7")); rec.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i, rec.Code)
		}
	}
	for _, target := range []string{"/v1/search", "/healthz", "/v1/nowhere"} {
		rec := hz.do(fromIP(httptest.NewRequest(http.MethodGet, target, nil), "198.51.100.7"))
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("%s past the burst: %d, want 429", target, rec.Code)
		}
		ra, err := strconv.Atoi(rec.Header().Get("Retry-After"))
		if err != nil || ra < 1 || ra > 2 {
			t.Errorf("Retry-After %q, want 1..2 s at 0.5 requests/s", rec.Header().Get("Retry-After"))
		}
		if decode[errorBody](t, rec).Error.Code != "rate_limited" {
			t.Errorf("429 body: %s", rec.Body)
		}
		checkSecurityHeaders(t, rec)
	}
	// Another client has its own budget, and X-Forwarded-For from an
	// untrusted peer does not buy a new one.
	if rec := hz.do(fromIP(httptest.NewRequest(http.MethodGet, "/v1/search", nil), "198.51.100.8")); rec.Code != http.StatusOK {
		t.Errorf("second client: %d", rec.Code)
	}
	req := fromIP(httptest.NewRequest(http.MethodGet, "/v1/search", nil), "198.51.100.7")
	req.Header.Set("X-Forwarded-For", "203.0.113.99")
	if rec := hz.do(req); rec.Code != http.StatusTooManyRequests {
		t.Errorf("spoofed X-Forwarded-For escaped the limit: %d", rec.Code)
	}

	// Behind a trusted proxy, the forwarded client is the bucket.
	hz = newHarness(t, &fakeSearcher{}, Options{RateLimit: 1, RateBurst: 1, TrustedProxies: []string{"10.0.0.1"}})
	for i, want := range []int{200, 200, 429} {
		req := fromIP(httptest.NewRequest(http.MethodGet, "/healthz", nil), "10.0.0.1")
		req.Header.Set("X-Forwarded-For", []string{"203.0.113.1", "203.0.113.2", "203.0.113.2"}[i])
		if rec := hz.do(req); rec.Code != want {
			t.Errorf("proxied request %d: %d, want %d", i, rec.Code, want)
		}
	}
}

func TestRateLimitOffByDefault(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{})
	for i := range 200 {
		if rec := hz.get("/healthz"); rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d with rate limiting off", i, rec.Code)
		}
	}
}

func TestIPLimiterSweeps(t *testing.T) {
	l := newIPLimiter(10, 1)
	now := time.Unix(1e9, 0)
	for i := range sweepAbove + 10 {
		l.allow(strconv.Itoa(i), now)
	}
	if _, ok := l.allow("late", now.Add(2*sweepEvery)); !ok {
		t.Fatal("new client refused")
	}
	if len(l.clients) != 1 {
		t.Errorf("%d clients after a sweep, want 1", len(l.clients))
	}
}

func TestCORS(t *testing.T) {
	off := newHarness(t, &fakeSearcher{}, Options{})
	req := httptest.NewRequest(http.MethodGet, "/v1/search", nil)
	req.Header.Set("Origin", "https://evil.example")
	if rec := off.do(req); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS off but allowed %q", rec.Header().Get("Access-Control-Allow-Origin"))
	}
	pre := httptest.NewRequest(http.MethodOptions, "/v1/search", nil)
	pre.Header.Set("Origin", "https://app.example")
	pre.Header.Set("Access-Control-Request-Method", "GET")
	if rec := off.do(pre); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("preflight with CORS off: %d, want 405", rec.Code)
	}

	on := newHarness(t, &fakeSearcher{}, Options{CORSOrigins: []string{"https://app.example"}})
	for origin, allowed := range map[string]bool{"https://app.example": true, "https://evil.example": false} {
		req := httptest.NewRequest(http.MethodGet, "/v1/search", nil)
		req.Header.Set("Origin", origin)
		rec := on.do(req)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); (got == origin) != allowed || !allowed && got != "" {
			t.Errorf("origin %s: Access-Control-Allow-Origin %q", origin, got)
		}
		if rec.Header().Get("Vary") != "Origin" {
			t.Errorf("origin %s: Vary %q", origin, rec.Header().Get("Vary"))
		}
	}
	for _, target := range []string{"/v1/search", "/v1/articles"} {
		pre := httptest.NewRequest(http.MethodOptions, target, nil)
		pre.Header.Set("Origin", "https://app.example")
		pre.Header.Set("Access-Control-Request-Method", "POST")
		pre.Header.Set("Access-Control-Request-Headers", "Authorization, Content-Type")
		rec := on.do(pre)
		if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Methods") == "" ||
			rec.Header().Get("Access-Control-Allow-Headers") == "" {
			t.Errorf("preflight %s: %d %v", target, rec.Code, rec.Header())
		}
	}

	star := newHarness(t, &fakeSearcher{}, Options{CORSOrigins: []string{"*"}})
	req = httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("Origin", "https://any.example")
	if got := star.do(req).Header().Get("Access-Control-Allow-Origin"); got != "https://any.example" {
		t.Errorf("CORS * : %q", got)
	}
}

// TestSecurityHeaders checks the headers on every kind of answer.
func TestSecurityHeaders(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{})
	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/", nil),
		httptest.NewRequest(http.MethodGet, "/healthz", nil),
		httptest.NewRequest(http.MethodGet, "/v1/search?size=0", nil),
		httptest.NewRequest(http.MethodGet, "/v1/articles/x", nil),
		httptest.NewRequest(http.MethodGet, "/nowhere", nil),
		httptest.NewRequest(http.MethodPatch, "/v1/search", nil),
		httptest.NewRequest(http.MethodPost, "/v1/articles", nil),
		httptest.NewRequest(http.MethodGet, "/metrics", nil),
		httptest.NewRequest(http.MethodGet, "/openapi.json", nil),
	} {
		rec := hz.do(req)
		checkSecurityHeaders(t, rec)
		want := map[string]string{
			"Content-Security-Policy": ContentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
		}
		for h, v := range want {
			if got := rec.Header().Get(h); got != v {
				t.Errorf("%s %s: %s = %q, want %q", req.Method, req.URL, h, got, v)
			}
		}
	}
}
