package search

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/chunk"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/internal/corpora"
	uq "github.com/newsdex/newsdex/query"
)

func textAnalyzer(tb testing.TB) analysis.Analyzer {
	tb.Helper()
	a, err := registry.NewCache().AnalyzerNamed(index.TextAnalyzer)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// checkProbes fails if a token of text does not start with the probe of
// its term: mayMatch would then skip a passage that matches.
func checkProbes(t *testing.T, a analysis.Analyzer, text string) {
	t.Helper()
	for _, tok := range a.Analyze([]byte(text)) {
		word := strings.ToLower(text[tok.Start:tok.End])
		if p := probe(string(tok.Term)); !strings.HasPrefix(word, p) {
			t.Errorf("word %q analyses to %q, whose probe %q it does not start with", word, tok.Term, p)
		}
	}
}

// allSidesTexts returns titles and bodies of the first n articles of an
// AllSides file, or skips.
func allSidesTexts(tb testing.TB, file string, n int) []string {
	tb.Helper()
	f, err := os.Open(filepath.Join(corpora.Path(tb, "allsides-abp"), file))
	if err != nil {
		tb.Fatalf("open AllSides file: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 16<<20)
	var out []string
	for len(out) < 2*n && sc.Scan() {
		var rec struct {
			Title string `json:"title"`
			Body  string `json:"content_original"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			tb.Fatal(err)
		}
		out = append(out, rec.Title, rec.Body)
	}
	return out
}

// TestProbeHoldsOnCorpus checks the claim mayMatch rests on, that every
// word starts with the probe of its stem, on tricky words, the Wikinews
// fixture and (when ../shared is there) AllSides articles.
func TestProbeHoldsOnCorpus(t *testing.T) {
	t.Parallel()
	a := textAnalyzer(t)
	checkProbes(t, a, "eyed eye dyed ayes ability nobility possibility sensibility relational conditional agreed agreement "+
		"sky skies ties dies lying flying hopping hoped owing sing sings is as us at ox "+
		"generalization organization communication realization electricity happiness hopeful "+
		"Putin's Xi’s U.S. E.U. 3,000.50 G20 COVID-19 naïve Café ŒUVRE études")
	b, err := os.ReadFile(filepath.Join("..", "chunk", "testdata", "wikinews-youth-suicide.txt"))
	if err != nil {
		t.Fatal(err)
	}
	checkProbes(t, a, string(b))
	n := 400
	if testing.Short() {
		n = 100
	}
	if _, ok := corpora.Optional(t, "allsides-abp/articles-2018.jsonl.gz"); !ok {
		return
	}
	for _, text := range allSidesTexts(t, "articles-2018.jsonl.gz", n) {
		checkProbes(t, a, text)
		if t.Failed() {
			return
		}
	}
}

func TestProbe(t *testing.T) {
	for stem, want := range map[string]string{"a": "a", "us": "u", "ei": "e", "kim": "k", "trade": "tra", "nobl": "no", "putin": "put", "café": "ca", "cafés": "caf"} {
		if got := probe(stem); got != want {
			t.Errorf("probe(%q) = %q, want %q", stem, got, want)
		}
	}
}

// BenchmarkSnippets measures cutting 3 snippets from the seed article for
// a two-word query, the work done for every hit of a search.
func BenchmarkSnippets(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "chunk", "testdata", "wikinews-youth-suicide.txt"))
	if err != nil {
		b.Fatal(err)
	}
	art := newsdex.Article{ID: "w", Title: "Youth suicide", Body: string(raw)}
	art.Passages = chunk.Split(art.Body, chunk.Options{})
	e := &Engine{analyzer: textAnalyzer(b)}
	for _, q := range []string{"suicide prevention", "mental health", "wor*"} {
		ast, err := uq.Parse(q)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h := e.newHighlighter(ast)
				h.snippets(&art, 3, DefaultSnippetSize)
			}
		})
	}
}

// BenchmarkQueryBuild measures parsing a query and translating it into a
// Bleve query, the fixed cost of every search.
func BenchmarkQueryBuild(b *testing.B) {
	e := collectFixture(b, 1)
	for _, q := range []string{"putin election interference", `"supreme court" abortion`, `person:putin AND (gas OR oil*) -trump`} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ast, err := uq.Parse(q)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := e.translate(ast); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDecodeSourceMatchesEncodingJSON: decodeSource (go-json) reads a
// stored article exactly as encoding/json does.
func TestDecodeSourceMatchesEncodingJSON(t *testing.T) {
	for _, a := range fixtureArticles(t) {
		a.Labels = map[string][]string{"topics": {"grain", "trade"}}
		a.Authors = []string{"Ann \"Q\" Lee", "Bo \u00e9"}
		src, err := json.Marshal(&a)
		if err != nil {
			t.Fatal(err)
		}
		var want newsdex.Article
		if err := json.Unmarshal(src, &want); err != nil {
			t.Fatal(err)
		}
		got, err := decodeSource(&bsearch.DocumentMatch{ID: a.ID, Fields: map[string]any{index.FieldSource: string(src)}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decodeSource(%s) differs from encoding/json (-want +got):\n%s", a.ID, diff)
		}
	}
}

// BenchmarkDecodeSource measures decoding one stored article (the
// Wikinews fixture with its passages), done for every hit of a page.
func BenchmarkDecodeSource(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "chunk", "testdata", "wikinews-youth-suicide.txt"))
	if err != nil {
		b.Fatal(err)
	}
	a := newsdex.Article{ID: "w", Title: "Youth suicide", Body: string(raw)}
	a.Passages = chunk.Split(a.Body, chunk.Options{})
	src, err := json.Marshal(&a)
	if err != nil {
		b.Fatal(err)
	}
	dm := &bsearch.DocumentMatch{ID: a.ID, Fields: map[string]any{index.FieldSource: string(src)}}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeSource(dm); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMatchesNearProbes: analysing only the words around probes finds
// exactly the matches that analysing the whole passage finds.
func TestMatchesNearProbes(t *testing.T) {
	t.Parallel()
	e := &Engine{analyzer: textAnalyzer(t)}
	raw, err := os.ReadFile(filepath.Join("..", "chunk", "testdata", "wikinews-youth-suicide.txt"))
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{string(raw), "Kim's KIM kim-jong-un U.S. u.s. US talks—talking, \"Talked\" don't can’t café CAFÉ naïve \u212aim İstanbul eyed eyes",
		"x\ty\nKim\r\nkim"}
	n := 60
	if testing.Short() {
		n = 15
	}
	if _, ok := corpora.Optional(t, "allsides-abp/articles-2019.jsonl.gz"); ok {
		texts = append(texts, allSidesTexts(t, "articles-2019.jsonl.gz", n)...)
	}
	queries := []string{"xi jinping trade", "putin election interference", "climate change paris agreement",
		`"supreme court" abortion`, "north korea summit kim", "impeachment inquiry whistleblower", "coronavirus vaccine",
		"border wall funding shutdown", "tariffs china soybeans", "brexit theresa may", "iran nuclear deal sanctions",
		"syria chemical weapons strike", "U.S. talks", "don't café eyed", "naïve kim", "suicide prevention youth"}
	for _, q := range queries {
		ast, err := uq.Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		h := e.newHighlighter(ast)
		full := *h
		full.probes = nil
		for _, text := range texts {
			for _, p := range chunk.Split(text, chunk.Options{}) {
				pt := text[p.Start:p.End]
				if diff := cmp.Diff(full.matches(pt), h.matches(pt), cmp.AllowUnexported(span{})); diff != "" {
					t.Fatalf("query %q, passage %.80q: matches differ (-full +near probes):\n%s", q, pt, diff)
				}
			}
		}
	}
}
