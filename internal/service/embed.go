package service

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/vector"
)

// Embedder turns texts into L2-normalised vectors; embed.USE and
// embed.OpenAI implement it.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Name() string
}

// Embedding computes passage vectors at index time. Its Prepare fills each
// article's Embeddings before the batch is written. It reuses vectors the
// live generation already stores for the same article and text (matched by
// the hash of the embedded text), so re-indexing unchanged articles (and
// `newsdex reindex` from the stored articles) does no model work: during a
// rebuild the live generation is the cache of the one being built.
type Embedding struct {
	ix *index.Index
	m  Embedder
	// Computed and Reused count passages embedded by the model and taken
	// from the stored vectors.
	Computed, Reused atomic.Int64
}

// NewEmbedding returns the embedding step for writes to ix with m.
func NewEmbedding(ix *index.Index, m Embedder) *Embedding { return &Embedding{ix: ix, m: m} }

// Prepare embeds the passages of batch, in one call to the embedder (which
// spreads the work over the cores); identical texts in a batch (wire
// copies) are embedded once.
func (e *Embedding) Prepare(ctx context.Context, batch []newsdex.Article) error {
	model := e.m.Name()
	st, stored := e.ix.Vectors()
	cacheOK := stored == model
	var texts []string
	slot := map[string]int{} // text → index in texts
	type ref struct{ art, pass, text int }
	var todo []ref
	reused := 0
	for i := range batch {
		a := &batch[i]
		ts := index.EmbedTexts(a)
		vecs := make([][]float32, len(ts))
		var cached map[uint64]int
		var p vector.Packed
		if cacheOK {
			if got, ok := st.Get(a.ID); ok {
				p = got
				cached = make(map[uint64]int, p.Len())
				for j, h := range p.Hashes {
					cached[h] = j
				}
			}
		}
		for j, t := range ts {
			if k, ok := cached[vector.Hash(t)]; ok {
				vecs[j] = p.Float(k)
				reused++
				continue
			}
			k, ok := slot[t]
			if !ok {
				k = len(texts)
				slot[t] = k
				texts = append(texts, t)
			}
			todo = append(todo, ref{i, j, k})
		}
		a.Embeddings = nil
		if len(ts) > 0 {
			a.Embeddings = &newsdex.Embeddings{Model: model, Vectors: vecs}
		}
	}
	e.Reused.Add(int64(reused))
	if len(texts) == 0 {
		return nil
	}
	out, err := e.m.Embed(ctx, texts)
	if err != nil {
		return fmt.Errorf("embed %d passages: %w", len(texts), err)
	}
	if len(out) != len(texts) {
		return fmt.Errorf("embed %d passages: the model returned %d vectors", len(texts), len(out))
	}
	e.Computed.Add(int64(len(texts)))
	for _, r := range todo {
		batch[r.art].Embeddings.Vectors[r.pass] = out[r.text]
	}
	return nil
}

// Chain returns a Prepare step that runs each non-nil step in order.
func Chain(steps ...func(context.Context, []newsdex.Article) error) func(context.Context, []newsdex.Article) error {
	var live []func(context.Context, []newsdex.Article) error
	for _, s := range steps {
		if s != nil {
			live = append(live, s)
		}
	}
	switch len(live) {
	case 0:
		return nil
	case 1:
		return live[0]
	}
	return func(ctx context.Context, batch []newsdex.Article) error {
		for _, s := range live {
			if err := s(ctx, batch); err != nil {
				return err
			}
		}
		return nil
	}
}
