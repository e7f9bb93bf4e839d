package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/search"
	"github.com/newsdex/newsdex/vector"
)

// heldEmbedder is fakeEmbedder whose calls wait until release is closed;
// entered gets a value as each call starts waiting.
type heldEmbedder struct {
	fakeEmbedder
	entered chan struct{}
	release chan struct{}
}

func newHeld() *heldEmbedder {
	return &heldEmbedder{entered: make(chan struct{}, 100), release: make(chan struct{})}
}

func (h *heldEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	h.entered <- struct{}{}
	select {
	case <-h.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return h.fakeEmbedder.Embed(ctx, texts)
}

// storyArticles returns n articles, each with a word of its own ("zebraN").
func storyArticles(n int) []newsdex.Article {
	arts := make([]newsdex.Article, n)
	for i := range arts {
		arts[i] = newsdex.Article{ID: fmt.Sprint("bg", i), Title: fmt.Sprint("Story ", i),
			Body: fmt.Sprintf("The council met about zebra%d on Monday. It voted on the budget.", i)}
	}
	return arts
}

// behind opens a service on dir that embeds behind its writes with m, and
// runs its background embedder until the test ends.
func behind(t *testing.T, dir string, m service.Embedder, run bool) (*index.Index, *service.Service, *service.Background) {
	t.Helper()
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(ix, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	bg := svc.EmbedBehind(service.NewEmbedding(ix, m))
	if !run {
		return ix, svc, bg
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bg.Run(ctx) }()
	// The embedder stops before the index closes.
	t.Cleanup(func() {
		cancel()
		<-done
		ix.Close()
	})
	return ix, svc, bg
}

// waitVectors waits, with a deadline, for bg to pass over every write.
func waitVectors(t *testing.T, bg *service.Background) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	failed, err := bg.Wait(ctx)
	if err != nil || failed != 0 {
		t.Fatalf("background embedding: %d failed, err %v", failed, err)
	}
}

// vectorsMatch checks that id's stored vectors are those of its texts now.
func vectorsMatch(t *testing.T, ix *index.Index, id string) {
	t.Helper()
	a, err := ix.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := ix.Vectors()
	p, ok := st.Get(id)
	if !ok {
		t.Fatalf("%s has no vectors", id)
	}
	texts := index.EmbedTexts(&a)
	if p.Len() != len(texts) {
		t.Fatalf("%s: %d vectors for %d passages", id, p.Len(), len(texts))
	}
	for i, tx := range texts {
		if p.Hashes[i] != vector.Hash(tx) {
			t.Errorf("%s: vector %d is not of its text %q", id, i, tx)
		}
	}
}

func TestBackgroundEmbeddingSearchableFirst(t *testing.T) {
	ctx := context.Background()
	held := newHeld()
	ix, svc, bg := behind(t, filepath.Join(t.TempDir(), "ix"), held, true)
	eng, err := search.New(ix)
	if err != nil {
		t.Fatal(err)
	}
	arts := storyArticles(30)
	if _, err := svc.Ingest(ctx, source(arts), nil); err != nil {
		t.Fatal(err)
	}
	// The model is held: nothing can have vectors yet, and everything
	// must be found lexically.
	<-held.entered
	res, err := eng.Search(ctx, search.Request{Query: "zebra7", Mode: search.ModeLexical})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].ID != "bg7" {
		t.Fatalf("lexical search before the vectors: total %d, hits %v", res.Total, res.Hits)
	}
	if n := missing(t, ix); n != 30 {
		t.Errorf("%d articles marked missing vectors while the model works, want 30", n)
	}
	if n, err := bg.Pending(ctx); err != nil || n != 30 {
		t.Errorf("Pending = %d, %v; want 30", n, err)
	}
	st, _ := ix.Vectors()
	if n, _ := st.Len(); n != 0 {
		t.Errorf("%d articles have vectors while the model is held", n)
	}

	// A write while the page is being embedded: the newer version must
	// win, and get vectors of its own text.
	newer := storyArticles(1)[0]
	newer.ID = "bg3"
	newer.Body = "A rewritten story about giraffes. Nothing else is the same."
	if _, err := svc.Put(ctx, []newsdex.Article{newer}); err != nil {
		t.Fatal(err)
	}
	close(held.release)
	waitVectors(t, bg)

	if n := missing(t, ix); n != 0 {
		t.Errorf("%d articles still missing vectors after the background pass", n)
	}
	st, model := ix.Vectors()
	if n, _ := st.Len(); n != 30 || model != "fake" {
		t.Errorf("store holds %d docs of %q, want 30 of fake", n, model)
	}
	got, err := ix.Get("bg3")
	if err != nil {
		t.Fatal(err)
	}
	if got.Body != newer.Body {
		t.Errorf("bg3 was overwritten by its older version: %q", got.Body)
	}
	for _, id := range []string{"bg0", "bg3", "bg29"} {
		vectorsMatch(t, ix, id)
	}
	if n, err := bg.Pending(ctx); err != nil || n != 0 {
		t.Errorf("Pending = %d, %v; want 0", n, err)
	}
}

func TestBackgroundEmbeddingResumesAfterRestart(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ix")
	fake := &fakeEmbedder{}
	// First process: writes, then stops before its embedder ran.
	ix, svc, _ := behind(t, dir, fake, false)
	if _, err := svc.Ingest(ctx, source(storyArticles(25)), nil); err != nil {
		t.Fatal(err)
	}
	if n := missing(t, ix); n != 25 {
		t.Fatalf("%d articles marked missing vectors, want 25", n)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if fake.texts.Load() != 0 {
		t.Fatalf("the model embedded %d texts in the foreground", fake.texts.Load())
	}

	// Next start: the first pass finds them with no write at all.
	ix, _, bg := behind(t, dir, fake, true)
	waitVectors(t, bg)
	if n := missing(t, ix); n != 0 {
		t.Errorf("%d articles still missing vectors after the restart", n)
	}
	st, _ := ix.Vectors()
	if n, _ := st.Len(); n != 25 {
		t.Errorf("store after restart holds %d articles, want 25", n)
	}
	vectorsMatch(t, ix, "bg12")
}

func TestBackgroundRebuildEmbedsBeforeSwitch(t *testing.T) {
	ctx := context.Background()
	fake := &fakeEmbedder{}
	ix, svc, bg := behind(t, filepath.Join(t.TempDir(), "ix"), fake, true)
	if _, err := svc.Ingest(ctx, source(storyArticles(10)), nil); err != nil {
		t.Fatal(err)
	}
	waitVectors(t, bg)
	before := fake.texts.Load()
	// A rebuild embeds (here: reuses) before it writes: the new generation
	// is complete when it goes live.
	if _, err := svc.Rebuild(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	if n := missing(t, ix); n != 0 {
		t.Errorf("%d articles missing vectors right after the rebuild", n)
	}
	if n := fake.texts.Load() - before; n != 0 {
		t.Errorf("the rebuild embedded %d texts, want 0 (all stored)", n)
	}
}
