package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/index/floor"
	"github.com/newsdex/newsdex/internal/pipeline"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/search"
)

// indexArticles builds a fresh index in dir from src and times it the way
// the peers time theirs: from the first write to the durable close, with
// the articles already in memory and the extractor loaded. prepare, if
// set, runs on every batch (embedding).
func indexArticles(ctx context.Context, c Config, dir string, src pipeline.Source, profile string,
	preparer func(*index.Index) func(context.Context, []newsdex.Article) error) (IndexResult, error) {
	var r IndexResult
	_ = os.RemoveAll(dir)
	x, err := extract.New()
	if err != nil {
		return r, err
	}
	ix, err := index.Open(dir)
	if err != nil {
		return r, err
	}
	// The same settings as `newsdex index`: its batch size and bulk GC.
	svc := service.New(ix, x, slog.New(slog.DiscardHandler))
	svc.BatchSize = pipeline.DefaultBatchSize
	if c.BatchSize > 0 {
		svc.BatchSize = c.BatchSize
	}
	defer pipeline.TuneGCForBulk()()
	var prepare func(context.Context, []newsdex.Article) error
	if preparer != nil {
		prepare = preparer(ix)
	}
	svc.Prepare = func(ctx context.Context, batch []newsdex.Article) error {
		for i := range batch {
			r.Passages += len(batch[i].Passages)
		}
		if prepare != nil {
			return prepare(ctx, batch)
		}
		return nil
	}
	stop := startCPUProfile(c, profile)
	cpu0 := cpuTime()
	start := time.Now()
	sum, err := svc.Ingest(ctx, src, nil)
	if err == nil {
		// Merges Bleve still owes are part of indexing: wait for them.
		err = ix.WaitIdle(ctx)
	}
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	r.Seconds = time.Since(start).Seconds()
	r.CPUSeconds = (cpuTime() - cpu0).Seconds()
	stop()
	if err != nil {
		return r, fmt.Errorf("bench: index into %s: %w", dir, err)
	}
	r.Articles = sum.Indexed
	r.DocsPerSec = float64(sum.Indexed) / r.Seconds
	r.SizeMB = float64(index.DirSize(dir)) / 1e6
	return r, nil
}

// addArticles adds arts to the index in dir, untimed.
func addArticles(ctx context.Context, dir string, arts []newsdex.Article) error {
	x, err := extract.New()
	if err != nil {
		return err
	}
	ix, err := index.Open(dir)
	if err != nil {
		return err
	}
	svc := service.New(ix, x, slog.New(slog.DiscardHandler))
	_, err = svc.Ingest(ctx, source(arts, 1), nil)
	if err == nil {
		err = ix.WaitIdle(ctx)
	}
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bench: add %d articles to %s: %w", len(arts), dir, err)
	}
	return nil
}

func measureNewsdex(ctx context.Context, c Config, dir string, arts, extra []newsdex.Article) (*Result, error) {
	res := &Result{}
	logf(c.Log, "newsdex: indexing %d articles into %s ...", len(arts), dir)
	ir, err := indexArticles(ctx, c, dir, source(arts, 1), "index", nil)
	if err != nil {
		return nil, err
	}
	res.Index = ir
	logf(c.Log, "newsdex: %.0f articles/s, %.1f MB", ir.DocsPerSec, ir.SizeMB)
	if !c.NoFloor {
		for _, f := range []struct {
			kind    floor.Kind
			writers int
		}{{floor.LikeFTS5, 1}, {floor.LikeFTS5, 2}, {floor.Bare, 2}} {
			fr, err := measureFloor(ctx, c, filepath.Join(filepath.Dir(dir), "floor"), arts, f.kind, f.writers)
			if err != nil {
				return res, err
			}
			logf(c.Log, "bleve floor, %s, %s: %.0f articles/s", f.kind, writersText(f.writers), fr.DocsPerSec)
			res.Floor = append(res.Floor, fr)
		}
	}
	if len(extra) > 0 {
		logf(c.Log, "newsdex: adding %d more articles for the query runs (untimed) ...", len(extra))
		if err := addArticles(ctx, dir, extra); err != nil {
			return res, err
		}
	}

	return measureQueries(ctx, c, dir, res)
}

// measureQueries measures the queries in-process and over HTTP on the
// index in dir.
func measureQueries(ctx context.Context, c Config, dir string, res *Result) (*Result, error) {
	ix, err := index.OpenExisting(dir)
	if err != nil {
		return res, err
	}
	if err := ix.WaitIdle(ctx); err != nil {
		ix.Close()
		return res, err
	}
	// The in-process figures measure the engine: the same twelve queries
	// repeated would otherwise all be answered by the result cache.
	eng, err := search.New(ix, search.WithoutResultCache())
	if err != nil {
		ix.Close()
		return res, err
	}
	n, _ := ix.Count()
	res.Searched = int(n)
	logf(c.Log, "newsdex: querying %d articles in-process, result cache off (%d × %d queries, twice) ...", n, c.Reps, len(Queries))
	stop := startCPUProfile(c, "query")
	res.Query, res.Totals, err = queryLatency(ctx, eng, Queries, c.Reps)
	stop()
	if err == nil {
		res.QueryAnd, res.TotalsAnd, err = queryLatency(ctx, eng, andQueries(Queries), c.Reps)
	}
	if err == nil {
		res.QueryLong, _, err = queryLatency(ctx, eng, LongQueries, max(1, c.Reps/5))
	}
	if err != nil {
		ix.Close()
		return res, err
	}
	logf(c.Log, "newsdex: p50 %.2f ms p99 %.2f ms (as typed); p50 %.2f ms p99 %.2f ms (AND); 15-40 words p50 %.2f ms max %.2f ms",
		res.Query.P50, res.Query.P99, res.QueryAnd.P50, res.QueryAnd.P99, res.QueryLong.P50, res.QueryLong.Max)

	if c.HTTPDuration < 0 {
		ix.Close()
		return res, nil
	}
	// First the engine alone behind the real handler, then the server as
	// it runs, with its result cache.
	logf(c.Log, "newsdex: HTTP load, result cache off, in-process server, %d connections for %s ...", c.Conns, c.HTTPDuration)
	stop = startCPUProfile(c, "http")
	ld, err := loadInProcess(ctx, c, eng, Queries)
	stop()
	if err != nil {
		ix.Close()
		return res, err
	}
	ld.Server += ", result cache off"
	res.HTTPNoCache = &ld
	logf(c.Log, "newsdex: HTTP %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors, %.2f ms CPU/req", ld.ReqPerSec, ld.Latency.P50, ld.Latency.P99, ld.Errors, ld.Latency.CPUMS)
	logf(c.Log, "newsdex: HTTP load, result cache off, queries ANDed as FTS5 reads them, %d connections for %s ...", c.Conns, c.HTTPDuration)
	stop = startCPUProfile(c, "http-and")
	and, err := loadInProcess(ctx, c, eng, andQueries(Queries))
	stop()
	ix.Close()
	if err != nil {
		return res, err
	}
	and.Server += ", result cache off, words ANDed"
	res.HTTPNoCacheAnd = &and
	logf(c.Log, "newsdex: HTTP %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors, %.2f ms CPU/req", and.ReqPerSec, and.Latency.P50, and.Latency.P99, and.Errors, and.Latency.CPUMS)
	var served Load

	logf(c.Log, "newsdex: HTTP load, server as deployed (result cache on), %d connections for %s ...", c.Conns, c.HTTPDuration)
	if c.ServeBin != "" {
		served, err = loadServe(ctx, c, dir, Queries, c.HTTPDuration)
	} else {
		served, err = loadFresh(ctx, c, dir, Queries)
	}
	if err != nil {
		return res, err
	}
	res.HTTP = &served
	logf(c.Log, "newsdex: HTTP %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors", served.ReqPerSec, served.Latency.P50, served.Latency.P99, served.Errors)
	return res, nil
}

// loadFresh opens dir with a default engine (result cache on) and loads
// it in-process.
func loadFresh(ctx context.Context, c Config, dir string, queries []string) (Load, error) {
	ix, err := index.OpenExisting(dir)
	if err != nil {
		return Load{}, err
	}
	defer ix.Close()
	eng, err := search.New(ix)
	if err != nil {
		return Load{}, err
	}
	return loadInProcess(ctx, c, eng, queries)
}

// queryLatency runs queries reps times after one warm-up pass, each with
// the API's defaults: top 10, 3 snippets, all facets. It returns the
// latency summary and each query's total.
func queryLatency(ctx context.Context, eng *search.Engine, queries []string, reps int) (Latency, []uint64, error) {
	totals := make([]uint64, len(queries))
	for i, q := range queries {
		r, err := eng.Search(ctx, search.Request{Query: q, Mode: search.ModeLexical})
		if err != nil {
			return Latency{}, nil, fmt.Errorf("bench: query %q: %w", q, err)
		}
		totals[i] = r.Total
	}
	lat := make([]time.Duration, 0, reps*len(queries))
	cpu0 := cpuTime()
	for range reps {
		for _, q := range queries {
			t := time.Now()
			if _, err := eng.Search(ctx, search.Request{Query: q, Mode: search.ModeLexical}); err != nil {
				return Latency{}, nil, fmt.Errorf("bench: query %q: %w", q, err)
			}
			lat = append(lat, time.Since(t))
		}
	}
	l := summarise(lat)
	if len(lat) > 0 {
		l.CPUMS = ms(cpuTime()-cpu0) / float64(len(lat))
	}
	return l, totals, nil
}

// cpuTime is the user+system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// andQueries joins the words of each query with AND, keeping quoted
// phrases whole: the reading FTS5, Xapian and PostgreSQL give them.
func andQueries(qs []string) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		var parts []string
		for q != "" {
			q = strings.TrimSpace(q)
			if strings.HasPrefix(q, `"`) {
				if j := strings.IndexByte(q[1:], '"'); j >= 0 {
					parts = append(parts, q[:j+2])
					q = q[j+2:]
					continue
				}
			}
			w, rest, _ := strings.Cut(q, " ")
			if w != "" {
				parts = append(parts, w)
			}
			q = rest
		}
		out[i] = strings.Join(parts, " AND ")
	}
	return out
}

// summarise returns nearest-rank percentiles, as the peers compute them.
func summarise(lat []time.Duration) Latency {
	if len(lat) == 0 {
		return Latency{}
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	pct := func(p float64) float64 {
		i := min(len(s)-1, int(float64(len(s))*p))
		return ms(s[i])
	}
	return Latency{N: len(s), P50: pct(0.5), P90: pct(0.9), P99: pct(0.99), Max: ms(s[len(s)-1])}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// startCPUProfile writes name.cpu.pprof into c.ProfileDir until the
// returned func is called; without a ProfileDir it does nothing.
func startCPUProfile(c Config, name string) func() {
	if c.ProfileDir == "" {
		return func() {}
	}
	if err := os.MkdirAll(c.ProfileDir, 0o755); err != nil {
		logf(c.Log, "profile: %v", err)
		return func() {}
	}
	f, err := os.Create(filepath.Join(c.ProfileDir, name+".cpu.pprof"))
	if err != nil {
		logf(c.Log, "profile: %v", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		logf(c.Log, "profile: %v", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		writeAllocProfile(c, name)
	}
}

// writeAllocProfile writes the allocations so far as name.allocs.pprof.
func writeAllocProfile(c Config, name string) {
	if c.ProfileDir == "" {
		return
	}
	f, err := os.Create(filepath.Join(c.ProfileDir, name+".allocs.pprof"))
	if err != nil {
		logf(c.Log, "profile: %v", err)
		return
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		logf(c.Log, "profile: %v", err)
	}
}

// measureFloor times floor.Index on arts with the given number of
// writers, in the same batches and GC settings as newsdex's indexing, and
// removes what it built.
func measureFloor(ctx context.Context, c Config, dir string, arts []newsdex.Article, kind floor.Kind, writers int) (FloorResult, error) {
	fr := FloorResult{Kind: kind.String(), Writers: writers}
	_ = os.RemoveAll(dir)
	defer os.RemoveAll(dir)
	batch := pipeline.DefaultBatchSize
	if c.BatchSize > 0 {
		batch = c.BatchSize
	}
	defer pipeline.TuneGCForBulk()()
	logf(c.Log, "bleve floor: %d articles, title and body only (%s), %s ...", len(arts), kind, writersText(writers))
	cpu0 := cpuTime()
	d, err := floor.Index(ctx, dir, arts, kind, writers, batch)
	fr.CPUSeconds = (cpuTime() - cpu0).Seconds()
	if err != nil {
		return fr, err
	}
	fr.Seconds = d.Seconds()
	fr.DocsPerSec = float64(len(arts)) / fr.Seconds
	return fr, nil
}
