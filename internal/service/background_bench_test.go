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
	"github.com/newsdex/newsdex/embed"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/corpora"
	"github.com/newsdex/newsdex/internal/pipeline"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/internal/testenv"
)

// BenchmarkBackgroundAllSides measures issue 20's second target on the
// first 1,000 AllSides articles (300 with -short), in one run so that the
// ratios share the machine's load:
//
//   - lexical-s: `newsdex index --embed=false` until searchable;
//   - searchable-s: the same with embeddings on, computed behind the
//     writes, until every article is searchable lexically;
//   - vectors-s: the same until every article has its vectors;
//   - embedder-s: the model alone embedding those passages, in the pages
//     the background embedder uses (identical texts of a page once).
//
// Run it once:
//
//	go test -run '^$' -bench BackgroundAllSides -benchtime 1x ./internal/service
func BenchmarkBackgroundAllSides(b *testing.B) {
	dir := corpora.Path(b, "allsides-abp")
	files, _ := filepath.Glob(filepath.Join(dir, "articles-*.jsonl.gz"))
	if len(files) == 0 {
		testenv.Missing(b, "articles-*.jsonl.gz in "+dir, "copy the AllSides corpus there")
	}
	sort.Strings(files)
	model, err := embed.Load(embed.DefaultDir())
	if err != nil {
		testenv.Missing(b, "the embedding model", "run `newsdex model fetch`")
	}
	m, err := ingest.ParseMap(allSidesMap)
	if err != nil {
		b.Fatal(err)
	}
	limit := 1000
	if testing.Short() {
		limit = 300
	}
	ctx := context.Background()
	var arts []newsdex.Article
	err = ingest.Walk(ctx, files, ingest.Options{Format: ingest.FormatJSONL, Map: m}, func(a newsdex.Article) error {
		arts = append(arts, a)
		if len(arts) >= limit {
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
	src := func(ctx context.Context, emit func(newsdex.Article) error) error {
		for _, a := range arts {
			if err := emit(a); err != nil {
				return err
			}
		}
		return nil
	}
	open := func() (*index.Index, *service.Service) {
		ix, err := index.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		svc := service.New(ix, x, slog.New(slog.DiscardHandler))
		svc.BatchSize = pipeline.DefaultBatchSize
		if err := svc.EnableDups(ctx); err != nil {
			b.Fatal(err)
		}
		return ix, svc
	}
	var lexical, searchable, vectors, alone time.Duration
	passages := 0
	for b.Loop() {
		ix, svc := open()
		start := time.Now()
		if _, err := svc.Ingest(ctx, src, nil); err != nil {
			b.Fatal(err)
		}
		lexical += time.Since(start)
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}

		ix, svc = open()
		bg := svc.EmbedBehind(service.NewEmbedding(ix, model))
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- bg.Run(runCtx) }()
		start = time.Now()
		if _, err := svc.Ingest(ctx, src, nil); err != nil {
			b.Fatal(err)
		}
		searchable += time.Since(start)
		if failed, err := bg.Wait(ctx); err != nil || failed > 0 {
			b.Fatalf("background embedding: %d failed, %v", failed, err)
		}
		vectors += time.Since(start)
		stop()
		<-done

		// The model alone, on the same passages in the same pages.
		var pages [][]string
		var page []string
		seen := map[string]bool{}
		n := 0
		if err := ix.Scan(ctx, func(a newsdex.Article) error {
			for _, t := range index.EmbedTexts(&a) {
				if !seen[t] {
					seen[t] = true
					page = append(page, t)
				}
			}
			if n++; n%200 == 0 {
				pages, page, seen = append(pages, page), nil, map[string]bool{}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		pages = append(pages, page)
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		for _, p := range pages {
			if len(p) == 0 {
				continue
			}
			if _, err := model.Embed(ctx, p); err != nil {
				b.Fatal(err)
			}
			passages += len(p)
		}
		alone += time.Since(start)
	}
	k := float64(b.N)
	b.ReportMetric(lexical.Seconds()/k, "lexical-s")
	b.ReportMetric(searchable.Seconds()/k, "searchable-s")
	b.ReportMetric(vectors.Seconds()/k, "vectors-s")
	b.ReportMetric(alone.Seconds()/k, "embedder-s")
	b.ReportMetric(searchable.Seconds()/lexical.Seconds(), "searchable/lexical")
	b.ReportMetric(vectors.Seconds()/alone.Seconds(), "vectors/embedder")
	b.ReportMetric(float64(passages)/alone.Seconds(), "passages/s")
}
