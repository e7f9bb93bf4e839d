package dedup

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchText is a realistic article body: the synthetic original fixture,
// repeated to about the corpus's mean length (6 KB).
func benchText(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "original.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	text := string(b)
	for len(text) < 6000 {
		text += "\n\n" + string(b)
	}
	return text
}

func BenchmarkSignature(b *testing.B) {
	d := New(Options{})
	text := benchText(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		d.Signature(text)
	}
	reportCPU(b, start, int64(len(text)))
}

// randomSig returns a signature of random values, as of a text unrelated to
// all others.
func randomSig(d *Detector, rng *rand.Rand) Signature {
	vals := make([]byte, d.k)
	for i := range vals {
		vals[i] = byte(rng.Uint32())
	}
	return Signature{shingle: uint8(d.opts.Shingle), vals: vals}
}

// BenchmarkAdd adds unrelated articles to a Detector that holds 100,000.
func BenchmarkAdd(b *testing.B) {
	d := New(Options{})
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 100_000 {
		d.Add("a"+strconv.Itoa(i), randomSig(d, rng))
	}
	sigs := make([]Signature, 1<<16)
	for i := range sigs {
		sigs[i] = randomSig(d, rng)
	}
	ids := make([]string, len(sigs))
	for i := range ids {
		ids[i] = "b" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	i := 0
	start := cpuTime()
	for b.Loop() {
		// Past len(sigs) this replaces earlier entries: the size stays put.
		d.Add(ids[i%len(ids)], sigs[(i+i/len(sigs))%len(sigs)])
		i++
	}
	reportCPU(b, start, 0)
}

// BenchmarkAddCopies adds copies of one story, the worst case for the band
// index: every copy's band keys are equal.
func BenchmarkAddCopies(b *testing.B) {
	d := New(Options{})
	sig := d.Signature(benchText(b))
	b.ReportAllocs()
	i := 0
	start := cpuTime()
	for b.Loop() {
		d.Add(strconv.Itoa(i), sig)
		i++
	}
	reportCPU(b, start, 0)
}
