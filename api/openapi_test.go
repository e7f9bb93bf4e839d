package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/chunk"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// ginToOpenAPI turns gin's /v1/articles/:id and /static/:v/*file into
// OpenAPI's /v1/articles/{id} and /static/{v}/{file}.
var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

func ginToOpenAPI(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// TestOpenAPIMatchesRoutes: every route the router has is in the document
// and every operation of the document is a route, so neither can grow
// without the other.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, _ := loadSpec(t)
	hz := newHarness(t, &fakeSearcher{}, Options{})
	routes := hz.h.(*gin.Engine).Routes()
	have := map[string]bool{}
	for _, r := range routes {
		key := r.Method + " " + ginToOpenAPI(r.Path)
		have[key] = true
		item := doc.Paths.Find(ginToOpenAPI(r.Path))
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s is not in openapi.json", key)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !have[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which the router does not have", method, path)
			}
		}
	}
	if len(routes) < 10 {
		t.Errorf("only %d routes", len(routes))
	}
}

// TestOpenAPIServed: GET /openapi.json is the embedded document.
func TestOpenAPIServed(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{})
	rec := hz.get("/openapi.json")
	if rec.Code != http.StatusOK || rec.Body.String() != string(openAPIDoc) {
		t.Fatalf("/openapi.json: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type %q", rec.Header().Get("Content-Type"))
	}
}

// TestPagesInContract requests the search page's routes so their answers
// are validated against the document too.
func TestPagesInContract(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{})
	rec := hz.get("/")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	checkSecurityHeaders(t, rec)
	asset := regexp.MustCompile(`/static/[0-9a-f]+/[^"']+\.(css|js)`).FindString(rec.Body.String())
	if asset == "" {
		t.Fatalf("no asset link in the page:\n%.500s", rec.Body)
	}
	for _, target := range []string{"/person/Xi%20Jinping", "/leader/Vladimir%20Putin", "/outlet/Test%20Wire", "/cited/TASS", "/place/Moscow", "/article/t1", asset} {
		if rec := hz.get(target); rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d", target, rec.Code)
		}
		if rec := hz.do(httptest.NewRequest(http.MethodHead, target, nil)); rec.Code != http.StatusOK {
			t.Errorf("HEAD %s: %d", target, rec.Code)
		}
	}
	etag := hz.get(asset).Header().Get("ETag")
	for _, target := range []string{"/", asset} {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("If-None-Match", hz.get(target).Header().Get("ETag"))
		if rec := hz.do(req); rec.Code != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", target, rec.Code)
		}
	}
	if etag == "" {
		t.Error("asset without ETag")
	}
	if rec := hz.get(strings.Replace(asset, ".js", ".nope", 1) + "x"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown asset: %d", rec.Code)
	}
}

// TestReindexContract covers the admin route's refusals.
func TestReindexContract(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{APIKeys: []string{testKey}})
	if rec := hz.do(httptest.NewRequest(http.MethodPost, "/v1/admin/reindex", nil)); rec.Code != http.StatusUnauthorized {
		t.Errorf("reindex without key: %d", rec.Code)
	}
	req := httptest.NewRequest(http.MethodPost, "/v1/admin/reindex", nil)
	req.Header.Set("X-API-Key", wrongKey)
	if rec := hz.do(req); rec.Code != http.StatusForbidden {
		t.Errorf("reindex with a wrong key: %d", rec.Code)
	}
	if rec := hz.do(withKey(httptest.NewRequest(http.MethodPost, "/v1/admin/reindex?from=stored", nil))); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("reindex without a Rebuilder: %d %s", rec.Code, rec.Body)
	}
}

// TestCoverageSeesStatuses makes sure the suite's own coverage list is
// fed: a run that validated nothing would pass vacuously.
func TestCoverageSeesStatuses(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{})
	hz.get("/healthz")
	coverMu.Lock()
	defer coverMu.Unlock()
	if covered["GET /healthz 200"] == 0 {
		t.Error("responses are not being recorded")
	}
	if !slices.Contains(securityHeaderNames, "X-Frame-Options") {
		t.Error("header list changed")
	}
}

func TestStatsContract(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{})
	if rec := hz.get("/v1/stats"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("stats without a source: %d", rec.Code)
	}
	hz = newHarness(t, &fakeSearcher{}, Options{Stats: func(ctx context.Context) (index.Stats, error) {
		return index.Stats{Generation: "gen-000001", Articles: 5, Passages: 9, Sources: map[string]int{"seed": 5}, MissingVectors: 2}, nil
	}})
	if rec := hz.get("/v1/stats"); rec.Code != http.StatusOK {
		t.Errorf("stats: %d %s", rec.Code, rec.Body)
	}
}

// TestStatsPrivate: /v1/stats of a real index shows no filesystem path
// (not the index directory, not the directories of file sources) and
// needs a key when reads do; articles' sources lose their paths too.
func TestStatsPrivate(t *testing.T) {
	ix := fixtureIndex(t)
	ctx := context.Background()
	body := "Harbour fees rise next month."
	err := ix.Add(ctx, []newsdex.Article{
		{ID: "f1", Title: "Fees", Body: body, Source: "/home/ann/corpus/wire.jsonl", Passages: chunk.Split(body, chunk.Options{})},
		{ID: "f2", Title: "Fees", Body: body, Source: "https://ann:secret@example.org/feed.xml?token=abc", Passages: chunk.Split(body, chunk.Options{})},
	})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := search.New(ix)
	if err != nil {
		t.Fatal(err)
	}
	hz := newHarness(t, eng, Options{Stats: ix.Stat, APIKeys: []string{testKey}, ReadKeyRequired: true})
	if rec := hz.get("/v1/stats"); rec.Code != http.StatusUnauthorized {
		t.Errorf("stats without a key on a --read-key-required server: %d, want 401", rec.Code)
	}
	rec := hz.do(withKey(httptest.NewRequest(http.MethodGet, "/v1/stats", nil)))
	if rec.Code != http.StatusOK {
		t.Fatalf("stats with a key: %d %s", rec.Code, rec.Body)
	}
	for _, leak := range []string{ix.Dir(), filepath.Dir(ix.Dir()), "/home/ann", "secret", "token", `"dir"`} {
		if strings.Contains(rec.Body.String(), leak) {
			t.Errorf("stats show %q: %s", leak, rec.Body)
		}
	}
	st := decode[StatsView](t, rec)
	if st.Articles != 7 || st.Sources["wire.jsonl"] != 1 || st.Sources["example.org"] != 1 {
		t.Errorf("stats = %+v, want 7 articles, sources wire.jsonl and example.org", st)
	}
	a := decode[ArticleView](t, hz.do(withKey(httptest.NewRequest(http.MethodGet, "/v1/articles/f1", nil))))
	if a.Source != "wire.jsonl" {
		t.Errorf("article source %q, want wire.jsonl", a.Source)
	}
}

// fakeRebuilder reads its source to the end and reports what it saw.
type fakeRebuilder struct{}

func (fakeRebuilder) Rebuild(ctx context.Context, src func(context.Context, func(newsdex.Article) error) error, progress func(int)) (any, error) {
	n := 0
	if src != nil {
		if err := src(ctx, func(newsdex.Article) error { n++; progress(n); return nil }); err != nil {
			return nil, err
		}
	}
	return map[string]int{"articles": n}, nil
}

func TestReindexStreams(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{APIKeys: []string{testKey}, Rebuilder: fakeRebuilder{}})
	body := `{"id":"r1","title":"a"}` + "\n" + `{"id":"..","title":"b"}` + "\n" + `{"id":"r2","body":"c"}` + "\n"
	req := withKey(httptest.NewRequest(http.MethodPost, "/v1/admin/reindex", strings.NewReader(body)))
	req.Header.Set("Content-Type", "application/x-ndjson")
	rec := hz.do(req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"done":{"articles":2}`) || !strings.Contains(rec.Body.String(), `"skipped":1`) {
		t.Errorf("reindex: %d %s", rec.Code, rec.Body)
	}
}
