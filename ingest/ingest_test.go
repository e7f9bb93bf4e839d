package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/newsdex/newsdex"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json")

// result is what a read produced, as stored in a golden file.
type result struct {
	Articles []newsdex.Article `json:"articles"`
	Skips    []string          `json:"skips,omitempty"`
}

func TestGolden(t *testing.T) {
	allsides := map[string]string{"id": "ID", "title": "title", "body": "content_original", "outlet": "source", "published": "date", "url": "url", "authors": "authors"}
	tests := []struct {
		file string
		opts Options
	}{
		{"seed/crlf-header-line.txt", Options{}},
		{"seed/inline-date.txt", Options{}},
		{"seed/bad-date.txt", Options{}},
		{"seed/empty-body.txt", Options{}},
		{"seed/no-dateline.txt", Options{}},
		{"jsonl/native.jsonl", Options{}},
		{"jsonl/allsides-like.jsonl", Options{Map: allsides}},
		{"jsonl/array.json", Options{}},
		{"jsonl/pretty.json", Options{}},
		{"reuters/reut2-sample.sgm", Options{}},
		{"csv/wikinews-excerpt.csv", Options{}},
		{"csv/mapped.csv", Options{Map: map[string]string{"id": "doc", "title": "headline_text", "body": "story_text", "published": "pub", "outlet": "site", "authors": "writer"}}},
		{"csv/bad.csv", Options{}},
		{"csv/unmapped-header.csv", Options{}},
		{"csv/tabs.tsv", Options{}},
		{"feed/rss2.xml", Options{}},
		{"feed/atom.xml", Options{}},
		{"feed/broken.xml", Options{}},
		{"html/article.html", Options{}},
		{"html/latin1-time.html", Options{}},
		{"html/empty.html", Options{}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			src := filepath.Join("testdata", filepath.FromSlash(tc.file))
			arts, skips := collect(t, []string{src}, tc.opts)
			got := result{Articles: arts}
			for _, a := range arts {
				checkArticle(t, a)
			}
			for _, e := range skips {
				got.Skips = append(got.Skips, e.Error())
			}
			b, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, '\n')
			golden := filepath.Join("testdata", "golden", strings.ReplaceAll(tc.file, "/", "_")+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(b)); diff != "" {
				t.Errorf("reading %s mismatch (-want +got):\n%s", tc.file, diff)
			}
		})
	}
}

func TestSeeds(t *testing.T) {
	var arts []newsdex.Article
	err := ReadFS(context.Background(), newsdex.Seeds, Options{},
		func(a newsdex.Article) error { arts = append(arts, a); return nil },
		func(e *RecordError) { t.Errorf("skip: %v", e) })
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 1 {
		t.Fatalf("got %d articles, want 1", len(arts))
	}
	a := arts[0]
	checkArticle(t, a)
	want := newsdex.Article{
		ID:        "000_5285904866886d73",
		Title:     "Chinese President Xi Jinping, who is on a state visit to Russia, held bilateral talks in Moscow with Russian President…",
		Published: time.Date(2025, 5, 8, 0, 0, 0, 0, time.UTC),
		Language:  "en",
		Dateline:  "Moscow",
		Source:    "seeds/000_5285904866886d73.txt",
	}
	got := a
	got.Body = ""
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("seed article mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(a.Body, "Moscow, May 8: Chinese President Xi Jinping") {
		t.Errorf("body starts %q, want the dateline kept", a.Body[:40])
	}
	if !strings.HasSuffix(a.Body, "other senior government officials.") {
		t.Errorf("body ends %q", a.Body[len(a.Body)-40:])
	}
	if n := strings.Count(a.Body, "\n\n"); n != 7 {
		t.Errorf("body has %d paragraph breaks, want 7", n)
	}
}

// gz returns b gzip-compressed.
func gz(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzip(t *testing.T) {
	plain, err := os.ReadFile("testdata/jsonl/native.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := collect(t, []string{"testdata/jsonl/native.jsonl"}, Options{})
	dir := t.TempDir()
	for _, name := range []string{"native.jsonl.gz", "native.jsonl"} {
		// The second has no .gz suffix: gzip is recognised by its magic.
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, gz(t, plain), 0o644); err != nil {
			t.Fatal(err)
		}
		got, _ := collect(t, []string{p}, Options{})
		for i := range got {
			got[i].Source = want[i].Source
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s mismatch (-plain +gzip):\n%s", name, diff)
		}
	}
	// A broken gzip stream is a skipped file, not a fatal error.
	bad := filepath.Join(dir, "broken.jsonl.gz")
	if err := os.WriteFile(bad, gz(t, plain)[:40], 0o644); err != nil {
		t.Fatal(err)
	}
	_, skips := collect(t, []string{bad}, Options{})
	if len(skips) != 1 || skips[0].Source != bad || skips[0].Record != 0 {
		t.Errorf("broken gzip: skips %v, want one file-level skip", skips)
	}
}

func TestWalkDirectory(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b/2.jsonl":          `{"id":"b2","title":"B2"}`,
		"a.jsonl":            `{"id":"a","title":"A"}`,
		"b/1.jsonl":          `{"id":"b1","title":"B1"}`,
		"b/c/0.txt":          "date 2020-01-01 Nested seed text.",
		"notes.md":           "# not an article",
		".hidden.jsonl":      `{"id":"hidden","title":"H"}`,
		".git/x.jsonl":       `{"id":"git","title":"G"}`,
		"z.csv":              "title,text\nZ,zed\n",
		"feeds/readme.txt":   "plain text without a date header",
		"reuters/x.sgm":      "<REUTERS NEWID=\"1\"><TEXT><TITLE>R</TITLE></TEXT></REUTERS>",
		"reuters/lewis.dtd":  "<!ELEMENT LEWIS>",
		"reuters/SHA256SUMS": "abc  x.sgm",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A link to a file is followed; a link to a folder is not.
	if err := os.Symlink(filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b", "link.jsonl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "b"), filepath.Join(dir, "b", "loop")); err != nil {
		t.Fatal(err)
	}
	arts, skips := collect(t, []string{dir}, Options{})
	var ids []string
	for _, a := range arts {
		ids = append(ids, a.ID)
		checkArticle(t, a)
	}
	// Lexical order, recursively; hidden files and folders left out.
	wantIDs := []string{"a", "b1", "b2", "0", "a", "reuters-1", hashID("", "Z", "zed")}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("IDs mismatch (-want +got):\n%s", diff)
	}
	var skipped []string
	for _, e := range skips {
		rel, _ := filepath.Rel(dir, e.Source)
		skipped = append(skipped, filepath.ToSlash(rel))
		if !errors.Is(e, ErrUnknownFormat) || e.Record != 0 {
			t.Errorf("skip %v: want a file-level ErrUnknownFormat", e)
		}
	}
	wantSkipped := []string{"feeds/readme.txt", "notes.md", "reuters/SHA256SUMS", "reuters/lewis.dtd"}
	if diff := cmp.Diff(wantSkipped, skipped); diff != "" {
		t.Errorf("skipped files mismatch (-want +got):\n%s", diff)
	}
}

func TestWalkFatal(t *testing.T) {
	ctx := context.Background()
	nop := func(newsdex.Article) error { return nil }
	errStop := errors.New("stop here")

	if err := Walk(ctx, []string{"testdata/no/such/file.jsonl"}, Options{}, nop, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing source: got %v, want fs.ErrNotExist", err)
	}
	if err := Walk(ctx, []string{"testdata/jsonl"}, Options{Format: "pdf"}, nop, nil); err == nil || !strings.Contains(err.Error(), `"pdf"`) {
		t.Errorf("bad format: got %v", err)
	}
	if err := Walk(ctx, []string{"testdata/jsonl"}, Options{Map: map[string]string{"bogus": "x"}}, nop, nil); err == nil {
		t.Error("bad map target: got nil error")
	}
	n := 0
	err := Walk(ctx, []string{"testdata/jsonl/native.jsonl", "testdata/csv"}, Options{},
		func(newsdex.Article) error {
			n++
			if n == 2 {
				return errStop
			}
			return nil
		}, nil)
	if !errors.Is(err, errStop) || n != 2 {
		t.Errorf("emit error: got %v after %d articles, want errStop after 2", err, n)
	}
	cctx, cancel := context.WithCancel(ctx)
	n = 0
	err = Walk(cctx, []string{"testdata/jsonl", "testdata/csv"}, Options{},
		func(newsdex.Article) error {
			n++
			cancel()
			return nil
		}, nil)
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("cancel: got %v after %d articles, want context.Canceled after 1", err, n)
	}
	// Read reports an unreadable stream as a *RecordError for record 0.
	err = Read(ctx, strings.NewReader("hello"), "x.bin", Options{}, nop, nil)
	var re *RecordError
	if !errors.As(err, &re) || re.Record != 0 || !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Read of unknown format: got %v", err)
	}
}

func TestForcedFormat(t *testing.T) {
	fsys := fstest.MapFS{
		"story.md":  {Data: []byte("date 2020-02-02\nPARIS, Feb 2 - Text.")},
		"data.txt":  {Data: []byte("title,text\nForced,CSV body\n")},
		"other.dat": {Data: []byte(`{"id":"j","title":"JSON"}`)},
	}
	for _, tc := range []struct {
		file, format, wantID string
	}{
		{"story.md", FormatSeed, "story"},
		{"data.txt", FormatCSV, hashID("", "Forced", "CSV body")},
		{"other.dat", FormatJSONL, "j"},
	} {
		var got []newsdex.Article
		sub := fstest.MapFS{tc.file: fsys[tc.file]}
		err := ReadFS(context.Background(), sub, Options{Format: tc.format},
			func(a newsdex.Article) error { got = append(got, a); return nil },
			func(e *RecordError) { t.Errorf("skip: %v", e) })
		if err != nil || len(got) != 1 || got[0].ID != tc.wantID {
			t.Errorf("%s as %s: got %v, %+v; want ID %s", tc.file, tc.format, err, got, tc.wantID)
		}
	}
}

func TestParseMap(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr string
	}{
		{"", nil, ""},
		{"id=ID,title=title,body=content_original", map[string]string{"id": "ID", "title": "title", "body": "content_original"}, ""},
		{" title = headline , body=text ", map[string]string{"title": "headline", "body": "text"}, ""},
		{"title", nil, `bad map pair "title"`},
		{"title=", nil, `bad map pair "title="`},
		{"headline=title", nil, `unknown target "headline"`},
		{"title=a,title=b", nil, `"title" mapped twice`},
	}
	for _, tc := range tests {
		got, err := ParseMap(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseMap(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseMap(%q): %v", tc.in, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseMap(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestRecordError(t *testing.T) {
	inner := errors.New("invalid character")
	e := &RecordError{Source: "allsides.jsonl", Record: 17, Err: inner}
	if got, want := e.Error(), "ingest allsides.jsonl record 17: invalid character"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, inner) {
		t.Error("errors.Is does not reach the wrapped error")
	}
	if got, want := (&RecordError{Source: "x.md", Err: inner}).Error(), "ingest x.md: invalid character"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseDate(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2019-01-02", utc(2019, 1, 2, 0, 0, 0)},
		{"2024-02-03T10:00:00Z", utc(2024, 2, 3, 10, 0, 0)},
		{"2024-02-03T10:00:00+01:00", utc(2024, 2, 3, 9, 0, 0)},
		{"2024-02-03 10:00:00", utc(2024, 2, 3, 10, 0, 0)},
		{"Mon, 02 Jan 2006 15:04:05 GMT", utc(2006, 1, 2, 15, 4, 5)},
		{"Mon, 2 Jan 2006 15:04:05 +0000", utc(2006, 1, 2, 15, 4, 5)},
		{"26-FEB-1987 15:01:01.79", time.Date(1987, 2, 26, 15, 1, 1, 790000000, time.UTC)},
		{"7/23/17", utc(2017, 7, 23, 0, 0, 0)},
		{"January 4, 2019", utc(2019, 1, 4, 0, 0, 0)},
		{"1700000000", utc(2023, 11, 14, 22, 13, 20)},
		{"1700000000000", utc(2023, 11, 14, 22, 13, 20)},
		{"0001-11-30", time.Time{}},
		{"2050-01-01", time.Time{}},
		{"", time.Time{}},
		{"someday", time.Time{}},
	}
	for _, tc := range tests {
		got, ok := parseDate(tc.in)
		if !got.Equal(tc.want) || ok == tc.want.IsZero() {
			t.Errorf("parseDate(%q) = %v, %v; want %v", tc.in, got, ok, tc.want)
		}
	}
}

func TestSplitAuthors(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Chris Enloe", []string{"Chris Enloe"}},
		{`Leah Barkoukis, Katie Pavlich, "Cortney OBrien"`, []string{"Leah Barkoukis", "Katie Pavlich", "Cortney OBrien"}},
		{"By Jane Doe and John Roe", []string{"Jane Doe", "John Roe"}},
		{"Ann Lee; Bo Chan & Cy Dee", []string{"Ann Lee", "Bo Chan", "Cy Dee"}},
		{"Carl Roe Jr., Dee Fox", []string{"Carl Roe Jr.", "Dee Fox"}},
		{"Carl Roe, Jr., Dee Fox", []string{"Carl Roe, Jr.", "Dee Fox"}},
		{"Ann Lee, ann lee", []string{"Ann Lee"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, splitAuthors(tc.in)); diff != "" {
			t.Errorf("splitAuthors(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestFindDateline(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Moscow, May 8: Chinese President Xi Jinping", "Moscow"},
		{"NEW DELHI, Mar 1 (PTI) - The envoy", "New Delhi"},
		{"Rio de Janeiro, Sept. 3, 2020 - Text", "Rio de Janeiro"},
		{"WASHINGTON (Reuters) - President Trump", "Washington"},
		{"NEW YORK (AP) — Stocks", "New York"},
		{"WASHINGTON — The Senate", "Washington"},
		{"WINSTON-SALEM, N.C. — A plant", "Winston-Salem"},
		{"ST. LOUIS -- Fans", "St. Louis"},
		{"FILE - In this photo", ""},
		{"Friday, January 4, 2019\n\nAn apartment", ""},
		{"The Senate voted on Jan. 5 - a first", ""},
		{"Sen. Elizabeth Warren said", ""},
		{"US V-Day: Donald Trump", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got, _ := findDateline(tc.in); got != tc.want {
			t.Errorf("findDateline(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLeadTitle(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Kyiv, Nov 20: Officials said the grid held. Repairs continue.", "Officials said the grid held."},
		{"The U.S. envoy met Mr. Rao on Friday. Talks went well.", "The U.S. envoy met Mr. Rao on Friday."},
		{"Vladimir V. Putin spoke at 3.5 pm. Then left.", "Vladimir V. Putin spoke at 3.5 pm."},
		{"Headline line\nBody follows.", "Headline line"},
		{strings.Repeat("word ", 40), strings.TrimSpace(strings.Repeat("word ", 24)) + "…"},
		{strings.Repeat("x", 200), strings.Repeat("x", 120) + "…"},
		{"“Quoted lead,” he said. Next.", "“Quoted lead,” he said."},
	}
	for _, tc := range tests {
		if got := leadTitle(tc.in); got != tc.want {
			t.Errorf("leadTitle(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, head, want string
	}{
		{"a.jsonl", "{", FormatJSONL},
		{"a.jsonl.gz", "{", FormatJSONL},
		{"a.json", "[", FormatJSONL},
		{"reut2-000.sgm", "<!DOCTYPE lewis", FormatReuters},
		{"x.csv", "a,b", FormatCSV},
		{"x.tsv", "a\tb", FormatCSV},
		{"seed.txt", " date 2025-05-08 Moscow", FormatSeed},
		{"seed.txt", "hello", ""},
		{"README.txt", "Reuters-21578 text", ""},
		{"noext", `{"id":1}`, FormatJSONL},
		{"feed.xml", `<?xml version="1.0"?><rss version="2.0">`, FormatFeed},
		{"atom.xml", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">`, FormatFeed},
		{"pom.xml", `<?xml version="1.0"?><project>`, ""},
		{"page.html", "<p>hi", FormatHTML},
		{"page", "<!DOCTYPE html><html>", FormatHTML},
		{"SOURCE.md", "# AllSides", ""},
	}
	for _, tc := range tests {
		if got := detect(tc.name, []byte(tc.head)); got != tc.want {
			t.Errorf("detect(%q, %q) = %q, want %q", tc.name, tc.head, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		fn       func(string) string
		name     string
		in, want string
	}{
		{cleanText, "text", " a\r\nb\rc\x00d\x7fe\u0085f\ufeffg \xff ", "a\nb\ncdefg \uFFFD"},
		{cleanText, "plain", "  plain ascii\n ", "plain ascii"},
		{cleanLine, "line", " A\n  title\tthere ", "A title there"},
		{cleanBody, "body", "\n p1 \n line2\n\n\n\n p2\u00a0\n\n", "p1\n line2\n\n p2"},
	}
	for _, tc := range tests {
		if got := tc.fn(tc.in); got != tc.want {
			t.Errorf("clean %s(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}
