package service

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

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
//
// An article the embedder fails on is still indexed, for lexical search,
// marked as missing its vectors (newsdex.Embeddings.Missing): an outage of
// an embedding server must not stop an import. Fill computes them later.
type Embedding struct {
	ix *index.Index
	m  Embedder
	// Log, if set, gets a warning for each batch with articles left
	// without vectors.
	Log *slog.Logger
	// Computed and Reused count passages embedded by the model and taken
	// from the stored vectors; Missing counts articles left without
	// vectors because the embedder failed, Deferred those Defer left
	// without them for a Background to compute.
	Computed, Reused, Missing, Deferred atomic.Int64
}

// NewEmbedding returns the embedding step for writes to ix with m.
func NewEmbedding(ix *index.Index, m Embedder) *Embedding { return &Embedding{ix: ix, m: m} }

// maxFailedCalls is how many calls in a row may fail, after the call for a
// whole batch failed, before the rest of the batch is given up: one
// article the embedder refuses costs a call per article of its batch,
// while an outage costs a few calls per batch, not thousands.
const maxFailedCalls = 3

// embedRef places one text to embed: passage pass of article art, whose
// text is texts[text].
type embedRef struct{ art, pass, text int }

// Prepare embeds the passages of batch, in one call to the embedder (which
// spreads the work over the cores); identical texts in a batch (wire
// copies) are embedded once. If that call fails, each article's passages
// are embedded on their own and the articles that still fail are marked
// missing. It returns an error only when ctx ends.
func (e *Embedding) Prepare(ctx context.Context, batch []newsdex.Article) error {
	return e.prepare(ctx, batch, true)
}

// Defer is Prepare without model work, the step of writes whose vectors a
// Background computes: each article takes the vectors the live generation
// already stores for its texts when it has them all, and is otherwise
// marked as missing its vectors (newsdex.Embeddings.Missing), to be written
// for lexical search at once. It returns no error.
func (e *Embedding) Defer(ctx context.Context, batch []newsdex.Article) error {
	return e.prepare(ctx, batch, false)
}

// prepare is Prepare when compute, else Defer.
func (e *Embedding) prepare(ctx context.Context, batch []newsdex.Article, compute bool) error {
	model := e.m.Name()
	st, stored := e.ix.Vectors()
	cacheOK := stored == model
	var texts []string
	slot := map[string]int{} // text → index in texts
	var todo []embedRef
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
			todo = append(todo, embedRef{i, j, k})
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
	if !compute {
		deferred := 0
		for i, r := range todo {
			if i > 0 && todo[i-1].art == r.art {
				continue
			}
			a := &batch[r.art]
			a.Embeddings = &newsdex.Embeddings{Model: model, Missing: true}
			deferred++
		}
		e.Deferred.Add(int64(deferred))
		return nil
	}
	out, err := e.embed(ctx, texts)
	if err == nil {
		for _, r := range todo {
			batch[r.art].Embeddings.Vectors[r.pass] = out[r.text]
		}
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("embed %d passages: %w", len(texts), ctx.Err())
	}
	return e.onePerCall(ctx, batch, todo, texts, err)
}

// embed calls the model and checks that it returned a vector per text.
func (e *Embedding) embed(ctx context.Context, texts []string) ([][]float32, error) {
	out, err := e.m.Embed(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("embed %d passages: %w", len(texts), err)
	}
	if len(out) != len(texts) {
		return nil, fmt.Errorf("embed %d passages: the model returned %d vectors", len(texts), len(out))
	}
	e.Computed.Add(int64(len(texts)))
	return out, nil
}

// onePerCall embeds the passages of each article of batch that todo lists
// in a call of its own, after the call for the whole batch failed with
// first; articles whose call fails, or that come after maxFailedCalls
// failures in a row, are marked missing.
func (e *Embedding) onePerCall(ctx context.Context, batch []newsdex.Article, todo []embedRef, texts []string, first error) error {
	failed, inARow := 0, 0
	lastErr := first
	for start := 0; start < len(todo); {
		art := todo[start].art
		end := start
		for end < len(todo) && todo[end].art == art {
			end++
		}
		refs := todo[start:end]
		start = end
		a := &batch[art]
		if inARow < maxFailedCalls {
			ts := make([]string, len(refs))
			for i, r := range refs {
				ts[i] = texts[r.text]
			}
			out, err := e.embed(ctx, ts)
			if err == nil {
				inARow = 0
				for i, r := range refs {
					a.Embeddings.Vectors[r.pass] = out[i]
				}
				continue
			}
			if ctx.Err() != nil {
				return fmt.Errorf("embed article %q: %w", a.ID, ctx.Err())
			}
			inARow++
			lastErr = fmt.Errorf("article %q: %w", a.ID, err)
		}
		a.Embeddings = &newsdex.Embeddings{Model: a.Embeddings.Model, Missing: true}
		failed++
	}
	e.Missing.Add(int64(failed))
	if e.Log != nil && failed > 0 {
		e.Log.Warn("embedding failed: articles indexed without passage vectors (lexical search only)",
			"articles", failed, "batch", len(batch), "err", lastErr,
			"fix", "once the embedder works, run `newsdex reindex --fill-vectors`")
	}
	return nil
}

// FillResult reports a Fill.
type FillResult struct {
	// Filled counts the articles that got their vectors; Missing those
	// the embedder failed on again, which stay marked.
	Filled  int     `json:"filled"`
	Missing int     `json:"missing"`
	Seconds float64 `json:"seconds"`
}

// fillPage is the number of articles Fill embeds and writes at a time.
const fillPage = 200

// Fill computes the passage vectors of the articles of the live generation
// that were indexed without them (the embedder failed on them) and writes
// them back in place, each article otherwise unchanged; progress, if not
// nil, gets the running count of articles done. It must not run while
// other writers change the same articles (the command line runs it only
// when no server holds the index).
func (e *Embedding) Fill(ctx context.Context, progress func(int)) (FillResult, error) {
	start := time.Now()
	var res FillResult
	after := ""
	for {
		arts, err := e.ix.WithoutVectors(ctx, after, fillPage)
		if err != nil {
			return res, err
		}
		if len(arts) == 0 {
			break
		}
		// Articles that fail again keep their mark and sort before the
		// next page: go on after the last id seen.
		after = arts[len(arts)-1].ID
		if err := e.Prepare(ctx, arts); err != nil {
			return res, err
		}
		if err := e.ix.Add(ctx, arts); err != nil {
			return res, fmt.Errorf("fill vectors: %w", err)
		}
		failed := 0
		for i := range arts {
			if em := arts[i].Embeddings; em != nil && em.Missing {
				failed++
			}
		}
		res.Missing += failed
		res.Filled += len(arts) - failed
		if progress != nil {
			progress(res.Filled + res.Missing)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
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
