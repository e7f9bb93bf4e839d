package service_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"path/filepath"
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
