package bench

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/internal/corpora"
	"github.com/newsdex/newsdex/search"
)

// benchIndex is the index the query benchmarks share within one process.
var benchIndex struct {
	once sync.Once
	dir  string
	err  error
}

// TestMain removes the index the query benchmarks built, if they did.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchIndex.dir != "" {
		_ = os.RemoveAll(filepath.Dir(benchIndex.dir))
	}
	os.Exit(code)
}

// queryIndex returns an index of AllSides and Reuters for the query
// benchmarks. NEWSDEX_BENCH_INDEX names one built earlier (the lexical
// folder of `newsdex bench --work DIR --keep`), which saves the minutes
// building takes; otherwise it is built once per process from
// ../shared/corpora, and the benchmark skips when those are absent.
func queryIndex(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("NEWSDEX_BENCH_INDEX"); dir != "" {
		return dir
	}
	allSides := corpora.Path(b, "allsides-abp")
	reuters := corpora.Path(b, "reuters21578")
	benchIndex.once.Do(func() {
		ctx := context.Background()
		arts, err := LoadAllSides(ctx, allSides, 0)
		if err != nil {
			benchIndex.err = err
			return
		}
		extra, err := LoadDir(ctx, reuters)
		if err != nil {
			benchIndex.err = err
			return
		}
		tmp, err := os.MkdirTemp("", "newsdex-query-bench-")
		if err != nil {
			benchIndex.err = err
			return
		}
		benchIndex.dir = filepath.Join(tmp, "lexical")
		// Built in one go, untimed; `newsdex bench` indexes AllSides and
		// then adds Reuters, so its segments differ a little.
		benchIndex.err = addArticles(ctx, benchIndex.dir, append(arts, extra...))
	})
	if benchIndex.err != nil {
		b.Fatal(benchIndex.err)
	}
	return benchIndex.dir
}

// BenchmarkQueryMix runs the twelve peer queries as `newsdex bench` does
// in-process (as typed, top 10, 3 snippets, all facets, result cache off):
// one op is the whole mix of twelve searches.
//
//	NEWSDEX_BENCH_INDEX=/tmp/work/lexical go test -run '^$' -bench QueryMix ./internal/bench
func BenchmarkQueryMix(b *testing.B) {
	benchQueries(b, Queries)
}

// BenchmarkQueryMixAnd runs the same queries with their words joined by AND.
func BenchmarkQueryMixAnd(b *testing.B) {
	benchQueries(b, andQueries(Queries))
}

func benchQueries(b *testing.B, queries []string) {
	dir := queryIndex(b)
	ix, err := index.OpenExisting(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	eng, err := search.New(ix, search.WithoutResultCache())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	run := func(q string) {
		if _, err := eng.Search(ctx, search.Request{Query: q, Mode: search.ModeLexical}); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range queries { // warm the field data and id caches
		run(q)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		for _, q := range queries {
			run(q)
		}
	}
	// CPU time per query (all threads, GC included) is steadier than the
	// wall time on a shared machine.
	n := float64(b.N * len(queries))
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/n/1e6, "cpu-ms/query")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n/1e6, "ms/query")
}

// BenchmarkQuery runs each of the twelve queries on its own, to see which
// cost most.
func BenchmarkQuery(b *testing.B) {
	for _, q := range Queries {
		b.Run(q, func(b *testing.B) { benchQueries(b, []string{q}) })
	}
}
