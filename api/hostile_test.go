package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/newsdex/newsdex/search"
)

// hostile is one malformed or hostile request and the answer it must get.
type hostile struct {
	name   string
	req    func() *http.Request
	status int
	code   string // error code, "" to skip the check
}

func reqGet(target string) func() *http.Request {
	return func() *http.Request { return httptest.NewRequest(http.MethodGet, target, nil) }
}

// rawGet builds a GET whose query string is sent as is, even where
// httptest.NewRequest would refuse to parse it.
func reqRaw(path, rawQuery string) func() *http.Request {
	return func() *http.Request {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.URL.RawQuery = rawQuery
		return req
	}
}

func reqMethod(m, target string) func() *http.Request {
	return func() *http.Request { return withKey(httptest.NewRequest(m, target, nil)) }
}

func reqPost(ctype, body string) func() *http.Request {
	return func() *http.Request {
		req := withKey(httptest.NewRequest(http.MethodPost, "/v1/articles", strings.NewReader(body)))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		return req
	}
}

func reqJSON(body string) func() *http.Request { return reqPost("application/json", body) }

// endless is an unbounded request body of spaces.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func manyArticles(n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":"m` + strconv.Itoa(i) + `","title":"t"}`)
	}
	b.WriteByte(']')
	return b.String()
}

func orQuery(n int) string {
	terms := make([]string, n)
	for i := range terms {
		terms[i] = "w" + strconv.Itoa(i)
	}
	return url.QueryEscape(strings.Join(terms, " OR "))
}

// hostileRequests are at least 40 requests a public server meets: bad
// parameters, huge values, injection strings, path tricks, wrong methods
// and content types, oversized and malformed bodies, bad cursors.
func hostileRequests(cursor string) []hostile {
	long := strings.Repeat("a", 5000)
	return []hostile{
		// Search parameters.
		{"unbalanced quote echoed safely", reqGet("/v1/search?q=" + url.QueryEscape(`"<script>alert(1)</script>`)), 400, "bad_request"},
		{"unbalanced parenthesis", reqGet("/v1/search?q=" + url.QueryEscape("(putin AND")), 400, "bad_request"},
		{"query over 4096 bytes", reqGet("/v1/search?q=" + long), 400, "bad_request"},
		{"300 clauses", reqGet("/v1/search?q=" + orQuery(300)), 400, "bad_request"},
		{"nesting 40 deep", reqGet("/v1/search?q=" + url.QueryEscape(strings.Repeat("(", 40)+"a"+strings.Repeat(")", 40))), 400, "bad_request"},
		{"size 0", reqGet("/v1/search?size=0"), 400, "bad_request"},
		{"size 101", reqGet("/v1/search?size=101"), 400, "bad_request"},
		{"size negative", reqGet("/v1/search?size=-1"), 400, "bad_request"},
		{"size overflow", reqGet("/v1/search?size=99999999999999999999999"), 400, "bad_request"},
		{"size not a number", reqGet("/v1/search?size=ten"), 400, "bad_request"},
		{"page 0", reqGet("/v1/search?page=0"), 400, "bad_request"},
		{"deep paging", reqGet("/v1/search?page=1000&size=100"), 400, "bad_request"},
		{"facet_size 101", reqGet("/v1/search?facet_size=101"), 400, "bad_request"},
		{"snippets 11", reqGet("/v1/search?snippets=11"), 400, "bad_request"},
		{"snippet_size 5", reqGet("/v1/search?snippet_size=5"), 400, "bad_request"},
		{"unknown sort", reqGet("/v1/search?sort=random()"), 400, "bad_request"},
		{"unknown mode", reqGet("/v1/search?mode=magic"), 400, "bad_request"},
		{"unknown facet", reqGet("/v1/search?facets=people,passwords"), 400, "bad_request"},
		{"unknown interval", reqGet("/v1/search?interval=hour"), 400, "bad_request"},
		{"collapse not a bool", reqGet("/v1/search?collapse=maybe"), 400, "bad_request"},
		{"bad date", reqGet("/v1/search?from=2025-13-01"), 400, "bad_request"},
		{"SQL in date", reqGet("/v1/search?from=" + url.QueryEscape("2025-01-01'; DROP TABLE articles;--")), 400, "bad_request"},
		{"to before from", reqGet("/v1/search?from=2025-02-01&to=2025-01-01"), 400, "bad_request"},
		{"garbage cursor", reqGet("/v1/search?cursor=garbage"), 400, "bad_request"},
		{"tampered cursor", reqGet("/v1/search?size=2&sort=date&cursor=" + url.QueryEscape("x"+cursor)), 400, "bad_request"},
		{"cursor of another query", reqGet("/v1/search?size=2&sort=date&q=pipeline&cursor=" + url.QueryEscape(cursor)), 400, "bad_request"},
		{"cursor with page", reqGet("/v1/search?size=2&sort=date&page=2&cursor=" + url.QueryEscape(cursor)), 400, "bad_request"},
		{"unknown parameter", reqGet("/v1/search?q=x&debug=1"), 400, "bad_request"},
		{"parameter given twice", reqGet("/v1/search?q=a&q=b"), 400, "bad_request"},
		{"bad percent escape", reqRaw("/v1/search", "q=%zz"), 400, "bad_request"},
		{"semicolon separator", reqRaw("/v1/search", "q=a;size=5"), 400, "bad_request"},
		{"51 filter values", reqGet("/v1/search?" + strings.Repeat("person=x&", 51)), 400, "bad_request"},
		{"empty filter value", reqGet("/v1/search?outlet=+"), 400, "bad_request"},
		{"filter value over 200 bytes", reqGet("/v1/search?place=" + strings.Repeat("p", 201)), 400, "bad_request"},
		// Article ids.
		// An escaped slash is part of the id (ids may be URLs), and an id
		// is only ever looked up, never used as a path: 404.
		{"encoded path traversal", reqGet("/v1/articles/..%2f..%2fetc%2fpasswd"), 404, "not_found"},
		{"NUL id", reqGet("/v1/articles/%00"), 400, "bad_request"},
		{"backslash id", reqGet("/v1/articles/a%5Cb"), 404, "not_found"},
		{"escaped dot-dot id", reqGet("/v1/articles/%2E%2E"), 400, "bad_request"},
		{"newline id", reqGet("/v1/articles/a%0Ab"), 400, "bad_request"},
		{"invalid UTF-8 id", reqGet("/v1/articles/%ff%fe"), 400, "bad_request"},
		{"id over 512 bytes", reqGet("/v1/articles/" + strings.Repeat("i", 600)), 400, "bad_request"},
		{"dot-dot id", reqGet("/v1/articles/.."), 400, "bad_request"},
		{"plain traversal is no route", reqGet("/v1/articles/../../etc/passwd"), 404, "not_found"},
		{"similar with huge size", reqGet("/v1/articles/t1/similar?size=1000"), 400, "bad_request"},
		{"similar with a query", reqGet("/v1/articles/t1/similar?q=x"), 400, "bad_request"},
		{"similar of a traversal id", reqGet("/v1/articles/..%2fx/similar"), 404, "not_found"},
		{"similar of a dot-dot id", reqGet("/v1/articles/%2e%2e/similar"), 400, "bad_request"},
		// Entities.
		{"entities unknown type", reqGet("/v1/entities?type=password"), 400, "bad_request"},
		{"entities size 0", reqGet("/v1/entities?size=0"), 400, "bad_request"},
		{"entities size not a number", reqGet("/v1/entities?size=1e9"), 400, "bad_request"},
		{"entities long prefix", reqGet("/v1/entities?prefix=" + strings.Repeat("x", 300)), 400, "bad_request"},
		{"entities unknown parameter", reqGet("/v1/entities?type=person&order=desc"), 400, "bad_request"},
		// Routes and methods.
		{"unknown route", reqGet("/v1/passwords"), 404, "not_found"},
		{"unknown route with markup", reqGet("/v1/%3Cscript%3E"), 404, "not_found"},
		{"unknown route 8 KiB long", reqGet("/v1/" + strings.Repeat("x", 8192)), 404, "not_found"},
		{"invented method 8 KiB long", reqMethod(strings.Repeat("M", 8192), "/v1/search"), 405, "method_not_allowed"},
		{"PUT search", reqMethod(http.MethodPut, "/v1/search"), 405, "method_not_allowed"},
		{"DELETE search", reqMethod(http.MethodDelete, "/v1/search"), 405, "method_not_allowed"},
		{"POST to an article", reqMethod(http.MethodPost, "/v1/articles/t1"), 405, "method_not_allowed"},
		{"GET the collection", reqMethod(http.MethodGet, "/v1/articles"), 405, "method_not_allowed"},
		{"invented method", reqMethod("BREW", "/v1/search"), 405, "method_not_allowed"},
		{"asset of another version", reqGet("/static/0000/app.css"), 404, "not_found"},
		// Writes: keys.
		{"post without key", func() *http.Request { return jsonReq(http.MethodPost, "/v1/articles", `{"id":"a","title":"t"}`) }, 401, "unauthorized"},
		{"delete without key", func() *http.Request { return httptest.NewRequest(http.MethodDelete, "/v1/articles/t1", nil) }, 401, "unauthorized"},
		{"post with wrong key", func() *http.Request {
			req := jsonReq(http.MethodPost, "/v1/articles", `{"id":"a","title":"t"}`)
			req.Header.Set("X-API-Key", "wrong-key-0123456789abcdef")
			return req
		}, 403, "forbidden"},
		// Writes: content types and sizes.
		{"text/plain body", reqPost("text/plain", `{"id":"a","title":"t"}`), 415, "unsupported_media_type"},
		{"no content type", reqPost("", `{"id":"a","title":"t"}`), 415, "unsupported_media_type"},
		{"form body", reqPost("application/x-www-form-urlencoded", "id=a"), 415, "unsupported_media_type"},
		{"latin-1 charset", reqPost("application/json; charset=iso-8859-1", `{"id":"a","title":"t"}`), 415, "unsupported_media_type"},
		{"declared body over 32 MiB", func() *http.Request {
			req := reqJSON("{}")()
			req.ContentLength = MaxBodyBytes + 1
			return req
		}, 413, "body_too_large"},
		{"streamed body over 32 MiB", func() *http.Request {
			req := reqJSON("")()
			req.Body = io.NopCloser(io.LimitReader(endless{}, MaxBodyBytes+10))
			req.ContentLength = -1
			return req
		}, 413, "body_too_large"},
		{"1001 articles", reqJSON(manyArticles(1001)), 413, "too_many_articles"},
		{"article over 2 MiB", reqJSON(`{"id":"big","title":"t","body":"` + strings.Repeat("b", MaxArticleBytes) + `"}`), 413, "article_too_large"},
		// Writes: malformed JSON and articles.
		{"deeply nested JSON", reqJSON(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), 400, "bad_body"},
		{"nesting in a field", reqJSON(`{"id":"a","title":"t","labels":{"x":[[[[[[[["deep"]]]]]]]]}}`), 400, "bad_body"},
		{"invalid UTF-8 body", reqJSON("{\"id\":\"a\",\"title\":\"\xff\xfe\"}"), 400, "bad_body"},
		{"truncated JSON", reqJSON(`{"id":`), 400, "bad_body"},
		{"trailing data", reqJSON(`{"id":"a","title":"t"} {"id":"b"}`), 400, "bad_body"},
		{"unknown field", reqJSON(`{"id":"a","title":"t","admin":true}`), 400, "bad_body"},
		{"wrong field type", reqJSON(`{"id":"a","title":5}`), 400, "bad_body"},
		{"missing id", reqJSON(`{"title":"t"}`), 400, "bad_body"},
		{"posted dot-dot id", reqJSON(`{"id":"..","title":"t"}`), 400, "bad_body"},
		{"posted id over 512 bytes", reqJSON(`{"id":"` + strings.Repeat("i", 513) + `","title":"t"}`), 400, "bad_body"},
		{"implausible published date", reqJSON(`{"id":"a","title":"t","published":"2300-01-01"}`), 400, "bad_body"},
		{"NUL in body", reqJSON(`{"id":"a","title":"t","body":"x\u0000y"}`), 400, "bad_body"},
		{"bad published date", reqJSON(`{"id":"a","title":"t","published":"yesterday"}`), 400, "bad_body"},
		{"javascript URL", reqJSON(`{"id":"a","title":"t","url":"javascript:alert(1)"}`), 400, "bad_body"},
		{"empty array", reqJSON(`[]`), 400, "bad_body"},
		{"JSON null", reqJSON(`null`), 400, "bad_body"},
		{"JSON string", reqJSON(`"article"`), 400, "bad_body"},
		{"empty body", reqJSON(``), 400, "bad_body"},
		{"array of numbers", reqJSON(`[1,2]`), 400, "bad_body"},
		{"duplicate ids", reqJSON(`[{"id":"a","title":"t"},{"id":"a","title":"u"}]`), 400, "bad_body"},
		{"no title or body", reqJSON(`{"id":"a","title":"  ","body":"\u0001"}`), 400, "bad_body"},
		{"delete a traversal id", reqMethod(http.MethodDelete, "/v1/articles/..%2f..%2fx"), 404, "not_found"},
		{"delete a dot-dot id", reqMethod(http.MethodDelete, "/v1/articles/%2E%2E"), 400, "bad_request"},
		{"delete a NUL id", reqMethod(http.MethodDelete, "/v1/articles/a%00"), 400, "bad_request"},
	}
}

// TestHostileRequests sends every hostile request to one server: each
// gets its documented 4xx with a JSON error, none a 5xx, nothing echoes
// markup raw, and the server keeps serving.
func TestHostileRequests(t *testing.T) {
	eng, w := fixture(t)
	hz := newHarness(t, eng, Options{Writer: w, APIKeys: []string{testKey}})
	first := decode[search.Results](t, hz.get("/v1/search?size=2&sort=date"))
	if first.NextCursor == "" {
		t.Fatal("fixture search gave no cursor")
	}
	cases := hostileRequests(first.NextCursor)
	if len(cases) < 40 {
		t.Fatalf("only %d hostile requests", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := hz.do(tc.req())
			if rec.Code >= 500 {
				t.Fatalf("server error %d: %s", rec.Code, rec.Body)
			}
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d: %.300s", rec.Code, tc.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			e := decode[errorBody](t, rec)
			if e.Error.Message == "" || tc.code != "" && e.Error.Code != tc.code {
				t.Errorf("error body %+v, want code %s and a message", e.Error, tc.code)
			}
			if strings.Contains(rec.Body.String(), "<script") || strings.Contains(rec.Body.String(), "<img") {
				t.Errorf("markup echoed raw: %s", rec.Body)
			}
			if len(rec.Body.String()) > 4096 {
				t.Errorf("error body of %d bytes echoes too much", rec.Body.Len())
			}
			checkSecurityHeaders(t, rec)
		})
	}
	// Still serving, and nothing hostile was indexed.
	if rec := hz.get("/healthz"); rec.Code != http.StatusOK {
		t.Fatalf("healthz after the hostile requests: %d", rec.Code)
	}
	res := decode[search.Results](t, hz.get("/v1/search"))
	if res.Total != 5 {
		t.Errorf("after the hostile requests the index holds %d articles, want the 5 fixtures", res.Total)
	}
}

// TestHostileArticleIsInert reads the fixture article whose title and
// body carry markup: JSON escapes it and snippets escape everything but
// <mark>.
func TestHostileArticleIsInert(t *testing.T) {
	eng, _ := fixture(t)
	hz := newHarness(t, eng, Options{})
	for _, target := range []string{"/v1/articles/t4", "/v1/search?q=hostile&snippets=3", "/v1/search?q=onerror"} {
		rec := hz.get(target)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
		body := rec.Body.String()
		if strings.Contains(body, "<script") || strings.Contains(body, "<img") || strings.Contains(body, "<a ") {
			t.Errorf("%s: markup raw in JSON: %s", target, body)
		}
	}
	res := decode[search.Results](t, hz.get("/v1/search?q=onerror&snippets=3"))
	if len(res.Hits) != 1 || len(res.Hits[0].Snippets) == 0 {
		t.Fatalf("search onerror: %+v", res)
	}
	snip := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(res.Hits[0].Snippets[0])
	if strings.ContainsAny(snip, "<>") {
		t.Errorf("snippet not escaped: %q", res.Hits[0].Snippets[0])
	}
}
