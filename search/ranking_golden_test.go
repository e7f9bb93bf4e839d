package search_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex/search"
)

// The ranking golden records, for every query of testdata/golden/queries.json
// and every mode, the top 10 ids in order with their scores, over the
// semantic fixture (the Wikinews gold set with cached vectors). Any change
// to the order or the scores shows up in review as a diff of
// testdata/golden/ranking.golden, rewritten by
//
//	go test ./search -run TestRankingGolden -update
const (
	goldenQueriesFile = "testdata/golden/queries.json"
	goldenFile        = "testdata/golden/ranking.golden"
	goldenHeader      = "# Top 10 of each query of queries.json in each mode over the Wikinews fixture.\n" +
		"# Written by `go test ./search -run TestRankingGolden -update`; do not edit.\n"
)

// goldenModes are the modes each golden query runs in, in file order.
var goldenModes = []string{search.ModeLexical, search.ModeSemantic, search.ModeHybrid}

// goldenQuery is one query of the ranking golden; Kind (keyword, topical,
// paraphrase or operator) says what it is there to cover.
type goldenQuery struct {
	Kind  string `json:"kind"`
	Query string `json:"query"`
}

func readGoldenQueries(tb testing.TB) []goldenQuery {
	tb.Helper()
	b, err := os.ReadFile(goldenQueriesFile)
	if err != nil {
		tb.Fatal(err)
	}
	var qs []goldenQuery
	if err := json.Unmarshal(b, &qs); err != nil {
		tb.Fatalf("%s: %v", goldenQueriesFile, err)
	}
	seen := map[string]bool{}
	for _, q := range qs {
		if !slices.Contains([]string{"keyword", "topical", "paraphrase", "operator"}, q.Kind) {
			tb.Fatalf("%s: query %q has kind %q, want keyword, topical, paraphrase or operator", goldenQueriesFile, q.Query, q.Kind)
		}
		if q.Query == "" || seen[q.Query] {
			tb.Fatalf("%s: query %q is empty or repeated", goldenQueriesFile, q.Query)
		}
		seen[q.Query] = true
	}
	return qs
}

// goldenKey names the block of one query in one mode.
func goldenKey(query, mode string) string {
	return "query: " + query + "\nmode: " + mode
}

// rankingBlock formats one result: the key, the total, then rank, id and
// score (4 decimals, so that float noise below that cannot make a diff).
func rankingBlock(query, mode string, res *search.Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nran: %s\ntotal: %d\n", goldenKey(query, mode), res.Mode, res.Total)
	for i, h := range res.Hits {
		fmt.Fprintf(&b, "%2d  %-22s %.4f\n", i+1, h.ID, h.Score)
	}
	return b.String()
}

// wholeLines compares strings as opaque values, so cmp.Diff reports a
// changed line as one - and one + line.
var wholeLines = cmp.Comparer(func(a, b string) bool { return a == b })

// parseGolden splits a golden file into its blocks by key, in file order.
func parseGolden(tb testing.TB, text string) (map[string]string, []string) {
	tb.Helper()
	blocks := map[string]string{}
	var keys []string
	for _, blk := range strings.Split(strings.TrimPrefix(text, goldenHeader), "\n\n") {
		if strings.TrimSpace(blk) == "" {
			continue
		}
		blk = strings.Trim(blk, "\n") + "\n"
		lines := strings.SplitN(blk, "\n", 3)
		if len(lines) < 3 || !strings.HasPrefix(lines[0], "query: ") || !strings.HasPrefix(lines[1], "mode: ") {
			tb.Fatalf("%s: malformed block (want query: and mode: lines first):\n%s", goldenFile, blk)
		}
		k := lines[0] + "\n" + lines[1]
		if _, dup := blocks[k]; dup {
			tb.Fatalf("%s: block %q repeats", goldenFile, k)
		}
		blocks[k] = blk
		keys = append(keys, k)
	}
	return blocks, keys
}

// TestRankingGolden checks the top 10 of every golden query in every mode,
// in order, against testdata/golden/ranking.golden. The engine is
// configured as `newsdex serve` configures it (search.New with the
// embedder), and the requests leave every option but mode and size at its
// default. The index is built afresh, so the tests that add and delete
// articles in the shared fixture cannot change its statistics.
func TestRankingGolden(t *testing.T) {
	f, err := buildFixture(t, filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.ix.Close() })
	qs := readGoldenQueries(t)

	var want map[string]string
	if !*update {
		b, err := os.ReadFile(goldenFile)
		if err != nil {
			t.Fatalf("%v (run go test ./search -run TestRankingGolden -update)", err)
		}
		var keys []string
		want, keys = parseGolden(t, string(b))
		// A block whose query left queries.json would linger unnoticed.
		for _, k := range keys {
			q, mode, _ := strings.Cut(strings.TrimPrefix(k, "query: "), "\nmode: ")
			if !slices.ContainsFunc(qs, func(g goldenQuery) bool { return g.Query == q }) || !slices.Contains(goldenModes, mode) {
				t.Errorf("%s has a block for %q in mode %q, which queries.json does not run: run with -update", goldenFile, q, mode)
			}
		}
	}

	got := []string{goldenHeader}
	for _, q := range qs {
		t.Run(q.Query, func(t *testing.T) {
			for _, mode := range goldenModes {
				res := mustSearch(t, f.eng, search.Request{Query: q.Query, Mode: mode, Size: 10})
				blk := rankingBlock(q.Query, mode, res)
				got = append(got, blk)
				if *update {
					continue
				}
				w, ok := want[goldenKey(q.Query, mode)]
				if !ok {
					t.Errorf("%s has no block for %q in %s mode: run with -update", goldenFile, q.Query, mode)
					continue
				}
				// Whole lines, so that the diff shows ranks rather than
				// the characters that changed.
				if diff := cmp.Diff(strings.Split(w, "\n"), strings.Split(blk, "\n"), wholeLines); diff != "" {
					t.Errorf("%s ranking of %q changed (-want +got):\n%s", mode, q.Query, diff)
				}
			}
		})
	}
	if *update && !t.Failed() {
		if err := os.WriteFile(goldenFile, []byte(strings.Join(got, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d blocks to %s", len(got)-1, goldenFile)
	}
}
