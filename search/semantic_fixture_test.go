package search_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/chunk"
	"github.com/newsdex/newsdex/embed"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/internal/testenv"
	"github.com/newsdex/newsdex/search"
	"github.com/newsdex/newsdex/vector"
)

// The semantic tests run on the entity gold set (66 Wikinews articles, CC BY
// 2.5, and the seed; extract/testdata/gold) with the vectors of the built-in
// model. Embedding ~400 passages under -race would take minutes, so the
// vectors of every text the tests embed are cached, int8-quantised, in
// testdata/paraphrase/embeddings.bin, made with the real model by
//
//	go test ./search -update
//
// (a run filtered by -run re-embeds the texts of the tests it runs and
// keeps the rest of the file). The vectors the tests use are always the
// int8-quantised ones, so an -update run ranks exactly as later runs do.
// When the weights are present, the tests check a sample of the cache
// against the model, and embed any text missing from it. Without the
// weights and without a cache entry, they skip (fail with CI=true).
var update = flag.Bool("update", false, "re-embed the semantic test texts with the model and rewrite testdata/paraphrase/embeddings.bin and testdata/golden/ranking.golden")

const (
	goldArticles = "../extract/testdata/gold/articles.jsonl"
	cacheFile    = "testdata/paraphrase/embeddings.bin"
	queriesFile  = "testdata/paraphrase/queries.json"
)

// paraphrase is one query of the paraphrase set: written without the
// target article's distinctive words.
type paraphrase struct {
	Query  string `json:"query"`
	Target string `json:"target"`
}

// extraQueries are the other query texts the semantic tests embed.
var extraQueries = []string{
	"Navalny", "poison", "Trump", "coronavirus", "impeachment", "fire", "Trump impeachment",
	"election campaign", "marathon", "space", "Xi Jinping Putin", "pipeline",
	"Trump Pelosi", "president", "virus", "attack", "Turkey Syria", "Kenya",
	"Navalny nerve agent", "Kremlin critic nerve agent", "Navalny poison",
	"first people launched into space by a private rocket company",
}

// cachedEmbedder serves embeddings from the test cache, falling back to the
// model for texts it lacks.
type cachedEmbedder struct {
	mu    sync.Mutex
	cache map[uint64][]float32
	model *embed.USE // nil when the weights are absent
	miss  []string
	// stored is the cache file's content during -update, when cache
	// starts empty so every text is embedded afresh. A run filtered by
	// -run or -skip keeps the stored texts it did not embed (see
	// writeCache).
	stored map[uint64][]float32
}

func (c *cachedEmbedder) Name() string { return embed.ModelVersion }

func (c *cachedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var missing []int
	c.mu.Lock()
	for i, t := range texts {
		if v, ok := c.cache[vector.Hash(t)]; ok {
			out[i] = v
		} else {
			missing = append(missing, i)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	if c.model == nil {
		c.mu.Lock()
		for _, i := range missing {
			c.miss = append(c.miss, texts[i])
		}
		c.mu.Unlock()
		return nil, errNotCached
	}
	ts := make([]string, len(missing))
	for j, i := range missing {
		ts[j] = texts[i]
	}
	vs, err := c.model.Embed(ctx, ts)
	if err != nil {
		return nil, err
	}
	// The cache stores int8 vectors; handing out the model's float32
	// ones would make an -update run rank differently from every later
	// run, which reads the cache.
	if vs, err = quantized(vs); err != nil {
		return nil, err
	}
	c.mu.Lock()
	for j, i := range missing {
		out[i] = vs[j]
		c.cache[vector.Hash(texts[i])] = vs[j]
	}
	c.mu.Unlock()
	return out, nil
}

var errNotCached = errors.New("text not in the embedding cache")

// quantized returns vs as the cache file stores them: int8-quantised and
// dequantised again.
func quantized(vs [][]float32) ([][]float32, error) {
	p, err := vector.Pack(vs, nil)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, p.Len())
	for i := range out {
		out[i] = p.Float(i)
	}
	return out, nil
}

// semanticFixture is the gold set indexed with vectors, and its engine.
type semanticFixture struct {
	ix      *index.Index
	emb     *cachedEmbedder
	eng     *search.Engine
	arts    map[string]newsdex.Article
	queries []paraphrase
}

var (
	fixtureOnce sync.Once
	fixtureEmb  *cachedEmbedder
	fixtureErr  error
)

// loadEmbedder reads the cache and the model (if present) once per test
// binary; with -update it embeds every text afresh.
func loadEmbedder(tb testing.TB) *cachedEmbedder {
	tb.Helper()
	fixtureOnce.Do(func() {
		c := &cachedEmbedder{cache: map[uint64][]float32{}}
		if m, err := embed.Load(embed.DefaultDir()); err == nil {
			c.model = m
		} else if !errors.Is(err, embed.ErrNoModel) {
			fixtureErr = err
			return
		}
		b, err := os.ReadFile(cacheFile)
		if err != nil && !os.IsNotExist(err) {
			fixtureErr = err
			return
		}
		stored := map[uint64][]float32{}
		if err == nil {
			p, err := vector.Decode(b)
			if err != nil {
				fixtureErr = fmt.Errorf("%s: %w", cacheFile, err)
				return
			}
			for i := range p.Len() {
				stored[p.Hashes[i]] = p.Float(i)
			}
		}
		switch {
		case !*update:
			c.cache = stored
		case c.model == nil:
			fixtureErr = fmt.Errorf("-update needs the model weights in %s (run `newsdex model fetch`)", embed.DefaultDir())
			return
		default:
			c.stored = stored
		}
		fixtureEmb = c
	})
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	return fixtureEmb
}

// skipOrFail skips a test that needs embeddings the cache lacks and the
// model cannot give (fails it under CI), and fails it on any other error.
func skipOrFail(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, errNotCached) {
		testenv.Missing(tb, fmt.Sprintf("model weights in %s for embeddings the cache lacks (%v)", embed.DefaultDir(), err),
			"run `make model` (scripts/fetch-model.sh) or `newsdex model fetch`, then `go test ./search -update`")
	}
	tb.Fatal(err)
}

func readGold(tb testing.TB) []newsdex.Article {
	tb.Helper()
	f, err := os.Open(goldArticles)
	if err != nil {
		tb.Fatalf("the semantic tests read the gold articles: %v", err)
	}
	defer f.Close()
	var arts []newsdex.Article
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		// The gold set writes dates as YYYY-MM-DD.
		var g struct {
			ID, Title, URL, Published, Outlet, Body, Language string
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			tb.Fatal(err)
		}
		pub, err := time.Parse(time.DateOnly, g.Published)
		if err != nil {
			tb.Fatalf("article %s: %v", g.ID, err)
		}
		a := newsdex.Article{ID: g.ID, Title: g.Title, URL: g.URL, Published: pub, Outlet: g.Outlet, Body: g.Body, Language: g.Language}
		a.Passages = chunk.Split(a.Body, chunk.Options{})
		arts = append(arts, a)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return arts
}

func readQueries(tb testing.TB) []paraphrase {
	tb.Helper()
	b, err := os.ReadFile(queriesFile)
	if err != nil {
		tb.Fatal(err)
	}
	var qs []paraphrase
	if err := json.Unmarshal(b, &qs); err != nil {
		tb.Fatalf("%s: %v", queriesFile, err)
	}
	return qs
}

// embedArticles sets the articles' Embeddings from emb.
func embedArticles(ctx context.Context, emb *cachedEmbedder, arts []newsdex.Article) error {
	for i := range arts {
		texts := index.EmbedTexts(&arts[i])
		vs, err := emb.Embed(ctx, texts)
		if err != nil {
			return err
		}
		arts[i].Embeddings = &newsdex.Embeddings{Model: emb.Name(), Vectors: vs}
	}
	return nil
}

var (
	sharedOnce sync.Once
	shared     *semanticFixture
	sharedDir  string
)

// TestMain removes the shared fixture's index after the tests.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if *update && fixtureEmb != nil && code == 0 {
		if err := writeCache(fixtureEmb, testsFiltered()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	if shared != nil {
		shared.ix.Close()
		os.RemoveAll(sharedDir)
	}
	if counts != nil {
		counts.close()
	}
	if countsDir != "" {
		os.RemoveAll(countsDir)
	}
	os.Exit(code)
}

// newSemanticFixture returns the gold articles indexed with vectors in a
// temporary index, built once and shared by the tests (which must leave it
// as they found it).
func newSemanticFixture(tb testing.TB) *semanticFixture {
	tb.Helper()
	var err error
	sharedOnce.Do(func() {
		sharedDir, err = os.MkdirTemp("", "newsdex-semantic-")
		if err == nil {
			shared, err = buildFixture(tb, filepath.Join(sharedDir, "ix"))
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	if shared == nil {
		testenv.Missing(tb, "the semantic fixture", "see the first semantic test's message")
	}
	return shared
}

func buildFixture(tb testing.TB, dir string) (*semanticFixture, error) {
	tb.Helper()
	ctx := context.Background()
	emb := loadEmbedder(tb)
	arts := readGold(tb)
	if err := embedArticles(ctx, emb, arts); err != nil {
		skipOrFail(tb, err)
	}
	qs := readQueries(tb)
	texts := slices.Clone(extraQueries)
	for _, q := range qs {
		texts = append(texts, q.Query)
	}
	// The ranking golden's queries, as the engine embeds them, so that
	// any -update run keeps them in the cache.
	for _, q := range readGoldenQueries(tb) {
		text, err := search.QueryEmbedText(q.Query)
		if err != nil {
			tb.Fatalf("%s: %q: %v", goldenQueriesFile, q.Query, err)
		}
		if text != "" {
			texts = append(texts, text)
		}
	}
	if _, err := emb.Embed(ctx, texts); err != nil {
		skipOrFail(tb, err)
	}
	checkCacheAgainstModel(tb, emb, arts, qs)
	ix, err := index.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := ix.Add(ctx, arts); err != nil {
		ix.Close()
		return nil, err
	}
	eng, err := search.New(ix, search.WithEmbedder(emb))
	if err != nil {
		ix.Close()
		return nil, err
	}
	byID := map[string]newsdex.Article{}
	for _, a := range arts {
		byID[a.ID] = a
	}
	return &semanticFixture{ix: ix, eng: eng, emb: emb, arts: byID, queries: qs}, nil
}

// testsFiltered reports whether -run or -skip chose some of the tests.
func testsFiltered() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return true
		}
	}
	return false
}

// writeCache rewrites the cache with every text embedded by the tests. When
// only some tests ran (filtered), it also keeps the stored vectors of the
// texts they did not embed, which the other tests need; a run of all the
// tests drops the texts no test embeds any more.
func writeCache(emb *cachedEmbedder, filtered bool) error {
	emb.mu.Lock()
	defer emb.mu.Unlock()
	all := emb.cache
	if filtered {
		all = maps.Clone(emb.stored)
		maps.Copy(all, emb.cache)
	}
	hashes := slices.Sorted(maps.Keys(all))
	vecs := make([][]float32, len(hashes))
	for i, h := range hashes {
		vecs[i] = all[h]
	}
	p, err := vector.Pack(vecs, hashes)
	if err != nil {
		return err
	}
	b, err := vector.Encode(p)
	if err != nil {
		return err
	}
	if err := os.WriteFile(cacheFile, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %d embeddings to %s (%d embedded by this run)\n", len(hashes), cacheFile, len(emb.cache))
	return nil
}

var checkOnce sync.Once

// checkCacheAgainstModel embeds a few cached texts with the model (when it
// is present) and requires the cached vectors to agree: a stale cache would
// make the tests measure another model.
func checkCacheAgainstModel(tb testing.TB, emb *cachedEmbedder, arts []newsdex.Article, qs []paraphrase) {
	if emb.model == nil {
		return
	}
	checkOnce.Do(func() {
		texts := []string{qs[0].Query, qs[len(qs)/2].Query, index.EmbedTexts(&arts[1])[0], index.EmbedTexts(&arts[len(arts)/2])[0]}
		got, err := emb.model.Embed(context.Background(), texts)
		if err != nil {
			tb.Fatal(err)
		}
		for i, t := range texts {
			cached := emb.cache[vector.Hash(t)]
			var dot float64
			for j := range cached {
				dot += float64(cached[j]) * float64(got[i][j])
			}
			if math.Abs(dot-1) > 1e-3 {
				tb.Fatalf("cached embedding of %q differs from the model's (cosine %.5f): run go test ./search -update", t, dot)
			}
		}
	})
}
