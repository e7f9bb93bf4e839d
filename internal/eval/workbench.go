package eval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/search"
)

// Depth is how deep every system's ranking is cut in the workbench: MAP
// and recall are at 100 for newsdex and the peer (its --k) alike.
const Depth = 100

// Extractor fills an article's entities; extract.Extractor implements it.
type Extractor interface {
	Extract(a *newsdex.Article)
}

// Options configures Measure.
type Options struct {
	// Modes are the search modes to rank with (lexical, semantic,
	// hybrid).
	Modes []string
	// Extractor is the entity extractor of the indexing pipeline.
	Extractor Extractor
	// Embedder embeds passages and queries; nil leaves the index without
	// vectors, and semantic and hybrid are reported as skipped.
	Embedder Embedder
	// Peer, if set, is run on the same documents and queries.
	Peer *Peer
	// TempDir holds the collection's index and the peer's input; ""
	// means the system's temporary folder. It is removed afterwards.
	TempDir string
	// Log receives the pipeline's warnings; nil discards them.
	Log *slog.Logger
}

// Result is one collection measured: every system's scores and timings.
type Result struct {
	Collection string `json:"collection"`
	About      string `json:"about"`
	// Primary names the metric the collection is judged by.
	Primary string `json:"primary"`
	Docs    int    `json:"docs"`
	Queries int    `json:"queries"`
	// Systems maps "peer" and each mode to its scores.
	Systems map[string]Scores `json:"systems"`
	// Skipped maps a system that could not run to why (no model, no
	// python3).
	Skipped map[string]string `json:"skipped,omitempty"`
	Timings Timings           `json:"timings"`
}

// Timings are the wall-clock seconds of each step of a collection's run.
type Timings struct {
	Load  float64 `json:"load_s"`
	Index float64 `json:"index_s"`
	// Embedded and Cached count the texts the model embedded and those the
	// embedding cache served, while indexing and ranking.
	Embedded int64              `json:"embedded"`
	Cached   int64              `json:"cached"`
	Rank     map[string]float64 `json:"rank_s"`
	Peer     float64            `json:"peer_s"`
}

// Score returns system's score by the collection's primary metric and
// whether the system ran.
func (r *Result) Score(system string) (float64, bool) {
	s, ok := r.Systems[system]
	return s.Metric(r.Primary), ok
}

// Measure indexes c through the same pipeline as `newsdex index` (entity
// extraction, chunking, passage embedding, wire-copy detection) in a fresh
// temporary index, ranks every query in each mode to Depth, runs the peer
// on the same documents and queries, and scores them all. A mode that
// needs embeddings the setup lacks, and a peer without python3, are
// reported in Result.Skipped; any other failure is an error.
func Measure(ctx context.Context, c *Collection, o Options) (*Result, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	tmp, err := os.MkdirTemp(o.TempDir, "newsdex-eval-"+c.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("eval %s: %w", c.Name, err)
	}
	defer os.RemoveAll(tmp)
	r := &Result{
		Collection: c.Name, About: c.About, Primary: c.Primary, Docs: len(c.Docs), Queries: judged(c),
		Systems: map[string]Scores{}, Skipped: map[string]string{},
		Timings: Timings{Rank: map[string]float64{}},
	}
	if r.Primary == "" {
		r.Primary = MetricNDCG10
	}
	hits0, miss0 := cacheCounts(o.Embedder)

	start := time.Now()
	ix, err := build(ctx, c, o, tmp)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	r.Timings.Index = time.Since(start).Seconds()

	var opts []search.Option
	if o.Embedder != nil {
		opts = append(opts, search.WithEmbedder(o.Embedder))
	}
	eng, err := search.New(ix, opts...)
	if err != nil {
		return nil, fmt.Errorf("eval %s: %w", c.Name, err)
	}
	for _, mode := range o.Modes {
		start := time.Now()
		s, err := RunDepth(ctx, c, EngineRanker(eng, mode), Depth)
		if errors.Is(err, search.ErrNoEmbeddings) {
			r.Skipped[mode] = "no passage embeddings (fetch the model with `newsdex model fetch`)"
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("eval %s %s: %w", c.Name, mode, err)
		}
		r.Systems[mode] = s
		r.Timings.Rank[mode] = time.Since(start).Seconds()
	}
	hits1, miss1 := cacheCounts(o.Embedder)
	r.Timings.Cached, r.Timings.Embedded = hits1-hits0, miss1-miss0

	if o.Peer != nil {
		start := time.Now()
		s, err := o.Peer.Run(ctx, c, Depth, tmp)
		if err != nil {
			r.Skipped[PeerName] = err.Error()
		} else {
			r.Systems[PeerName] = s
		}
		r.Timings.Peer = time.Since(start).Seconds()
	}
	return r, nil
}

// build indexes c's documents in a fresh index under tmp through the same
// pipeline as `newsdex index`; the caller closes it.
func build(ctx context.Context, c *Collection, o Options, tmp string) (*index.Index, error) {
	ix, err := index.Open(filepath.Join(tmp, "index"))
	if err != nil {
		return nil, fmt.Errorf("eval %s: %w", c.Name, err)
	}
	svc := service.New(ix, o.Extractor, o.Log)
	if o.Embedder != nil {
		svc.Prepare = service.NewEmbedding(ix, o.Embedder).Prepare
	}
	if err := svc.EnableDups(ctx); err != nil {
		ix.Close()
		return nil, fmt.Errorf("eval %s: %w", c.Name, err)
	}
	if _, err := svc.Ingest(ctx, func(ctx context.Context, emit func(newsdex.Article) error) error {
		for _, a := range c.Docs {
			if err := emit(a); err != nil {
				return err
			}
		}
		return nil
	}, nil); err != nil {
		ix.Close()
		return nil, fmt.Errorf("eval %s: index: %w", c.Name, err)
	}
	return ix, nil
}

func judged(c *Collection) int {
	n := 0
	for _, q := range c.Queries {
		if len(q.Relevant) > 0 {
			n++
		}
	}
	return n
}

func cacheCounts(e Embedder) (hits, misses int64) {
	if c, ok := e.(*CachedEmbedder); ok {
		return c.Hits.Load(), c.Misses.Load()
	}
	return 0, 0
}

// EngineRanker ranks with eng in mode, as a user's request would (wire
// copies not collapsed, so that a known item is never folded into another
// article's hit; no snippets or facets, which do not change the order).
func EngineRanker(eng *search.Engine, mode string) Ranker {
	collapse := false
	return func(ctx context.Context, text string, k int) ([]string, error) {
		if strings.TrimSpace(text) == "" {
			// An empty query browses everything; the peer ranks nothing
			// for it, and neither should a measured system.
			return nil, nil
		}
		req := search.Request{Query: text, Size: min(k, search.MaxSize), Snippets: -1, Facets: []string{}, Mode: mode, Collapse: &collapse}
		var ids []string
		for len(ids) < k {
			res, err := eng.Search(ctx, req)
			if err != nil {
				return nil, err
			}
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
			if res.NextCursor == "" || len(res.Hits) == 0 {
				break
			}
			req.Cursor = res.NextCursor
		}
		return ids, nil
	}
}
