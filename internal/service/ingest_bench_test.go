package service_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/corpora"
	"github.com/newsdex/newsdex/internal/pipeline"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/internal/testenv"
)

// allSidesMap maps AllSides' JSON keys onto articles, as README's example
// and the benchmark command do.
const allSidesMap = "id=ID,title=title,body=content_original,outlet=source,published=date,url=url,authors=authors"

// errEnough ends a corpus read at the limit.
var errEnough = errors.New("enough articles")

// BenchmarkIngestAllSides measures lexical indexing the way `newsdex index
// --embed=false` does it (extraction, passages, wire copies, GC tuned for a
// bulk load), from articles already in memory to an index with every merge
// done and closed. It reports articles/s and the process's CPU
// milliseconds (user+system, all goroutines) per article; on a shared
// machine the CPU figure is the one to compare. Run it once:
//
//	go test -run '^$' -bench IngestAllSides -benchtime 1x ./internal/service
//
// With -short it indexes the first 2,000 articles only.
func BenchmarkIngestAllSides(b *testing.B) {
	dir := corpora.Path(b, "allsides-abp")
	files, _ := filepath.Glob(filepath.Join(dir, "articles-*.jsonl.gz"))
	if len(files) == 0 {
		testenv.Missing(b, "articles-*.jsonl.gz in "+dir, "copy the AllSides corpus there")
	}
	sort.Strings(files)
	m, err := ingest.ParseMap(allSidesMap)
	if err != nil {
		b.Fatal(err)
	}
	limit := 0
	if testing.Short() {
		limit = 2000
	}
	ctx := context.Background()
	var arts []newsdex.Article
	err = ingest.Walk(ctx, files, ingest.Options{Format: ingest.FormatJSONL, Map: m}, func(a newsdex.Article) error {
		arts = append(arts, a)
		if limit > 0 && len(arts) >= limit {
			return errEnough
		}
		return nil
	}, nil)
	if err != nil && !errors.Is(err, errEnough) {
		b.Fatal(err)
	}
	x, err := extract.New()
	if err != nil {
		b.Fatal(err)
	}
	defer pipeline.TuneGCForBulk()()
	var cpu, wall time.Duration
	for b.Loop() {
		dir := b.TempDir()
		ix, err := index.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		svc := service.New(ix, x, slog.New(slog.DiscardHandler))
		svc.BatchSize = pipeline.DefaultBatchSize // as `newsdex index`
		if err := svc.EnableDups(ctx); err != nil {
			b.Fatal(err)
		}
		cpu0, start := cpuTime(), time.Now()
		sum, err := svc.Ingest(ctx, func(ctx context.Context, emit func(newsdex.Article) error) error {
			for _, a := range arts {
				if err := emit(a); err != nil {
					return err
				}
			}
			return nil
		}, nil)
		if err == nil {
			err = ix.WaitIdle(ctx)
		}
		if cerr := ix.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
		if sum.Indexed != len(arts) {
			b.Fatalf("indexed %d of %d articles", sum.Indexed, len(arts))
		}
		cpu += cpuTime() - cpu0
		wall += time.Since(start)
	}
	n := float64(b.N * len(arts))
	b.ReportMetric(n/wall.Seconds(), "articles/s")
	b.ReportMetric(float64(cpu.Milliseconds())/n, "cpu-ms/article")
}
