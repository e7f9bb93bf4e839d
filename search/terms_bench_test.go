package search

import (
	"context"
	"slices"
	"syscall"
	"testing"
	"time"
)

// termsBenchQueries are the queries BenchmarkTermsIndex cycles through.
var termsBenchQueries = []string{"impeachment", "climate change", `"supreme court"`, "immigration", "putin", "trade deficit",
	"oil prices", "coronavirus"}

// BenchmarkTermsIndex measures /v1/terms' engine call on the index named
// by $NEWSDEX_BENCH_INDEX (e.g. AllSides + Reuters built with
// `newsdex index --embed=false`) and reports its p50 and p90 over the
// queries of termsBenchQueries:
//
//	NEWSDEX_BENCH_INDEX=/tmp/ix go test ./search -run '^$' -bench TermsIndex -benchtime 40x
func BenchmarkTermsIndex(b *testing.B) {
	e := engineFromEnv(b, "NEWSDEX_BENCH_INDEX")
	ctx := context.Background()
	// One warm-up pass: field data and the dictionaries load once.
	for _, q := range termsBenchQueries {
		if _, err := e.Terms(ctx, Request{Query: q}, TermsOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	var took []time.Duration
	i := 0
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	for b.Loop() {
		start := time.Now()
		if _, err := e.Terms(ctx, Request{Query: termsBenchQueries[i%len(termsBenchQueries)]}, TermsOptions{}); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		i++
	}
	// CPU time per call does not grow with other processes' load, which
	// the wall-clock percentiles do on a shared machine.
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1000/float64(len(took)), "cpu-ms/op")
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*9/10].Microseconds())/1000, "p90-ms")
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
