package embed

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time this process has used, so that throughput
// can be reported per CPU-second as well: the wall clock is unreliable on a
// machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// passages100 cuts the golden long article (Wikinews) into passages of 100
// words, the size the chunker aims at.
func passages100(tb testing.TB) []string {
	g := readGolden(tb)
	var words []string
	for _, c := range g.Cases {
		if c.Name == "long_article" {
			words = strings.Fields(c.Text)
		}
	}
	var ps []string
	for i := 0; i+100 <= len(words); i += 100 {
		ps = append(ps, strings.Join(words[i:i+100], " "))
	}
	if len(ps) < 4 {
		tb.Fatalf("only %d passages of 100 words in the golden long article", len(ps))
	}
	return ps
}

// BenchmarkEmbedPassage100Words embeds batches of 100-word passages (about
// 150 tokens each, so two windows) on all GOMAXPROCS cores, with each
// kernel: passages/s is the throughput target (200 on 2 cores),
// passages/cpu-s the same per CPU-second, steadier on a shared machine.
func BenchmarkEmbedPassage100Words(b *testing.B) {
	mustModel(b) // skips without weights
	for _, k := range Kernels() {
		b.Run(string(k), func(b *testing.B) {
			m, err := LoadKernel(DefaultDir(), k)
			if err != nil {
				b.Fatal(err)
			}
			benchPassages(b, m)
		})
	}
}

func benchPassages(b *testing.B, m *USE) {
	ps := passages100(b)
	ctx := context.Background()
	tokens := 0
	for _, p := range ps {
		tokens += len(m.Tokenize(p))
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := m.Embed(ctx, ps); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(len(ps)*b.N)/b.Elapsed().Seconds(), "passages/s")
	if cpu > 0 {
		b.ReportMetric(float64(len(ps)*b.N)/cpu.Seconds(), "passages/cpu-s")
	}
	b.ReportMetric(float64(tokens)/float64(len(ps)), "tokens/passage")
}

// BenchmarkEmbedQuery embeds one short query: the latency a search adds.
func BenchmarkEmbedQuery(b *testing.B) {
	m := mustModel(b)
	ctx := context.Background()
	q := []string{"earthquake damage in Japan"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Embed(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenize tokenises one 100-word passage.
func BenchmarkTokenize(b *testing.B) {
	m := mustModel(b)
	p := passages100(b)[0]
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		m.Tokenize(p)
	}
}

// BenchmarkForwardWindow runs the forward pass of one 95-token window (half
// of a 100-word passage) on one goroutine, with each kernel: the kernels
// without the scheduling around them.
func BenchmarkForwardWindow(b *testing.B) {
	mustModel(b) // skips without weights
	for _, k := range Kernels() {
		b.Run(string(k), func(b *testing.B) {
			m, err := LoadKernel(DefaultDir(), k)
			if err != nil {
				b.Fatal(err)
			}
			ids := m.Tokenize(passages100(b)[0])[:95]
			ws := newWorkspace()
			out := make([]float32, outDim)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				m.w.forward(ws, ids, out)
			}
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu.Seconds(), "windows/cpu-s")
			}
		})
	}
}
