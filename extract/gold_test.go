package extract

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
)

// The gold set's scoring is internal/eval's (TestEntityGold there): this
// package's tests cannot import internal/eval, which imports extract.

var (
	sharedOnce sync.Once
	sharedX    *Extractor
	sharedErr  error
)

// mustNew returns an Extractor shared by the tests (it is safe for
// concurrent use; loading it once keeps the race-enabled suite fast).
func mustNew(tb testing.TB) *Extractor {
	tb.Helper()
	sharedOnce.Do(func() { sharedX, sharedErr = New() })
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return sharedX
}

// goldArticles reads the gold set's articles (testdata/gold/articles.jsonl,
// dates as bare YYYY-MM-DD) for the benchmark and the debug aids.
func goldArticles(tb testing.TB) []newsdex.Article {
	tb.Helper()
	file := filepath.Join("testdata", "gold", "articles.jsonl")
	f, err := os.Open(file)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var arts []newsdex.Article
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var g struct{ ID, Title, Published, Outlet, Body string }
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			tb.Fatalf("%s:%d: %v", file, n, err)
		}
		a := newsdex.Article{ID: g.ID, Title: g.Title, Outlet: g.Outlet, Body: g.Body}
		if a.Published, err = time.Parse(time.DateOnly, g.Published); err != nil {
			tb.Fatalf("%s:%d: %v", file, n, err)
		}
		arts = append(arts, a)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read %s: %v", file, err)
	}
	return arts
}
