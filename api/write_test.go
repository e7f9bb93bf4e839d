package api

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
)

func TestDecodeArticles(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []newsdex.Article
	}{
		{"date only", `{"id":"a","title":"T","published":"2025-05-08"}`,
			[]newsdex.Article{{ID: "a", Title: "T", Published: time.Date(2025, 5, 8, 0, 0, 0, 0, time.UTC)}}},
		{"RFC 3339 with offset is kept as UTC", `{"id":"a","title":"T","published":"2025-05-08T01:30:00+02:00"}`,
			[]newsdex.Article{{ID: "a", Title: "T", Published: time.Date(2025, 5, 7, 23, 30, 0, 0, time.UTC)}}},
		{"null and empty published", `[{"id":"a","title":"T","published":null},{"id":"b","title":"U","published":""}]`,
			[]newsdex.Article{{ID: "a", Title: "T"}, {ID: "b", Title: "U"}}},
		{"control characters cleaned, passages dropped",
			`{"id":"a","title":"\tT\u009b ","body":"x\r\ny\u001b[31m\tz\rw","authors":["","A"],"labels":{"to\npics":["o\u0001il"]},` +
				`"passages":[{"start":0,"end":1}],"people":[{"name":"P\u0002","count":1,"first":0}]}`,
			[]newsdex.Article{{ID: "a", Title: "T", Body: "x\ny[31m\tz\nw", Authors: []string{"A"},
				Labels: map[string][]string{"to pics": {"oil"}}, People: []newsdex.Entity{{Name: "P", Count: 1}}}}},
		{"slash kept in an id", `{"id":"é/","title":"x"}`, []newsdex.Article{{ID: "é/", Title: "x"}}},
		{"dot-dot id refused", `{"id":"..","title":"x"}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeArticles([]byte(tc.body))
			if tc.want == nil {
				if err == nil {
					t.Fatalf("accepted %s", tc.body)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DecodeArticles mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeArticlesErrors checks that refusals name the article and field.
func TestDecodeArticlesErrors(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"id":"a","title":"t","authors":["x\u0000"]}`, "article 0: field authors contains a NUL"},
		{`[{"id":"a","title":"t"},{"id":"b","title":5}]`, `article 1: field "title": want a string`},
		{`[{"id":"a","title":"t"},{"id":"b","title":"t","extra":1}]`, `article 1: unknown field "extra"`},
		{`{"id":"a","title":"t","published":"08/05/2025"}`, "neither YYYY-MM-DD nor RFC 3339"},
		{`{"id":"a","title":"t","url":"ftp://x/y"}`, "absolute http or https URL"},
		{`{"id":"a","title":"t"}]`, "unexpected data after the JSON value"},
		{"\xef\xbb\xbf{}", "malformed JSON"},
		{"{\"id\":\"a\xc0\"}", "not valid UTF-8 (first bad byte at offset 8)"},
		// Dates no news article can have: Bleve drops them from the date
		// field, so they would be undated in search but not in facets.
		{`{"id":"a","title":"t","published":"2300-01-01"}`, `article 0: id "a": published "2300-01-01": no news article has this date`},
		{`{"id":"a","title":"t","published":"1700-05-08T10:00:00Z"}`, `published "1700-05-08T10:00:00Z"`},
		{`{"id":"a","title":"t","published":"` + time.Now().AddDate(2, 0, 0).Format(time.DateOnly) + `"}`, "no news article has this date"},
		{`[{"id":"a","title":"t"},{"id":"` + strings.Repeat("x", 513) + `","title":"t"}]`, "article 1: id \"xxx"},
	}
	for _, tc := range tests {
		_, err := DecodeArticles([]byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeArticles(%q) = %v, want %q", tc.body, err, tc.want)
		}
	}
}
