package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/search"
)

// exportFake is a searcher that can export: its rows come from export.
type exportFake struct {
	fakeSearcher
	export func(ctx context.Context, r search.Request, opts search.ExportOptions) (uint64, error)
}

func (f *exportFake) Export(ctx context.Context, r search.Request, opts search.ExportOptions) (uint64, error) {
	return f.export(ctx, r, opts)
}

// manyRows is an exporter of n made-up rows that calls pause (if not
// nil) after row at.
func manyRows(n, at int, pause func() error) func(ctx context.Context, r search.Request, opts search.ExportOptions) (uint64, error) {
	return func(ctx context.Context, r search.Request, opts search.ExportOptions) (uint64, error) {
		if err := opts.Begin(uint64(n)); err != nil {
			return 0, err
		}
		for i := range n {
			if i == at && pause != nil {
				if err := pause(); err != nil {
					return uint64(i), err
				}
			}
			row := search.ExportRow{Article: newsdex.Article{ID: fmt.Sprintf("r%06d", i), Title: "Row, \"quoted\"\nline " + strconv.Itoa(i),
				Authors: []string{"A. Writer", "B. Writer"}, Published: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)}}
			if err := opts.Row(&row); err != nil {
				return uint64(i), err
			}
		}
		return uint64(n), nil
	}
}

// exportFixture is the fixture engine with tricky articles added: CSV
// metacharacters, several values per field, no date.
func exportFixture(t *testing.T) *harness {
	t.Helper()
	eng, w := fixture(t)
	var arts []newsdex.Article
	for i := range 60 {
		a := newsdex.Article{
			ID:      fmt.Sprintf("x%02d", i),
			Title:   fmt.Sprintf(`Budget row %d: "quotes", commas; semicolons`, i),
			URL:     fmt.Sprintf("https://example.com/x/%d?a=1&b=2", i),
			Outlet:  []string{"Test Wire", "Daily, Ltd."}[i%2],
			Body:    fmt.Sprintf("Line one of %d.\nLine two, with a comma and ünïcödé.", i),
			Authors: []string{"Ann Lee", "Bob O'Neil"}[:1+i%2],
			People:  []newsdex.Entity{{Name: "Xi Jinping", Count: 1}, {Name: "Vladimir Putin", Count: 1}}[:i%3],
		}
		if i%4 != 0 {
			a.Published = time.Date(2024, 1, 1+i%28, 0, 0, 0, 0, time.UTC)
		}
		arts = append(arts, a)
	}
	if _, err := w.Put(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	return newHarness(t, eng, Options{})
}

func TestExportParams(t *testing.T) {
	hz := newHarness(t, &exportFake{export: manyRows(3, -1, nil)}, Options{})
	tests := []struct {
		target string
		status int
		param  string
	}{
		{"/v1/export", http.StatusOK, ""},
		{"/v1/export?format=jsonl&fields=title,id", http.StatusOK, ""},
		{"/v1/export?size=7&page=2&snippets=0", http.StatusOK, ""}, // search's, ignored
		{"/v1/export?format=xml", http.StatusBadRequest, "format"},
		{"/v1/export?format=csv&format=jsonl", http.StatusBadRequest, "format"},
		{"/v1/export?fields=id,nope", http.StatusBadRequest, "fields"},
		{"/v1/export?fields=id,id", http.StatusBadRequest, "fields"},
		{"/v1/export?fields=", http.StatusBadRequest, "fields"},
		{"/v1/export?limit=5", http.StatusBadRequest, "limit"},
		{"/v1/export?from=2020-13-01", http.StatusBadRequest, "from"},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			rec := hz.get(tc.target)
			if rec.Code != tc.status {
				t.Fatalf("%s: %d %s, want %d", tc.target, rec.Code, rec.Body, tc.status)
			}
			if tc.param != "" {
				if got := decode[errorBody](t, rec).Error.Param; got != tc.param {
					t.Errorf("error names %q, want %q", got, tc.param)
				}
			}
		})
	}
	t.Run("no exporter", func(t *testing.T) {
		rec := newHarness(t, &fakeSearcher{}, Options{}).get("/v1/export")
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("/v1/export on a searcher that cannot export: %d, want 503", rec.Code)
		}
	})
	t.Run("engine errors are JSON", func(t *testing.T) {
		rec := exportFixture(t).get("/v1/export?q=%22unclosed")
		if rec.Code != http.StatusBadRequest || decode[errorBody](t, rec).Error.Param != "q" {
			t.Errorf("bad query: %d %s", rec.Code, rec.Body)
		}
	})
}

// searchTotal returns /v1/search's total for the query string qs.
// searchTotalOf is searchTotal for a query string.
func searchTotalOf(t *testing.T, hz *harness, qs string) int {
	t.Helper()
	v, err := url.ParseQuery(qs)
	if err != nil {
		t.Fatal(err)
	}
	return int(searchTotal(t, hz, v))
}

// TestExportCSVRoundTrip: the CSV parses back (encoding/csv) into a header
// of the fields asked for and exactly X-Total-Count records, equal to the
// search's total, each the stored article's values.
func TestExportCSVRoundTrip(t *testing.T) {
	hz := exportFixture(t)
	for _, qs := range []string{"", "q=budget", "outlet=Daily%2C+Ltd.", "person=Xi+Jinping&sort=date", "q=nothingmatches"} {
		t.Run(qs, func(t *testing.T) {
			rec := hz.get("/v1/export?" + qs)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="newsdex-export-`) || !strings.HasSuffix(cd, `.csv"`) {
				t.Errorf("Content-Disposition %q", cd)
			}
			recs, err := csv.NewReader(bytes.NewReader(rec.Body.Bytes())).ReadAll()
			if err != nil {
				t.Fatalf("parse CSV: %v", err)
			}
			if diff := cmp.Diff(ExportFields[:len(ExportFields)-1], recs[0]); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			total, _ := strconv.Atoi(rec.Header().Get("X-Total-Count"))
			if want := searchTotalOf(t, hz, qs); len(recs)-1 != total || total != want {
				t.Errorf("%d records, X-Total-Count %d, search total %d", len(recs)-1, total, want)
			}
			if got := rec.Result().Trailer.Get("X-Export-Rows"); got != strconv.Itoa(total) {
				t.Errorf("trailer X-Export-Rows %q, want %d", got, total)
			}
			for _, r := range recs[1:] {
				a := decode[ArticleView](t, hz.get("/v1/articles/"+r[0]))
				want := []string{a.ID, a.Title, a.URL, a.Published, a.Outlet, strings.Join(a.Authors, "; "),
					strings.Join(newsdex.Names(a.People), "; "), strings.Join(newsdex.Names(a.Leaders), "; "),
					strings.Join(newsdex.Names(a.Cited), "; "), strings.Join(newsdex.Names(a.Places), "; "), r[10]}
				if diff := cmp.Diff(want, r); diff != "" {
					t.Errorf("row %s (-article +csv):\n%s", r[0], diff)
				}
			}
		})
	}
}

// TestExportJSONLRoundTrip: every line is a JSON object with the fields
// asked for, in that order, valid against the document's ExportRow.
func TestExportJSONLRoundTrip(t *testing.T) {
	hz := exportFixture(t)
	doc, _ := loadSpec(t)
	schema := doc.Components.Schemas["ExportRow"].Value
	fields := []string{"body", "id", "people", "published", "duplicates"}
	rec := hz.get("/v1/export?format=jsonl&fields=" + strings.Join(fields, ","))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("%d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	sc := bufio.NewScanner(bytes.NewReader(rec.Body.Bytes()))
	n := 0
	for sc.Scan() {
		n++
		var v any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %d: %v: %s", n, err, sc.Bytes())
		}
		if err := schema.VisitJSON(v); err != nil {
			t.Errorf("line %d does not match ExportRow: %v", n, err)
		}
		var keys []string
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		_, _ = dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var skip json.RawMessage
			_ = dec.Decode(&skip)
		}
		if !slices.Equal(keys, fields) {
			t.Errorf("line %d keys %v, want %v", n, keys, fields)
		}
		var row struct {
			ID   string `json:"id"`
			Body string `json:"body"`
		}
		_ = json.Unmarshal(sc.Bytes(), &row)
		if a := decode[ArticleView](t, hz.get("/v1/articles/"+row.ID)); a.Body != row.Body {
			t.Errorf("line %d: body %q, stored %q", n, row.Body, a.Body)
		}
	}
	if total := searchTotalOf(t, hz, ""); n != total || rec.Header().Get("X-Total-Count") != strconv.Itoa(total) {
		t.Errorf("%d lines, X-Total-Count %s, search total %d", n, rec.Header().Get("X-Total-Count"), total)
	}
}

// serveExport starts the handler of s on a real listener (recorders
// buffer everything, so streaming shows only over a connection).
func serveExport(t *testing.T, s searcher) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(New(s, nil, Options{}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// TestExportStreams: the client receives rows while the export is still
// producing them. The exporter waits, after 10,000 rows, until the client
// has read the first one; a handler that buffered the whole answer would
// leave it waiting until the deadline, and the export would fail.
func TestExportStreams(t *testing.T) {
	const n, at = 20000, 10000
	gotFirst := make(chan struct{})
	pause := func() error {
		select {
		case <-gotFirst:
			return nil
		case <-time.After(20 * time.Second):
			return errors.New("the client saw no row while the export ran")
		}
	}
	srv := serveExport(t, &exportFake{export: manyRows(n, at, pause)})
	resp, err := http.Get(srv.URL + "/v1/export?format=csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("X-Total-Count") != strconv.Itoa(n) {
		t.Errorf("X-Total-Count %q, want %d", resp.Header.Get("X-Total-Count"), n)
	}
	r := csv.NewReader(resp.Body)
	if _, err := r.Read(); err != nil { // header
		t.Fatal(err)
	}
	if _, err := r.Read(); err != nil { // first row
		t.Fatal(err)
	}
	close(gotFirst)
	rows := 1
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d rows: %v", rows, err)
		}
		rows++
	}
	if rows != n {
		t.Errorf("%d rows, want %d", rows, n)
	}
	if got := resp.Trailer.Get("X-Export-Rows"); got != strconv.Itoa(n) {
		t.Errorf("trailer X-Export-Rows %q, want %d", got, n)
	}
}

// TestExportCutShort: an export that fails half way ends the connection
// without the last chunk, so the client's read fails instead of seeing a
// short but well-formed file.
func TestExportCutShort(t *testing.T) {
	for _, format := range []string{FormatCSV, FormatJSONL} {
		t.Run(format, func(t *testing.T) {
			fail := func() error { return errors.New("index went away") }
			srv := serveExport(t, &exportFake{export: manyRows(20000, 5000, fail)})
			resp, err := http.Get(srv.URL + "/v1/export?format=" + format)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			body, err := io.ReadAll(resp.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("read %d bytes, err %v; want io.ErrUnexpectedEOF", len(body), err)
			}
			if len(body) == 0 {
				t.Error("no row arrived before the failure")
			}
		})
	}
}

// TestExportWriterAllocs: a row costs a fixed number of allocations,
// whatever came before, so memory does not grow with the export.
func TestExportWriterAllocs(t *testing.T) {
	row := &search.ExportRow{Article: newsdex.Article{ID: "a1", Title: "A title, with \"quotes\"", URL: "https://example.com/a",
		Published: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC), Outlet: "Wire", Authors: []string{"A", "B"},
		People: []newsdex.Entity{{Name: "Xi Jinping"}}, Body: strings.Repeat("word ", 400)}, Duplicates: 2}
	for _, format := range []string{FormatCSV, FormatJSONL} {
		t.Run(format, func(t *testing.T) {
			x := NewExportWriter(io.Discard, format, ExportFields)
			allocs := testing.AllocsPerRun(1000, func() {
				if err := x.Write(row); err != nil {
					t.Fatal(err)
				}
			})
			// Joining and formatting a few values; nothing kept per row.
			if allocs > 40 {
				t.Errorf("%s: %.0f allocations per row", format, allocs)
			}
		})
	}
}
