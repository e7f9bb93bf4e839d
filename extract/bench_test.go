package extract

import (
	"syscall"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
)

// benchArticles is a realistic mix: AllSides (US politics, long), Reuters
// (1987 finance, short, upper-case titles), the gold set and the seed. It
// falls back to the committed gold set when the corpora are absent.
func benchArticles(b *testing.B) []newsdex.Article {
	b.Helper()
	var arts []newsdex.Article
	arts = append(arts, goldArticles(b)...)
	arts = append(arts, seedArticle(b))
	func() {
		defer func() { _ = recover() }()
		n := 0
		readAllSides(skipTB{b}, 0, func(a newsdex.Article) {
			n++
			if n%20 == 0 && len(arts) < 900 {
				arts = append(arts, a)
			}
		})
	}()
	func() {
		defer func() { _ = recover() }()
		recs, _ := readReuters(skipTB{b}, corpusDirOrEmpty(b, "reuters21578"), false)
		for i, r := range recs {
			if i%40 == 0 {
				arts = append(arts, r.article)
			}
		}
	}()
	return arts
}

// skipTB turns a benchmark's Skip into a panic that benchArticles recovers,
// so a missing corpus only shrinks the mix.
type skipTB struct{ *testing.B }

func (s skipTB) Skip(args ...any)                 { panic("skip") }
func (s skipTB) Skipf(format string, args ...any) { panic("skip") }

func corpusDirOrEmpty(b *testing.B, name string) string {
	var dir string
	func() {
		defer func() { _ = recover() }()
		dir = corpusDir(skipTB{b}, name)
	}()
	if dir == "" {
		panic("skip")
	}
	return dir
}

// BenchmarkExtract measures Extract over the article mix; SetBytes counts
// title and body bytes, so MB/s is article text per second (run -cpu=1).
func BenchmarkExtract(b *testing.B) {
	x := mustNew(b)
	arts := benchArticles(b)
	total := 0
	for _, a := range arts {
		total += len(a.Title) + 1 + len(a.Body)
	}
	b.Logf("%d articles, %d bytes", len(arts), total)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	work := make([]newsdex.Article, len(arts))
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		copy(work, arts)
		for i := range work {
			x.Extract(&work[i])
		}
		n++
	}
	// On a shared machine wall time understates the speed: report the text
	// processed per CPU-second of this process too.
	if used := (cpuTime() - cpu0).Seconds(); used > 0 {
		b.ReportMetric(float64(total)*float64(n)/used/1e6, "MB/cpu-s")
	}
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkNew measures loading the gazetteers and the leaders dataset.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}
