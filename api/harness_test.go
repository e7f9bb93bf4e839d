package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/chunk"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// The OpenAPI check: every response a test gets through harness.do is
// validated against openapi.json, and the (method, path template, status)
// triples seen are printed at the end of the run.
var (
	specOnce   sync.Once
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error

	coverMu sync.Mutex
	covered = map[string]int{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	coverMu.Lock()
	keys := make([]string, 0, len(covered))
	for k := range covered {
		keys = append(keys, k)
	}
	coverMu.Unlock()
	sort.Strings(keys)
	if len(keys) > 0 {
		fmt.Printf("openapi: %d route/status pairs exercised and validated:\n", len(keys))
		for _, k := range keys {
			fmt.Printf("  %-48s %d responses\n", k, covered[k])
		}
	}
	os.Exit(code)
}

func loadSpec(tb testing.TB) (*openapi3.T, routers.Router) {
	tb.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromData(openAPIDoc)
		if specErr != nil {
			return
		}
		if specErr = specDoc.Validate(loader.Context); specErr != nil {
			return
		}
		specRouter, specErr = legacy.NewRouter(specDoc)
	})
	if specErr != nil {
		tb.Fatalf("openapi.json: %v", specErr)
	}
	return specDoc, specRouter
}

// checkSpec validates one response against the document and records it.
func checkSpec(tb testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	tb.Helper()
	doc, router := loadSpec(tb)
	// Route on the escaped path, as the server does (UseRawPath), so an id
	// holding %2F still finds /v1/articles/{id}.
	rr := req.Clone(context.Background())
	u := *req.URL
	u.Path, u.RawPath = u.EscapedPath(), ""
	// OpenAPI 3.0 cannot say that {file} of /static/{version}/{file} spans
	// segments (gin's *file does); fold them into one for the router.
	if rest, ok := strings.CutPrefix(u.Path, staticPrefix); ok {
		if version, file, ok := strings.Cut(rest, "/"); ok {
			u.Path = staticPrefix + version + "/" + strings.ReplaceAll(file, "/", "%2F")
		}
	}
	rr.URL = &u
	route, params, err := router.FindRoute(rr)
	for _, v := range params {
		if v == "" {
			// The legacy router lets {id} match nothing ("/v1/articles");
			// gin does not, and neither does the document's minLength.
			route, err = nil, routers.ErrPathNotFound
		}
	}
	status := rec.Code
	if err != nil {
		// No operation: only 404/405 JSON errors and CORS preflights.
		var re *routers.RouteError
		errors.As(err, &re)
		noPath := re != nil && re.Reason == routers.ErrPathNotFound.Error()
		noMethod := re != nil && re.Reason == routers.ErrMethodNotAllowed.Error()
		var key string
		switch {
		case (noPath || noMethod) && req.Method == http.MethodOptions && status == http.StatusNoContent:
			key = "OPTIONS (CORS preflight) 204"
		case (noPath || noMethod) && (status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status == http.StatusTooManyRequests):
			key = fmt.Sprintf("(unrouted) %d", status)
			if err := validateError(doc, rec); err != nil {
				tb.Errorf("%s %s → %d: error body does not match the Error schema: %v\n%s", req.Method, req.URL, status, err, rec.Body)
			}
		default:
			tb.Errorf("openapi: %s %s answered %d but the document has no operation for it: %v", req.Method, req.URL, status, err)
			return
		}
		record(key)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		tb.Errorf("openapi: %s %s → %d does not match the document: %v\nbody: %.400s", req.Method, req.URL, status, err, rec.Body)
	}
	record(fmt.Sprintf("%s %s %d", req.Method, route.Path, status))
}

func validateError(doc *openapi3.T, rec *httptest.ResponseRecorder) error {
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("content type %q", ct)
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		return err
	}
	return doc.Components.Schemas["Error"].Value.VisitJSON(v)
}

func record(key string) {
	coverMu.Lock()
	covered[key]++
	coverMu.Unlock()
}

// harness is a server under test with its captured log.
type harness struct {
	tb  testing.TB
	srv *Server
	h   http.Handler
	log *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the concurrent log writes of
// parallel requests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func newHarness(tb testing.TB, s searcher, opts Options) *harness {
	tb.Helper()
	buf := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := New(s, log, opts)
	return &harness{tb: tb, srv: srv, h: srv.Handler(), log: buf}
}

// do serves req and checks the answer against the OpenAPI document.
func (hz *harness) do(req *http.Request) *httptest.ResponseRecorder {
	hz.tb.Helper()
	if req.RemoteAddr == "" {
		req.RemoteAddr = "192.0.2.1:1234"
	}
	rec := httptest.NewRecorder()
	hz.h.ServeHTTP(rec, req)
	checkSpec(hz.tb, req, rec)
	return rec
}

func (hz *harness) get(target string) *httptest.ResponseRecorder {
	hz.tb.Helper()
	return hz.do(httptest.NewRequest(http.MethodGet, target, nil))
}

// decode parses rec's JSON body into a T.
func decode[T any](tb testing.TB, rec *httptest.ResponseRecorder) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		tb.Fatalf("decode %T: %v\nbody: %.400s", v, err, rec.Body)
	}
	return v
}

// errorBody is the JSON error every 4xx and 5xx carries.
type errorBody struct {
	Error struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Param    string `json:"param"`
		Position *int   `json:"position"`
	} `json:"error"`
}

// fixtureIndex indexes testdata/articles.jsonl into a temporary index.
func fixtureIndex(tb testing.TB) *index.Index {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "articles.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var arts []newsdex.Article
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var a newsdex.Article
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			tb.Fatal(err)
		}
		a.Passages = chunk.Split(a.Body, chunk.Options{})
		arts = append(arts, a)
	}
	ix, err := index.Open(filepath.Join(tb.TempDir(), "ix"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if err := ix.Add(context.Background(), arts); err != nil {
		tb.Fatal(err)
	}
	return ix
}

// fixture returns the real engine over the fixture index and a Writer
// that chunks and indexes into it, as the real one does minus extraction.
func fixture(tb testing.TB) (*search.Engine, *indexWriter) {
	tb.Helper()
	ix := fixtureIndex(tb)
	eng, err := search.New(ix)
	if err != nil {
		tb.Fatal(err)
	}
	return eng, &indexWriter{ix: ix}
}

type indexWriter struct {
	ix *index.Index
}

func (w *indexWriter) Put(ctx context.Context, arts []newsdex.Article) (int, error) {
	for i := range arts {
		arts[i].Passages = chunk.Split(arts[i].Body, chunk.Options{})
	}
	if err := w.ix.Add(ctx, arts); err != nil {
		return 0, err
	}
	return len(arts), nil
}

func (w *indexWriter) Delete(ctx context.Context, ids ...string) (int, error) {
	return w.ix.Delete(ctx, ids...)
}

// fakeSearcher is a searcher whose methods are func fields; nil ones
// answer empty results or ErrNotFound.
type fakeSearcher struct {
	search   func(ctx context.Context, r search.Request) (*search.Results, error)
	similar  func(ctx context.Context, id string, r search.Request) (*search.Results, error)
	article  func(ctx context.Context, id string) (newsdex.Article, error)
	entities func(ctx context.Context, typ, prefix string, size int) ([]search.Bucket, error)
}

func emptyResults() *search.Results {
	return &search.Results{Mode: search.ModeLexical, Hits: []search.Hit{}, Facets: map[string][]search.Bucket{}}
}

func (f *fakeSearcher) Search(ctx context.Context, r search.Request) (*search.Results, error) {
	if f.search == nil {
		return emptyResults(), nil
	}
	return f.search(ctx, r)
}

func (f *fakeSearcher) Similar(ctx context.Context, id string, r search.Request) (*search.Results, error) {
	if f.similar == nil {
		return emptyResults(), nil
	}
	return f.similar(ctx, id, r)
}

func (f *fakeSearcher) Article(ctx context.Context, id string) (newsdex.Article, error) {
	if f.article == nil {
		return newsdex.Article{}, search.ErrNotFound
	}
	return f.article(ctx, id)
}

func (f *fakeSearcher) Entities(ctx context.Context, typ, prefix string, size int) ([]search.Bucket, error) {
	if f.entities == nil {
		return []search.Bucket{}, nil
	}
	return f.entities(ctx, typ, prefix, size)
}

// fakeWriter is a Writer with func fields.
type fakeWriter struct {
	put func(ctx context.Context, arts []newsdex.Article) (int, error)
	del func(ctx context.Context, ids ...string) (int, error)
}

func (w *fakeWriter) Put(ctx context.Context, arts []newsdex.Article) (int, error) {
	if w.put == nil {
		return len(arts), nil
	}
	return w.put(ctx, arts)
}

func (w *fakeWriter) Delete(ctx context.Context, ids ...string) (int, error) {
	if w.del == nil {
		return len(ids), nil
	}
	return w.del(ctx, ids...)
}

// testKey is the API key of the tests; the log check greps for it.
const testKey = "test-key-5f0c2b7d9e14a6c3"

func withKey(req *http.Request) *http.Request {
	req.Header.Set("Authorization", "Bearer "+testKey)
	return req
}

func jsonReq(method, target, body string) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// securityHeaderNames are the headers every response must carry.
var securityHeaderNames = []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"}

func checkSecurityHeaders(tb testing.TB, rec *httptest.ResponseRecorder) {
	tb.Helper()
	for _, h := range securityHeaderNames {
		if rec.Header().Get(h) == "" {
			tb.Errorf("response %d lacks %s", rec.Code, h)
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
		tb.Errorf("CSP allows inline script: %q", csp)
	}
}
