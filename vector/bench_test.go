package vector

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time the process has used: on a shared machine
// the wall clock of a benchmark says more about the neighbours than about
// the code, so benchmarks report CPU time per operation as well.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs fn b.N times and reports CPU milliseconds per operation.
func loop(b *testing.B, fn func()) {
	c0 := cpuTime()
	for b.Loop() {
		fn()
	}
	b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// benchStore fills a store with n random 512-dimensional int8 vectors,
// eight passages per article, articles labelled with one of ten outlets
// and dated over ten years.
func benchStore(b *testing.B, n int) (*Store, *rand.Rand) {
	r := rand.New(rand.NewPCG(1, 1))
	s := New()
	const per, d = 8, 512
	docs := make([]Doc, 0, n/per)
	for i := 0; i < n; i += per {
		p := Packed{Dims: d, Data: make([]int8, per*d), Scales: make([]float32, per), Hashes: make([]uint64, per)}
		var w [8]byte
		for j := 0; j < len(p.Data); j += 8 {
			binary.LittleEndian.PutUint64(w[:], r.Uint64())
			for k := range 8 {
				p.Data[j+k] = int8(w[k])
			}
		}
		for j := range p.Scales {
			p.Scales[j] = 1.0 / 127 / 12
		}
		docs = append(docs, Doc{ID: fmt.Sprint(i / per), Labels: []string{fmt.Sprint("outlet\x00", i/per%10)},
			Time: time.Unix(int64(r.IntN(3650))*86400, 0), Vectors: p})
	}
	if err := s.Put(docs...); err != nil {
		b.Fatal(err)
	}
	return s, r
}

// BenchmarkTopK500k is a filtered top-10 over 500k passage vectors: one
// outlet of ten and a date range of half the span (about 5% of vectors
// pass), then the same unfiltered.
func BenchmarkTopK500k(b *testing.B) {
	s, r := benchStore(b, 500_000)
	q := randomUnit(r, 512)
	b.Run("filtered", func(b *testing.B) {
		f := Filter{Groups: [][]string{{"outlet\x003"}}, From: time.Unix(0, 0), To: time.Unix(1825*86400, 0)}
		loop(b, func() {
			if hs, _ := s.Search(Query{Vector: q, K: 10, MinScore: -2, Filter: f}); len(hs) != 10 {
				b.Fatal(len(hs))
			}
		})
	})
	b.Run("outlet", func(b *testing.B) {
		f := Filter{Groups: [][]string{{"outlet\x003"}}}
		loop(b, func() {
			if hs, _ := s.Search(Query{Vector: q, K: 10, MinScore: -2, Filter: f}); len(hs) != 10 {
				b.Fatal(len(hs))
			}
		})
	})
	b.Run("unfiltered", func(b *testing.B) {
		loop(b, func() {
			if hs, _ := s.Search(Query{Vector: q, K: 10, MinScore: -2}); len(hs) != 10 {
				b.Fatal(len(hs))
			}
		})
	})
}
