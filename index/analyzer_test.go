package index

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex/internal/corpora"
)

// analyzers returns newsdex's English analyzer and Bleve's "en".
func analyzers(tb testing.TB) (fast, slow analysis.Analyzer) {
	tb.Helper()
	cache := registry.NewCache()
	fast, err := cache.AnalyzerNamed(EnglishAnalyzer)
	if err != nil {
		tb.Fatal(err)
	}
	slow, err = cache.AnalyzerNamed("en")
	if err != nil {
		tb.Fatal(err)
	}
	return fast, slow
}

// tok is a comparable copy of a token.
type tok struct {
	Term            string
	Start, End, Pos int
	Type            analysis.TokenType
}

func tokens(a analysis.Analyzer, text string) []tok {
	var out []tok
	for _, t := range a.Analyze([]byte(text)) {
		out = append(out, tok{string(t.Term), t.Start, t.End, t.Position, t.Type})
	}
	return out
}

func checkSame(t *testing.T, fast, slow analysis.Analyzer, text string) {
	t.Helper()
	want, got := tokens(slow, text), tokens(fast, text)
	if slices.Equal(want, got) {
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Analyze(%.200q) differs from Bleve's en (-en +newsdex_en):\n%s", text, diff)
	}
}

func TestEnglishMatchesBleve(t *testing.T) {
	fast, slow := analyzers(t)
	tests := []string{
		"",
		"Putin's talks with Xi Jinping's team",
		"PUTIN'S TALKS",
		"Trump’s wall: the U.S. and the E.U. agreed on 3,000.50 dollars, 1.5% and 10:30 a.m.",
		"don't can’t won‘t it's ’s 's s' x's",
		"a.b.c. a..b a.1 1.a 1a.b a1 1a a_b _ __ _1_ 1_2 _a a:b a:1 1:2 1,2 a,b 1;2 a;b",
		"“Quoted” — dashes – and … ellipsis • bullet «guillemets» © ® ° £ €",
		"Café naïve résumé Ærø Łódź ŒUVRE Ÿ straße",
		"non\u00a0breaking space",
		"İstanbul ıd ß ǅ Ⱥ",
		"中文 日本語 한국어 Привет мир",
		"emoji 😀 here",
		"tab\tnew\nline\r\ncr\u2028ls",
		"sentence end. Next one! Question? (paren) [bracket] {brace} <angle> \"dq\" `bt` ~ @ # $ % ^ & * + = | \\ /",
		"9/11 24/7 G20 COVID-19 H1N1 2019-nCoV e-mail #MeToo @realDonaldTrump http://example.com/a?b=c",
		"the and of a an to be in is it that",
		"running runs ran easily fairly agreement agreements relational sensibility abilities",
		"trailing apostrophe' and quote’",
		"invalid \xff utf8",
		"soft\u00adhyphen",
		"'s ’s s ’ ' .",
	}
	for _, text := range tests {
		checkSame(t, fast, slow, text)
	}
}

// TestEnglishMatchesBleveOnCorpus compares the analyzers on real news:
// the Wikinews fixture of package chunk and, when ../shared is there,
// AllSides articles.
func TestEnglishMatchesBleveOnCorpus(t *testing.T) {
	t.Parallel()
	fast, slow := analyzers(t)
	b, err := os.ReadFile(filepath.Join("..", "chunk", "testdata", "wikinews-youth-suicide.txt"))
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, fast, slow, string(b))

	path, ok := corpora.Optional(t, "allsides-abp/articles-2019.jsonl.gz")
	if !ok {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 16<<20)
	limit := 150
	if testing.Short() {
		limit = 40
	}
	fastPath := 0
	for n := 0; n < limit && sc.Scan(); n++ {
		var rec struct {
			Title string `json:"title"`
			Body  string `json:"content_original"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{rec.Title, rec.Body} {
			checkSame(t, fast, slow, text)
			if _, ok := scan([]byte(text)); ok {
				fastPath++
			}
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("%d texts took the fast path", fastPath)
}

func FuzzEnglishAnalyzer(f *testing.F) {
	for _, s := range []string{"Putin's U.S. talks, 3,000.5 a:b _x_ 1a", "Café ’s “q” —", "a.'b 1.,2 x__y"} {
		f.Add(s)
	}
	fast, slow := analyzers(f)
	f.Fuzz(func(t *testing.T, text string) {
		checkSame(t, fast, slow, text)
	})
}

func BenchmarkAnalyze(b *testing.B) {
	fast, slow := analyzers(b)
	raw, err := os.ReadFile(filepath.Join("..", "chunk", "testdata", "wikinews-youth-suicide.txt"))
	if err != nil {
		b.Fatal(err)
	}
	// Without its one zero-width joiner the article takes the fast path,
	// as 98% of AllSides titles and bodies do.
	text := bytes.ReplaceAll(raw, []byte("\u200d"), nil)
	if _, ok := scan(text); !ok {
		b.Fatal("benchmark text does not take the fast path")
	}
	for _, bc := range []struct {
		name string
		a    analysis.Analyzer
	}{{"en", slow}, {"newsdex_en", fast}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				bc.a.Analyze([]byte(text))
			}
		})
	}
}

// TestEnglishMatchesBleveRandom compares the analyzers on random strings
// over the characters the fast path handles, where the scanner's joining
// rules matter most.
func TestEnglishMatchesBleveRandom(t *testing.T) {
	fast, slow := analyzers(t)
	alphabet := []rune("aZs'S0 9._,;:’‘—“éÉßŸ\u00a0\n-")
	rng := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		r := make([]rune, rng.IntN(12))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		checkSame(t, fast, slow, string(r))
		if t.Failed() {
			return
		}
	}
}

// BenchmarkAnalyzeParallel analyses on every core at once, as Bleve's
// analysis workers do during a batch.
func BenchmarkAnalyzeParallel(b *testing.B) {
	fast, _ := analyzers(b)
	raw, err := os.ReadFile(filepath.Join("..", "chunk", "testdata", "wikinews-youth-suicide.txt"))
	if err != nil {
		b.Fatal(err)
	}
	text := bytes.ReplaceAll(raw, []byte("\u200d"), nil)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			fast.Analyze(bytes.Clone(text))
		}
	})
}
