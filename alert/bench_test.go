package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/corpora"
	"github.com/newsdex/newsdex/internal/pipeline"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/internal/testenv"
	"github.com/newsdex/newsdex/search"
)

const allSidesMap = "id=ID,title=title,body=content_original,outlet=source,published=date,url=url,authors=authors"

var errEnough = errors.New("enough articles")

// allSides reads the first n articles of the AllSides corpus, or stops tb
// (testenv.Missing) when it is absent.
func allSides(tb testing.TB, n int) []newsdex.Article {
	tb.Helper()
	dir := corpora.Path(tb, "allsides-abp")
	files, _ := filepath.Glob(filepath.Join(dir, "articles-*.jsonl.gz"))
	if len(files) == 0 {
		testenv.Missing(tb, "articles-*.jsonl.gz in "+dir, "copy the AllSides corpus there")
	}
	sort.Strings(files)
	m, err := ingest.ParseMap(allSidesMap)
	if err != nil {
		tb.Fatal(err)
	}
	var arts []newsdex.Article
	err = ingest.Walk(context.Background(), files, ingest.Options{Format: ingest.FormatJSONL, Map: m}, func(a newsdex.Article) error {
		arts = append(arts, a)
		if len(arts) >= n {
			return errEnough
		}
		return nil
	}, nil)
	if err != nil && !errors.Is(err, errEnough) {
		tb.Fatal(err)
	}
	return arts
}

// alertQueries returns n alert queries drawn from arts: two title words
// (three in four), one title word with an outlet filter, or a quoted
// pair of title words, as people write saved searches.
func alertQueries(arts []newsdex.Article, n int) []Query {
	r := rand.New(rand.NewPCG(1, 2))
	words := func(a newsdex.Article) []string {
		var out []string
		for _, w := range strings.FieldsFunc(a.Title, func(c rune) bool { return !unicode.IsLetter(c) }) {
			if len(w) > 4 {
				out = append(out, strings.ToLower(w))
			}
		}
		return out
	}
	qs := make([]Query, 0, n)
	for len(qs) < n {
		a := arts[r.IntN(len(arts))]
		ws := words(a)
		if len(ws) < 2 {
			continue
		}
		i := r.IntN(len(ws) - 1)
		switch len(qs) % 4 {
		case 0:
			if a.Outlet == "" {
				continue
			}
			qs = append(qs, Query{"q": ws[i], "outlet": []string{a.Outlet}})
		case 1:
			qs = append(qs, Query{"q": `"` + ws[i] + " " + ws[i+1] + `"`})
		default:
			qs = append(qs, Query{"q": ws[i] + " " + ws[i+1]})
		}
	}
	return qs
}

// benchIndex returns a service and engine over a fresh index of base.
func benchIndex(tb testing.TB, base []newsdex.Article) (*service.Service, *search.Engine, string) {
	tb.Helper()
	ctx := context.Background()
	dir := filepath.Join(tb.TempDir(), "ix")
	ix, err := index.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	x, err := extract.New()
	if err != nil {
		tb.Fatal(err)
	}
	svc := service.New(ix, x, slog.New(slog.DiscardHandler))
	svc.BatchSize = pipeline.DefaultBatchSize
	if err := svc.EnableDups(ctx); err != nil {
		tb.Fatal(err)
	}
	if len(base) > 0 {
		if _, err := svc.Ingest(ctx, sliceSource(base), nil); err != nil {
			tb.Fatal(err)
		}
	}
	eng, err := search.New(ix, search.WithoutResultCache())
	if err != nil {
		tb.Fatal(err)
	}
	return svc, eng, dir
}

func sliceSource(arts []newsdex.Article) pipeline.Source {
	return func(ctx context.Context, emit func(newsdex.Article) error) error {
		for _, a := range arts {
			if err := emit(a); err != nil {
				return err
			}
		}
		return nil
	}
}

// BenchmarkMatch1000Alerts measures matching one batch of 2,000 AllSides
// articles, just written to an index that held 2,000 before, against
// 1,000 alerts: compiling their match sets and testing the batch's ids
// (what a server does for each written batch). Run it with
//
//	go test -run '^$' -bench Match1000Alerts -benchtime 3x ./alert
func BenchmarkMatch1000Alerts(b *testing.B) {
	arts := allSides(b, 4000)
	base, batchArts := arts[:2000], arts[2000:]
	svc, eng, dir := benchIndex(b, base)
	ctx := context.Background()
	if _, err := svc.Ingest(ctx, sliceSource(batchArts), nil); err != nil {
		b.Fatal(err)
	}
	m, err := Open(dir, eng, Options{AllowPrivate: true})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	for i, q := range alertQueries(arts, 1000) {
		if _, _, err := m.Create(ctx, NewAlert{Name: fmt.Sprintf("a%d", i), Query: q, WebhookURL: "http://127.0.0.1:9/"}); err != nil {
			b.Fatal(err)
		}
	}
	recs, err := m.st.alerts()
	if err != nil {
		b.Fatal(err)
	}
	bt := batch{Seq: 1 << 62}
	for _, a := range batchArts {
		bt.IDs = append(bt.IDs, a.ID)
	}
	matched := 0
	for b.Loop() {
		sets := m.compile(ctx, recs)
		got, err := m.match(ctx, recs, sets, bt)
		if err != nil {
			b.Fatal(err)
		}
		matched = 0
		for _, ids := range got.Members {
			matched += len(ids)
		}
	}
	b.ReportMetric(float64(matched), "matches")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/batch")
}

// BenchmarkIndexWithAlerts is acceptance 5 in one run: the rate of
// indexing AllSides articles (as `newsdex index` does, batches of 2,000)
// into an index, with no alert and with 1,000 alerts matched by a
// running Manager; the clock stops when every batch is matched. Set the
// article count with -benchtime Nx is not meaningful; -short indexes
// 6,000 articles, otherwise 20,000.
func BenchmarkIndexWithAlerts(b *testing.B) {
	n := 20000
	if testing.Short() {
		n = 6000
	}
	arts := allSides(b, n)
	qs := alertQueries(arts, 1000)
	defer pipeline.TuneGCForBulk()()
	for _, alerts := range []int{0, 1000} {
		b.Run(fmt.Sprintf("alerts=%d", alerts), func(b *testing.B) {
			var wall time.Duration
			for b.Loop() {
				svc, eng, dir := benchIndex(b, nil)
				ctx, cancel := context.WithCancel(context.Background())
				m, err := Open(dir, eng, Options{AllowPrivate: true, Hold: time.Hour})
				if err != nil {
					b.Fatal(err)
				}
				for i, q := range qs[:alerts] {
					if _, _, err := m.Create(ctx, NewAlert{Name: fmt.Sprintf("a%d", i), Query: q, WebhookURL: "http://127.0.0.1:9/"}); err != nil {
						b.Fatal(err)
					}
				}
				svc.Watch = m
				done := make(chan error, 1)
				go func() { done <- m.Run(ctx) }()
				start := time.Now()
				if _, err := svc.Ingest(ctx, sliceSource(arts), nil); err != nil {
					b.Fatal(err)
				}
				// Wait until the manager has matched every batch.
				for {
					bs, err := m.st.batches()
					if err != nil {
						b.Fatal(err)
					}
					if len(bs) == 0 {
						break
					}
					m.poke()
					<-time.After(5 * time.Millisecond) // polling the store; there is no event to wait on
				}
				wall += time.Since(start)
				cancel()
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				m.Close()
			}
			b.ReportMetric(float64(b.N*len(arts))/wall.Seconds(), "articles/s")
		})
	}
}
