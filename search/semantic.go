package search

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/newsdex/newsdex/vector"
)

// ErrNoEmbeddings is returned for a semantic or hybrid request on an index
// built without embeddings, or when no embedder is configured. The API
// answers it with 400 and the message.
var ErrNoEmbeddings = errors.New("search: semantic search needs passage embeddings: fetch the model with `newsdex model fetch` and rebuild with `newsdex reindex` (indexes built with --embed=false are lexical-only)")

// Semantic ranking parameters. They are fixed for the model, not tuned to
// any query set's individual queries.
const (
	// MaxRanked is the depth of the vector and lexical rankings that
	// semantic and hybrid modes rank and page through.
	MaxRanked = 1000
	// MinSimilarity is the cosine similarity a passage needs for its
	// article to be a semantic candidate of a plain query.
	MinSimilarity = 0.25
	// MinCandidates is how many of the nearest articles are candidates
	// even below MinSimilarity.
	MinCandidates = 100
	// LexicalWeight is the share of the lexical score in a hybrid score
	// (see combine); the cosine similarity has the rest. Measured on every
	// dev collection of newsdex eval together (docs/RELEVANCE.md): 0.2
	// gave the best mean, and no collection below the better of lexical
	// and semantic by more than 0.01.
	LexicalWeight = 0.2
	// FloorMin and FloorBand make a query's similarity floor (see
	// similarityFloor): the cosine a passage needs for its article to be
	// in semantic mode's set, or a semantic neighbour in a hybrid list.
	// Measured with newsdex eval --floor (docs/RELEVANCE.md, "Relative
	// floor"): on TIME-1963, whose judgments are complete, the sets hold
	// 6.7 articles per query, a third relevant (mean precision 0.33,
	// recall 0.45), and no query of any collection, two-word variants
	// included, is left with an empty set. A fixed floor of 0.65 left
	// every one-word query of the Wikinews fixture with nothing.
	FloorMin  = 0.20
	FloorBand = 0.05
	// MaxSemantic caps semantic mode's hit set.
	MaxSemantic = MaxRanked
	// nearDuplicate is the article-to-article similarity (of passage
	// centroids) above which more-like-this treats a hit as a copy of the
	// article itself.
	nearDuplicate = 0.95
)

// QueryEmbedder turns query texts into vectors of the model the index's
// passage vectors come from; embed.USE and embed.OpenAI implement it.
type QueryEmbedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Name() string
}

// Option configures an Engine.
type Option func(*Engine)

// WithEmbedder enables semantic and hybrid search, with m embedding the
// queries. Without it those modes fail with ErrNoEmbeddings (more-like-this
// works without it: it needs only the stored vectors).
func WithEmbedder(m QueryEmbedder) Option {
	return func(e *Engine) { e.sem = &semantic{m: m, cache: map[string][]float32{}} }
}

// semantic is the engine's query embedder with a small cache, so paging
// through results does not embed the same query again.
type semantic struct {
	m     QueryEmbedder
	mu    sync.Mutex
	cache map[string][]float32
}

const queryCacheSize = 1024

func (s *semantic) embed(ctx context.Context, text string) ([]float32, error) {
	s.mu.Lock()
	v, ok := s.cache[text]
	s.mu.Unlock()
	if ok {
		return v, nil
	}
	out, err := s.m.Embed(ctx, []string{text})
	if err != nil {
		return nil, fmt.Errorf("search: embed query %q: %w", text, err)
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("search: embed query %q: got %d vectors", text, len(out))
	}
	s.mu.Lock()
	if len(s.cache) >= queryCacheSize {
		clear(s.cache)
	}
	s.cache[text] = out[0]
	s.mu.Unlock()
	return out[0], nil
}

// vectorSource is what the engine needs from an index for semantic
// search; *index.Index implements it.
type vectorSource interface {
	Vectors() (*vector.Store, string)
}

// vectors returns the live generation's vector store and model, or an empty
// store.
func (e *Engine) vectors() (*vector.Store, string) {
	if vs, ok := e.src.(vectorSource); ok {
		if st, model := vs.Vectors(); st != nil {
			return st, model
		}
	}
	return vector.New(), ""
}

// HasEmbeddings reports whether semantic and hybrid search are available:
// the index holds passage vectors and queries can be embedded with their
// model.
func (e *Engine) HasEmbeddings() bool { return e.checkSemantic() == nil }

func (e *Engine) checkSemantic() error {
	st, model := e.vectors()
	if n, _ := st.Len(); n == 0 || model == "" {
		return fmt.Errorf("search: the index holds no passage vectors (built with --embed=false, or before the model was fetched): %w", ErrNoEmbeddings)
	}
	if e.sem == nil {
		return fmt.Errorf("search: no query embedder (the model weights are not loaded): %w", ErrNoEmbeddings)
	}
	if m := e.sem.m.Name(); m != model {
		return fmt.Errorf("search: the index's vectors come from model %q, queries would be embedded with %q: %w", model, m, ErrNoEmbeddings)
	}
	return nil
}
