package service_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/vector"
)

// fakeEmbedder gives each text a pseudo-random unit vector derived from its
// hash, and counts the texts it embeds.
type fakeEmbedder struct{ texts atomic.Int64 }

func (f *fakeEmbedder) Name() string { return "fake" }

func (f *fakeEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	f.texts.Add(int64(len(texts)))
	out := make([][]float32, len(texts))
	for i, t := range texts {
		h := fnv.New64a()
		io.WriteString(h, t)
		s := h.Sum64()
		v := make([]float32, 16)
		for j := range v {
			s = s*6364136223846793005 + 1442695040888963407
			v[j] = float32(int64(s>>33)%1000) / 1000
		}
		out[i] = vector.Normalize(v)
	}
	return out, nil
}

func source(arts []newsdex.Article) func(context.Context, func(newsdex.Article) error) error {
	return func(ctx context.Context, emit func(newsdex.Article) error) error {
		for _, a := range arts {
			if err := emit(a); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestEmbeddingReusesStoredVectors(t *testing.T) {
	ctx := context.Background()
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	svc := service.New(ix, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	fake := &fakeEmbedder{}
	emb := service.NewEmbedding(ix, fake)
	svc.Prepare = service.Chain(nil, emb.Prepare)
	var arts []newsdex.Article
	for i := range 30 {
		body := fmt.Sprintf("Story %d begins here. It has a second sentence about talks.", i)
		if i%10 == 9 {
			body = arts[0].Body // a wire copy: the same text under another id
		}
		arts = append(arts, newsdex.Article{ID: fmt.Sprint("a", i), Title: "Same title", Body: body})
	}
	if _, err := svc.Ingest(ctx, source(arts), nil); err != nil {
		t.Fatal(err)
	}
	first := fake.texts.Load()
	if first != 27 {
		t.Errorf("first indexing embedded %d texts, want 27 (30 articles, 3 copies of the first)", first)
	}
	st, model := ix.Vectors()
	if n, _ := st.Len(); n != 30 || model != "fake" {
		t.Fatalf("store holds %d docs of %q", n, model)
	}

	// Rebuild from the stored articles: no model work at all.
	if _, err := svc.Rebuild(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	if n := fake.texts.Load(); n != first {
		t.Errorf("rebuild embedded %d texts, want 0", n-first)
	}
	if emb.Reused.Load() != 30 {
		t.Errorf("reused %d passages, want 30", emb.Reused.Load())
	}
	st, _ = ix.Vectors()
	if n, _ := st.Len(); n != 30 {
		t.Fatalf("rebuilt store holds %d docs", n)
	}

	// Re-adding with one article changed embeds only that one.
	arts[3].Body = "A wholly new text."
	if _, err := svc.Put(ctx, arts[:5]); err != nil {
		t.Fatal(err)
	}
	if n := fake.texts.Load() - first; n != 1 {
		t.Errorf("re-adding 5 articles with 1 changed embedded %d texts, want 1", n)
	}
}

// flakyEmbedder is fakeEmbedder behind an embedding server that can fail:
// a call fails while down is set, or when one of its texts contains
// poison (a text the server refuses), as long as poison is not "".
type flakyEmbedder struct {
	fakeEmbedder
	down   atomic.Bool
	poison atomic.Pointer[string]
	calls  atomic.Int64
}

func (f *flakyEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	f.calls.Add(1)
	if f.down.Load() {
		return nil, errors.New("connection refused")
	}
	if p := f.poison.Load(); p != nil && *p != "" {
		for _, t := range texts {
			if strings.Contains(t, *p) {
				return nil, fmt.Errorf("400 Bad Request: input %q refused", t)
			}
		}
	}
	return f.fakeEmbedder.Embed(ctx, texts)
}

// missing returns the articles_missing_vectors of ix's stats.
func missing(t *testing.T, ix *index.Index) uint64 {
	t.Helper()
	st, err := ix.Stat(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.MissingVectors
}

func TestEmbeddingFailureIndexesLexically(t *testing.T) {
	ctx := context.Background()
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	svc := service.New(ix, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := svc.EnableDups(ctx); err != nil {
		t.Fatal(err)
	}
	flaky := &flakyEmbedder{}
	poison := "POISON"
	flaky.poison.Store(&poison)
	emb := service.NewEmbedding(ix, flaky)
	svc.Prepare = emb.Prepare
	var arts []newsdex.Article
	for i := range 30 {
		body := fmt.Sprintf("Story %d begins here. It has a second sentence about pipeline talks in the capital.", i)
		if i%10 == 4 {
			body = fmt.Sprintf("Story %d is POISON to the embedding server. It still speaks of pipeline talks.", i)
		}
		arts = append(arts, newsdex.Article{ID: fmt.Sprint("a", i), Title: fmt.Sprint("Title ", i), Body: body})
	}
	svc.BatchSize = 10
	sum, err := svc.Ingest(ctx, source(arts), nil)
	if err != nil {
		t.Fatalf("Ingest with 3 articles the embedder refuses: %v, want the import to complete", err)
	}
	if sum.Indexed != 30 {
		t.Errorf("indexed %d articles, want 30", sum.Indexed)
	}
	if n := missing(t, ix); n != 3 {
		t.Errorf("after the import: %d articles missing vectors, want 3 (the poisoned ones)", n)
	}
	st, _ := ix.Vectors()
	if n, _ := st.Len(); n != 27 {
		t.Errorf("vector store holds %d articles, want 27", n)
	}
	for _, id := range []string{"a4", "a14", "a24"} {
		if _, ok := st.Get(id); ok {
			t.Errorf("%s has vectors, want none", id)
		}
		if a, err := ix.Get(id); err != nil || !strings.Contains(a.Body, "POISON") {
			t.Errorf("%s is not indexed lexically: %v", id, err)
		}
	}

	// An outage: every call fails, and a Put still indexes its articles.
	flaky.down.Store(true)
	more := []newsdex.Article{
		{ID: "b1", Title: "Outage one", Body: "Written while the embedding server was down."},
		{ID: "b2", Title: "Outage two", Body: "Also written while the embedding server was down."},
	}
	if _, err := svc.Put(ctx, more); err != nil {
		t.Fatalf("Put during an embedder outage: %v", err)
	}
	if n := missing(t, ix); n != 5 {
		t.Errorf("after the outage: %d articles missing vectors, want 5", n)
	}
	var sigs int
	countSigs := func() int {
		n := 0
		if err := ix.ScanDups(ctx, func(string, string, []byte) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	sigs = countSigs()

	// Still down: the fill step leaves them marked and says so.
	res, err := emb.Fill(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Filled != 0 || res.Missing != 5 {
		t.Errorf("Fill during the outage: %+v, want 0 filled, 5 missing", res)
	}

	// The server is back and accepts every text: Fill computes them all.
	flaky.down.Store(false)
	flaky.poison.Store(new(string))
	res, err = emb.Fill(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Filled != 5 || res.Missing != 0 {
		t.Errorf("Fill: %+v, want 5 filled, 0 missing", res)
	}
	if n := missing(t, ix); n != 0 {
		t.Errorf("after Fill: %d articles missing vectors, want 0", n)
	}
	st, _ = ix.Vectors()
	if n, _ := st.Len(); n != 32 {
		t.Errorf("after Fill the vector store holds %d articles, want 32", n)
	}
	if got := countSigs(); got != sigs {
		t.Errorf("after Fill %d articles have a dedup signature, want %d as before", got, sigs)
	}
	if a, err := ix.Get("a14"); err != nil || a.Title != "Title 14" || len(a.Passages) == 0 {
		t.Errorf("a14 after Fill: %+v, %v", a, err)
	}
}

func TestRebuildFillsMissingVectors(t *testing.T) {
	ctx := context.Background()
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	svc := service.New(ix, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	flaky := &flakyEmbedder{}
	flaky.down.Store(true)
	svc.Prepare = service.NewEmbedding(ix, flaky).Prepare
	arts := []newsdex.Article{
		{ID: "x1", Title: "One", Body: "The first story of the outage."},
		{ID: "x2", Title: "Two", Body: "The second story of the outage."},
	}
	if _, err := svc.Ingest(ctx, source(arts), nil); err != nil {
		t.Fatalf("Ingest during an outage: %v", err)
	}
	if n := missing(t, ix); n != 2 {
		t.Fatalf("%d articles missing vectors, want 2", n)
	}
	flaky.down.Store(false)
	if _, err := svc.Rebuild(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	if n := missing(t, ix); n != 0 {
		t.Errorf("after reindex %d articles missing vectors, want 0", n)
	}
	if st, model := ix.Vectors(); model != "fake" {
		t.Errorf("after reindex the vectors are of model %q, want fake", model)
	} else if n, _ := st.Len(); n != 2 {
		t.Errorf("after reindex the store holds %d articles, want 2", n)
	}
}

func TestEmbeddingOutageIsolatesFewCalls(t *testing.T) {
	// During an outage a batch must not cost a failing call per article.
	ctx := context.Background()
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	flaky := &flakyEmbedder{}
	flaky.down.Store(true)
	emb := service.NewEmbedding(ix, flaky)
	batch := make([]newsdex.Article, 50)
	for i := range batch {
		batch[i] = newsdex.Article{ID: fmt.Sprint(i), Body: fmt.Sprintf("Story %d.", i), Passages: []newsdex.Passage{{Start: 0, End: len(fmt.Sprintf("Story %d.", i))}}}
	}
	if err := emb.Prepare(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if n := flaky.calls.Load(); n > 5 {
		t.Errorf("%d embedder calls for one batch during an outage, want at most 5", n)
	}
	for _, a := range batch {
		if a.Embeddings == nil || !a.Embeddings.Missing || a.Embeddings.Vectors != nil {
			t.Fatalf("article %s: embeddings %+v, want marked missing", a.ID, a.Embeddings)
		}
	}
	if n := emb.Missing.Load(); n != 50 {
		t.Errorf("Missing = %d, want 50", n)
	}
	// A cancelled run is not an embedding failure: Prepare says so.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := emb.Prepare(cctx, batch); !errors.Is(err, context.Canceled) {
		t.Errorf("Prepare with a cancelled context = %v, want context.Canceled", err)
	}
}
