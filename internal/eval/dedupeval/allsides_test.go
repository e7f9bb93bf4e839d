package dedupeval

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdex/newsdex/dedup"
	"github.com/newsdex/newsdex/internal/corpora"
)

var (
	allsides   = flag.Bool("allsides", false, "run TestAllSides: detect duplicates in the AllSides corpus (slow)")
	sampleOut  = flag.String("sample", filepath.Join(os.TempDir(), "dedup-sample.txt"), "TestAllSides writes its sample of groups here (keep it outside the repository: AllSides text may not be committed)")
	sampleN    = flag.Int("sample-groups", 40, "number of random groups TestAllSides samples")
	sampleSeed = flag.Uint64("sample-seed", 1, "seed of TestAllSides's sample")
	threshold  = flag.Float64("threshold", 0, "Options.Threshold for TestAllSides (0: default)")
	bands      = flag.Int("bands", 0, "Options.Bands for TestAllSides (0: default)")
	rows       = flag.Int("rows", 0, "Options.Rows for TestAllSides (0: default)")
	shingle    = flag.Int("shingle", 0, "Options.Shingle for TestAllSides (0: default)")
	minWords   = flag.Int("minwords", 0, "Options.MinWords for TestAllSides (0: default)")
)

// TestAllSides measures the detector on the AllSides corpus. It runs only
// with -allsides, for example
//
//	go test ./internal/eval/dedupeval -run TestAllSides -allsides -v [-threshold 0.5] [-sample /tmp/dedup-sample.txt]
//
// and prints the number of groups, the articles in them, the group-size
// histogram and the time taken, and writes a random sample of groups with
// text excerpts to -sample (outside the repository: the texts may not be
// committed) for checking by hand; see dedup/testdata/sample-verdicts.md.
func TestAllSides(t *testing.T) {
	if !*allsides || testing.Short() {
		t.Skip("corpus-scale measurement; run with -allsides (and without -short)")
	}
	measure(t, readAllSides(t))
}

// measure runs Evaluate over docs with the options from the flags, logs the
// summary and writes the sample of groups to -sample.
func measure(t *testing.T, docs []Doc) {
	opts := dedup.Options{Shingle: *shingle, Bands: *bands, Rows: *rows, Threshold: *threshold, MinWords: *minWords}
	r, err := Evaluate(t.Context(), docs, opts)
	if err != nil {
		t.Fatal(err)
	}
	var sum strings.Builder
	if err := r.WriteSummary(&sum); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + sum.String())
	f, err := os.Create(*sampleOut)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := r.WriteSample(f, *sampleN, *sampleSeed); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("sample of %d groups written to %s", min(*sampleN, r.Groups), *sampleOut)
}

// corpus returns the path of a corpus under ../shared/corpora beside the
// repository root, or skips tb when it is absent.
func corpus(tb testing.TB, name string) string {
	tb.Helper()
	return corpora.Path(tb, name)
}

// readAllSides reads the full-text AllSides articles (2017–2020) in file
// order, which is by date and then ID.
func readAllSides(tb testing.TB) []Doc {
	tb.Helper()
	dir := corpus(tb, "allsides-abp")
	var docs []Doc
	for _, year := range []string{"2017", "2018", "2019", "2020"} {
		name := filepath.Join(dir, "articles-"+year+".jsonl.gz")
		got, err := readJSONL(name)
		if err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, got...)
	}
	return docs
}

func readJSONL(name string) ([]Doc, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read allsides: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("read allsides %s: %w", name, err)
	}
	var docs []Doc
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		var rec struct {
			ID, Title, Source, Date string
			Content                 string `json:"content_original"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("read allsides %s line %d: %w", name, line, err)
		}
		docs = append(docs, Doc{ID: rec.ID, Outlet: rec.Source, Title: rec.Title, Date: rec.Date, Text: rec.Content})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read allsides %s: %w", name, err)
	}
	return docs, nil
}
