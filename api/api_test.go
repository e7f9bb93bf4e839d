package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/search"
)

func TestReadRoutes(t *testing.T) {
	eng, _ := fixture(t)
	hz := newHarness(t, eng, Options{})

	rec := hz.get("/healthz")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Fatalf("healthz: %d %s", rec.Code, rec.Body)
	}
	checkSecurityHeaders(t, rec)

	rec = hz.get("/v1/search?q=pipeline&person=Xi+Jinping&snippets=1")
	if rec.Code != http.StatusOK {
		t.Fatalf("search: %d %s", rec.Code, rec.Body)
	}
	res := decode[search.Results](t, rec)
	if res.Total != 2 || len(res.Hits) != 2 {
		t.Errorf("search pipeline person=Xi Jinping: total %d, %d hits, want 2", res.Total, len(res.Hits))
	}
	checkSecurityHeaders(t, rec)

	// Paging with a cursor walks every article once.
	seen := map[string]bool{}
	target := "/v1/search?size=2&sort=date"
	for range 10 {
		rec = hz.get(target)
		if rec.Code != http.StatusOK {
			t.Fatalf("page %s: %d %s", target, rec.Code, rec.Body)
		}
		res := decode[search.Results](t, rec)
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Errorf("cursor paging repeated %s", h.ID)
			}
			seen[h.ID] = true
		}
		if res.NextCursor == "" {
			break
		}
		target = "/v1/search?size=2&sort=date&cursor=" + res.NextCursor
	}
	if len(seen) != 5 {
		t.Errorf("cursor paging saw %d articles, want 5", len(seen))
	}

	rec = hz.get("/v1/articles/t1")
	if rec.Code != http.StatusOK {
		t.Fatalf("article: %d %s", rec.Code, rec.Body)
	}
	if v := decode[map[string]any](t, rec); v["published"] != "2025-05-08" || v["id"] != "t1" {
		t.Errorf("article t1: %v", v)
	}
	if rec := hz.get("/v1/articles/nope"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown article: %d", rec.Code)
	}

	rec = hz.get("/v1/entities?type=person&prefix=vla")
	if rec.Code != http.StatusOK {
		t.Fatalf("entities: %d %s", rec.Code, rec.Body)
	}
	ents := decode[EntitiesResponse](t, rec)
	if len(ents.Entities) != 1 || ents.Entities[0].Name != "Vladimir Putin" || ents.Entities[0].Count != 2 {
		t.Errorf("entities prefix vla: %+v", ents.Entities)
	}

	// The engine has no embeddings yet: similar is a 400 that says why.
	rec = hz.get("/v1/articles/t1/similar?size=5")
	if rec.Code != http.StatusBadRequest || decode[errorBody](t, rec).Error.Code != "no_embeddings" {
		t.Errorf("similar without embeddings: %d %s", rec.Code, rec.Body)
	}
	if rec := hz.get("/v1/articles/nope/similar"); rec.Code != http.StatusNotFound {
		t.Errorf("similar of unknown article: %d %s", rec.Code, rec.Body)
	}

	rec = hz.get("/openapi.json")
	if rec.Code != http.StatusOK || !json.Valid(rec.Body.Bytes()) {
		t.Errorf("openapi.json: %d", rec.Code)
	}
}

func TestSimilar(t *testing.T) {
	var got search.Request
	var gotID string
	fs := &fakeSearcher{similar: func(ctx context.Context, id string, r search.Request) (*search.Results, error) {
		gotID, got = id, r
		res := emptyResults()
		res.Total = 1
		res.Hits = []search.Hit{{ID: "t2", Title: "x", Authors: []string{}, People: []string{}, Leaders: []string{}, Cited: []string{}, Places: []string{}, Snippets: []string{}, Match: search.MatchSemantic}}
		return res, nil
	}}
	hz := newHarness(t, fs, Options{})
	rec := hz.get("/v1/articles/t1/similar?size=3&person=Xi+Jinping&person=Vladimir+Putin&from=2025-01-01&snippets=0")
	if rec.Code != http.StatusOK {
		t.Fatalf("similar: %d %s", rec.Code, rec.Body)
	}
	if gotID != "t1" || got.Size != 3 || len(got.Filters["person"]) != 2 || got.From.IsZero() || got.Snippets != -1 {
		t.Errorf("similar passed id %q, request %+v", gotID, got)
	}
	// Query, sort and cursor make no sense for similar.
	for _, p := range []string{"q=x", "sort=date", "cursor=abc", "mode=semantic"} {
		if rec := hz.get("/v1/articles/t1/similar?" + p); rec.Code != http.StatusBadRequest {
			t.Errorf("similar?%s: %d, want 400", p, rec.Code)
		}
	}
}

// TestWriteRoundTrip posts articles, finds them, deletes one: the real
// engine and index behind a test Writer.
func TestWriteRoundTrip(t *testing.T) {
	eng, w := fixture(t)
	hz := newHarness(t, eng, Options{Writer: w, APIKeys: []string{testKey}})

	body := `[{"id":"n1","title":"Harbour reopens","published":"2025-06-01","body":"The harbour reopened after the storm.\r\nFerries run again.","url":"https://example.org/n1"},
	          {"id":"n2","title":"Harbour\u0007 fees rise","published":"2025-06-02T10:00:00+02:00","body":"Fees at the harbour rise next month."}]`
	rec := hz.do(withKey(jsonReq(http.MethodPost, "/v1/articles", body)))
	if rec.Code != http.StatusOK {
		t.Fatalf("post: %d %s", rec.Code, rec.Body)
	}
	if got := decode[PutResponse](t, rec); got.Indexed != 2 || strings.Join(got.IDs, ",") != "n1,n2" {
		t.Errorf("post answered %+v", got)
	}
	res := decode[search.Results](t, hz.get("/v1/search?q=harbour&sort=date_asc"))
	if res.Total != 2 || res.Hits[0].ID != "n1" || res.Hits[1].Published != "2025-06-02" {
		t.Errorf("search after post: %+v", res)
	}
	if res.Hits[1].Title != "Harbour fees rise" {
		t.Errorf("control character not cleaned from title: %q", res.Hits[1].Title)
	}
	a := decode[ArticleView](t, hz.get("/v1/articles/n1"))
	if strings.Contains(a.Body, "\r") {
		t.Errorf("CR kept in body: %q", a.Body)
	}

	// One object (not an array) works too and replaces by id.
	rec = hz.do(withKey(jsonReq(http.MethodPost, "/v1/articles", `{"id":"n1","title":"Harbour stays shut","body":"Still closed."}`)))
	if rec.Code != http.StatusOK {
		t.Fatalf("post one: %d %s", rec.Code, rec.Body)
	}
	if a := decode[ArticleView](t, hz.get("/v1/articles/n1")); a.Title != "Harbour stays shut" {
		t.Errorf("replace by id: title %q", a.Title)
	}

	rec = hz.do(withKey(httptest.NewRequest(http.MethodDelete, "/v1/articles/n1", nil)))
	if rec.Code != http.StatusOK || decode[DeleteResponse](t, rec).Deleted != 1 {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec := hz.get("/v1/articles/n1"); rec.Code != http.StatusNotFound {
		t.Errorf("deleted article still there: %d", rec.Code)
	}
	if rec := hz.do(withKey(httptest.NewRequest(http.MethodDelete, "/v1/articles/n1", nil))); rec.Code != http.StatusNotFound {
		t.Errorf("second delete: %d, want 404", rec.Code)
	}
}

func TestReadOnlyServer(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{APIKeys: []string{testKey}})
	for _, req := range []*http.Request{
		withKey(jsonReq(http.MethodPost, "/v1/articles", `{"id":"x","title":"t"}`)),
		jsonReq(http.MethodPost, "/v1/articles", `{"id":"x","title":"t"}`),
		withKey(httptest.NewRequest(http.MethodDelete, "/v1/articles/x", nil)),
	} {
		rec := hz.do(req)
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "read-only") {
			t.Errorf("%s %s on a read-only server: %d %s", req.Method, req.URL, rec.Code, rec.Body)
		}
	}
}

func TestWriterErrors(t *testing.T) {
	w := &fakeWriter{
		put: func(ctx context.Context, arts []newsdex.Article) (int, error) {
			if arts[0].ID == "bad" {
				return 0, &search.ParamError{Param: "body", Pos: -1, Msg: "the extractor refused it"}
			}
			return 0, errors.New("disk full at /secret/path")
		},
		del: func(ctx context.Context, ids ...string) (int, error) { return 0, context.DeadlineExceeded },
	}
	hz := newHarness(t, &fakeSearcher{}, Options{Writer: w, APIKeys: []string{testKey}})
	if rec := hz.do(withKey(jsonReq(http.MethodPost, "/v1/articles", `{"id":"bad","title":"t"}`))); rec.Code != http.StatusBadRequest {
		t.Errorf("writer ParamError: %d %s", rec.Code, rec.Body)
	}
	rec := hz.do(withKey(jsonReq(http.MethodPost, "/v1/articles", `{"id":"x","title":"t"}`)))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("writer failure: %d %s (must be a generic 500)", rec.Code, rec.Body)
	}
	if !strings.Contains(hz.log.String(), "disk full") {
		t.Errorf("writer failure not logged: %s", hz.log)
	}
	if rec := hz.do(withKey(httptest.NewRequest(http.MethodDelete, "/v1/articles/x", nil))); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("writer timeout: %d %s", rec.Code, rec.Body)
	}
}

// TestSearchTimeout runs the real engine with a timeout too short for any
// search: the answer is a 503 with a message, not a hang or a 500.
func TestSearchTimeout(t *testing.T) {
	eng, _ := fixture(t)
	hz := newHarness(t, eng, Options{SearchTimeout: time.Nanosecond})
	for _, target := range []string{"/v1/search?q=pipeline", "/v1/entities?type=person"} {
		rec := hz.get(target)
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s with a 1 ns timeout: %d %s", target, rec.Code, rec.Body)
		}
		if e := decode[errorBody](t, rec); e.Error.Code != "timeout" || !strings.Contains(e.Error.Message, "too long") {
			t.Errorf("timeout body: %+v", e)
		}
	}
	// A searcher that waits for its context proves the deadline is passed on.
	fs := &fakeSearcher{similar: func(ctx context.Context, id string, r search.Request) (*search.Results, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	hz = newHarness(t, fs, Options{SearchTimeout: 20 * time.Millisecond})
	if rec := hz.get("/v1/articles/t1/similar"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("similar past its timeout: %d %s", rec.Code, rec.Body)
	}
}

func TestPanicIsJSON500(t *testing.T) {
	fs := &fakeSearcher{search: func(ctx context.Context, r search.Request) (*search.Results, error) {
		panic("boom")
	}}
	hz := newHarness(t, fs, Options{})
	rec := hz.get("/v1/search?q=x")
	if rec.Code != http.StatusInternalServerError || decode[errorBody](t, rec).Error.Code != "internal" {
		t.Errorf("panic: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(hz.log.String(), "boom") {
		t.Errorf("panic not logged")
	}
	if rec := hz.get("/healthz"); rec.Code != http.StatusOK {
		t.Errorf("server stopped serving after a panic: %d", rec.Code)
	}
}

// TestRequestLog checks the one structured line per request.
func TestRequestLog(t *testing.T) {
	eng, _ := fixture(t)
	hz := newHarness(t, eng, Options{})
	hz.get("/v1/search?q=pipeline&person=%3Cscript%3E")
	hz.get("/v1/search?q=pipeline")
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(hz.log.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("%d request lines, want 2:\n%s", len(lines), hz.log)
	}
	l := lines[1]
	for _, k := range []string{"method", "route", "status", "latency_ms", "results", "client"} {
		if _, ok := l[k]; !ok {
			t.Errorf("request line lacks %s: %v", k, l)
		}
	}
	if l["route"] != "/v1/search" || l["status"] != float64(200) {
		t.Errorf("request line: %v", l)
	}
	if strings.Contains(hz.log.String(), "script") {
		t.Errorf("query text reached the log: %s", hz.log)
	}
}
