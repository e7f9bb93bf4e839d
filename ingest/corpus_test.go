package ingest

import (
	"bufio"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/internal/corpora"
)

// corpus returns the path of a shared corpus, or skips tb when absent.
func corpus(tb testing.TB, name string) string { return corpora.Path(tb, name) }

// collect reads sources with Walk and returns the articles and skips.
func collect(tb testing.TB, sources []string, opts Options) ([]newsdex.Article, []*RecordError) {
	tb.Helper()
	var arts []newsdex.Article
	var skips []*RecordError
	err := Walk(context.Background(), sources, opts,
		func(a newsdex.Article) error { arts = append(arts, a); return nil },
		func(e *RecordError) { skips = append(skips, e) })
	if err != nil {
		tb.Fatalf("Walk(%v): %v", sources, err)
	}
	return arts, skips
}

// checkArticle fails tb if a breaks the invariants every reader keeps.
func checkArticle(tb testing.TB, a newsdex.Article) {
	tb.Helper()
	if a.ID == "" {
		tb.Errorf("article with empty ID: %+v", a)
	}
	if a.Title == "" && a.Body == "" {
		tb.Errorf("article %s has no title and no body", a.ID)
	}
	for _, s := range append([]string{a.ID, a.Title, a.Body, a.URL, a.Outlet, a.Dateline, a.Language}, a.Authors...) {
		if !utf8.ValidString(s) {
			tb.Errorf("article %s: invalid UTF-8 in %q", a.ID, s)
		}
		if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' && r != '\n' && r != '\t' }) {
			tb.Errorf("article %s: control character in %q", a.ID, s)
		}
	}
}

func TestCorpusAllSides(t *testing.T) {
	t.Parallel()
	dir := corpus(t, "allsides-abp")
	// The first 200 lines of the 2019 file, copied to a temp file so that
	// the test reads only those.
	f, err := os.Open(filepath.Join(dir, "articles-2019.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<24)
	var lines []string
	for len(lines) < 200 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "allsides-2019-head.jsonl")
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := ParseMap("id=ID,title=title,body=content_original,outlet=source,published=date,url=url,authors=authors")
	if err != nil {
		t.Fatal(err)
	}
	arts, skips := collect(t, []string{tmp}, Options{Map: m})
	if len(skips) > 0 {
		t.Errorf("%d skips, first: %v", len(skips), skips[0])
	}
	if len(arts) != 200 {
		t.Fatalf("got %d articles, want 200", len(arts))
	}
	seen := make(map[string]bool)
	authors := 0
	for _, a := range arts {
		checkArticle(t, a)
		if a.Body == "" || a.Outlet == "" || a.Published.IsZero() {
			t.Errorf("article %s: empty body, outlet or date: outlet %q published %v body %d bytes", a.ID, a.Outlet, a.Published, len(a.Body))
		}
		if seen[a.ID] {
			t.Errorf("article ID %s repeats", a.ID)
		}
		seen[a.ID] = true
		if len(a.Authors) > 0 {
			authors++
		}
	}
	if authors == 0 {
		t.Error("no article has authors")
	}
	// The same without a map: the default names must find the same fields.
	plain, _ := collect(t, []string{tmp}, Options{})
	if len(plain) != 200 || plain[0].Body != arts[0].Body || plain[0].Outlet != arts[0].Outlet || plain[0].ID != arts[0].ID {
		t.Errorf("without a map: %d articles, first %s/%q, want the mapped result", len(plain), plain[0].ID, plain[0].Outlet)
	}
}

func TestCorpusReuters(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("reads all 21,578 Reuters records; skipped with -short")
	}
	dir := corpus(t, "reuters21578")
	start := time.Now()
	arts, skips := collect(t, []string{dir}, Options{})
	t.Logf("read %d Reuters articles in %v", len(arts), time.Since(start))
	// Every record is read: it becomes an article or a record skip. The
	// README, DTD and category lists in the folder are skipped whole as
	// files of unknown format (Record 0).
	var empty []*RecordError
	for _, e := range skips {
		switch {
		case e.Record > 0 && strings.Contains(e.Source, ".sgm"):
			empty = append(empty, e)
		case strings.Contains(e.Source, ".sgm"):
			t.Errorf("file skipped: %v", e)
		}
	}
	if len(arts)+len(empty) != 21578 {
		t.Errorf("got %d articles and %d skipped records, want 21578 in all", len(arts), len(empty))
	}
	// One record, NEWID 12793 (reut2-012 record 793), is an unprocessed
	// text with neither title nor body.
	if len(empty) != 1 || !strings.Contains(empty[0].Error(), "reut2-012.sgm.gz record 793: no title and no body") {
		t.Errorf("skipped records %v, want only reut2-012 record 793 (empty)", empty)
	}
	ids := make(map[string]bool, len(arts))
	var dated, bodies, people, datelines int
	for _, a := range arts {
		checkArticle(t, a)
		ids[a.ID] = true
		if !a.Published.IsZero() {
			dated++
		}
		if a.Body != "" {
			bodies++
		}
		if len(a.Labels["people"]) > 0 {
			people++
		}
		if a.Dateline != "" {
			datelines++
		}
	}
	if len(ids) != len(arts) {
		t.Errorf("%d distinct IDs among %d articles", len(ids), len(arts))
	}
	// SOURCE.md: BODY in 19,043 records (plus unprocessed texts), PEOPLE
	// on 1,156.
	t.Logf("dated %d, with body %d, with people %d, with dateline %d", dated, bodies, people, datelines)
	if dated != len(arts) {
		t.Errorf("%d of %d articles dated", dated, len(arts))
	}
	if people != 1156 {
		t.Errorf("%d articles with people labels, want 1156", people)
	}
	if bodies < 19043 {
		t.Errorf("%d articles with a body, want at least 19043", bodies)
	}
}

func TestCorpusWikinews(t *testing.T) {
	t.Parallel()
	dir := corpus(t, "wikinews-2019-2020")
	arts, skips := collect(t, []string{dir}, Options{})
	for _, e := range skips {
		if strings.Contains(e.Source, ".csv") {
			t.Errorf("skip: %v", e)
		}
	}
	// SOURCE.md: 171 + 124 articles.
	if len(arts) != 295 {
		t.Errorf("got %d articles, want 295", len(arts))
	}
	ids := make(map[string]bool)
	for _, a := range arts {
		checkArticle(t, a)
		if a.Title == "" || a.Body == "" || a.URL == "" || a.Published.IsZero() {
			t.Errorf("article %s: missing title, body, URL or date", a.ID)
		}
		if ids[a.ID] {
			t.Errorf("article ID %s repeats", a.ID)
		}
		ids[a.ID] = true
	}
}
