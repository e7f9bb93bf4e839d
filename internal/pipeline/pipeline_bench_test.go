package pipeline

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/ingest"
)

// benchArticles returns the embedded seed articles and the Wikinews
// fixture of package chunk, repeated to n articles with distinct ids.
func benchArticles(b *testing.B, n int) []newsdex.Article {
	b.Helper()
	sub, err := fs.Sub(newsdex.Seeds, "seeds")
	if err != nil {
		b.Fatal(err)
	}
	var base []newsdex.Article
	if err := ingest.ReadFS(context.Background(), sub, ingest.Options{}, func(a newsdex.Article) error {
		base = append(base, a)
		return nil
	}, nil); err != nil {
		b.Fatal(err)
	}
	wiki, err := os.ReadFile(filepath.Join("..", "..", "chunk", "testdata", "wikinews-youth-suicide.txt"))
	if err != nil {
		b.Fatal(err)
	}
	base = append(base, newsdex.Article{ID: "wikinews", Title: "Youth suicide", Body: string(wiki)})
	out := make([]newsdex.Article, n)
	for i := range out {
		out[i] = base[i%len(base)]
		out[i].ID = base[i%len(base)].ID + "-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26))
	}
	return out
}

// BenchmarkEnrich measures extraction and chunking of one article, the
// per-article work of the pipeline before the index.
func BenchmarkEnrich(b *testing.B) {
	x, err := extract.New()
	if err != nil {
		b.Fatal(err)
	}
	arts := benchArticles(b, 2)
	size := 0
	for _, a := range arts {
		size += len(a.Title) + len(a.Body)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	work := make([]newsdex.Article, len(arts))
	for b.Loop() {
		copy(work, arts)
		for i := range work {
			Enrich(&work[i], x)
		}
	}
}

// countWriter counts what the pipeline writes.
type countWriter struct{ n atomic.Int64 }

func (w *countWriter) Add(_ context.Context, arts []newsdex.Article) error {
	w.n.Add(int64(len(arts)))
	return nil
}

// BenchmarkRun measures the pipeline itself over 1,000 articles with a
// writer that keeps nothing: enrichment on every core, channels and
// batching. Compare ns/op with 1,000 × BenchmarkEnrich.
func BenchmarkRun(b *testing.B) {
	x, err := extract.New()
	if err != nil {
		b.Fatal(err)
	}
	arts := benchArticles(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		var w countWriter
		src := func(ctx context.Context, emit func(newsdex.Article) error) error {
			for _, a := range arts {
				if err := emit(a); err != nil {
					return err
				}
			}
			return nil
		}
		sum, err := Run(context.Background(), src, x, &w, Options{})
		if err != nil || sum.Indexed != len(arts) {
			b.Fatalf("Run = %+v, %v", sum, err)
		}
	}
}
