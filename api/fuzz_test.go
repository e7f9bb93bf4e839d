package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/newsdex/newsdex/search"
)

// FuzzSearchParams sends arbitrary query strings to GET /v1/search over
// the fixture index, cursors included: the answer is never a 5xx, is
// always JSON that the OpenAPI document accepts, and a 4xx always says
// what was wrong.
//
//	go test -run '^$' -fuzz FuzzSearchParams -fuzztime 60s ./api/
func FuzzSearchParams(f *testing.F) {
	eng, _ := fixture(f)
	hz := newHarness(f, eng, Options{})
	first := decode[search.Results](f, hz.get("/v1/search?size=2&sort=date"))
	cursor := first.NextCursor
	for _, seed := range []string{
		"",
		"q=pipeline&person=Xi+Jinping&size=2",
		"size=2&sort=date&cursor=" + url.QueryEscape(cursor),
		"size=2&sort=date&cursor=" + cursor,
		"size=2&sort=date&cursor=" + url.QueryEscape(cursor[:len(cursor)/2]),
		"size=2&sort=date_asc&cursor=" + url.QueryEscape(cursor),
		"size=2&sort=date&cursor=eyJrIjoiIiwiYSI6W119.AAAAAAAA",
		"cursor=..&page=2",
		"q=%22unbalanced&facets=people,places&facet_size=100&interval=week",
		"q=(a+OR+b)+AND+NOT+c&from=2024-01-01&to=2025-12-31&snippets=0",
		"q=wor*&snippet_size=40&collapse=false&mode=lexical",
		"q=%zz", "q=a;b", "size=1e3", "page=-1", "facets=,,,", "person=&person=%00",
		"q=" + strings.Repeat("(", 50), "q=title:%3Cscript%3E", "q=a~3", `q="a b"~200`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/v1/search", nil)
		req.URL.RawQuery = raw
		rec := httptest.NewRecorder()
		hz.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("query string %q: status %d: %s", raw, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("query string %q: body is not JSON: %q", raw, rec.Body)
		}
		if rec.Code >= 400 {
			var e errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Message == "" {
				t.Fatalf("query string %q: %d without an error message: %s", raw, rec.Code, rec.Body)
			}
		}
		if strings.Contains(rec.Body.String(), "<script") {
			t.Fatalf("query string %q: markup echoed raw", raw)
		}
		checkSpec(t, req, rec)
	})
}

// FuzzDecodeArticles feeds arbitrary bodies to the POST decoder: it never
// panics, and whatever it accepts is within the limits it promises.
//
//	go test -run '^$' -fuzz FuzzDecodeArticles -fuzztime 60s ./api/
func FuzzDecodeArticles(f *testing.F) {
	for _, seed := range []string{
		`{"id":"a","title":"t","body":"b\r\nc","published":"2025-01-02"}`,
		`[{"id":"a","title":"t"},{"id":"b","body":"x","published":"2025-01-02T03:04:05Z","url":"https://example.org/"}]`,
		`{"id":"a","title":"t\u0000"}`, `{"id":"a/b","title":"t"}`, `[[[[[[[[[[]]]]]]]]]]`, `{"id":"a","labels":{"x":["y"]},"people":[{"name":"P","count":1,"first":0}],"title":"t"}`,
		"{\"id\":\"\xff\"}", `{"id":"a","title":"t"} x`, `[]`, `null`, `{"id":"..","title":"t"}`, `{"id":"a","title":"\u0085\u200b"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		arts, err := DecodeArticles(body)
		if err != nil {
			var ie *inputError
			if !asInputError(err, &ie) || ie.status < 400 || ie.status >= 500 || ie.msg == "" {
				t.Fatalf("error %v is not a 4xx input error", err)
			}
			return
		}
		if len(arts) == 0 || len(arts) > MaxArticlesPerRequest {
			t.Fatalf("%d articles accepted", len(arts))
		}
		for _, a := range arts {
			if err := checkID(a.ID); err != nil {
				t.Fatalf("accepted bad id %q: %v", a.ID, err)
			}
			if a.Title == "" && strings.TrimSpace(a.Body) == "" {
				t.Fatalf("accepted an empty article %q", a.ID)
			}
			eachString(&a, func(field string, s *string) {
				for _, r := range *s {
					if r == 0 || unicode.IsControl(r) && (field != "body" || r != '\n' && r != '\t') {
						t.Fatalf("field %s keeps control character %U: %q", field, r, *s)
					}
				}
			})
			if a.Passages != nil {
				t.Fatal("passages kept")
			}
		}
	})
}

func asInputError(err error, target **inputError) bool {
	ie, ok := err.(*inputError)
	*target = ie
	return ok
}
