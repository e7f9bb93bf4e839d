// Package service applies writes to a live index: it enriches and adds
// articles, deletes them, and rebuilds the index into a new generation that
// replaces the live one when it is complete and verified. The server and
// the CLI (when no server holds the index) both write through it.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/boiler"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/internal/pipeline"
)

// extractor fills an article's entities.
type extractor interface {
	Extract(a *newsdex.Article)
}

// Service writes to one index directory.
type Service struct {
	ix  *index.Index
	x   extractor
	log *slog.Logger
	// Prepare runs on each enriched batch before it is written (embedding
	// passages, finding wire copies); nil means nothing to do.
	Prepare func(ctx context.Context, batch []newsdex.Article) error
	// BatchSize is the number of articles per index batch of Ingest and
	// Rebuild. The default, 500, suits a server, whose rebuilds must be
	// abandoned part-way when their client goes; bulk loads from the
	// command line use pipeline.DefaultBatchSize.
	BatchSize int
	// Watch, if set, is told of the articles written by Put and Ingest
	// (watch.go); set it before the service is used.
	Watch Watcher

	// bg, when set (EmbedBehind), computes the passage vectors of Put and
	// Ingest behind them; Rebuild still embeds before it writes.
	bg *Background

	dups atomic.Pointer[Dups] // wire-copy groups of the live generation; nil = off
	// boiler is the outlets' learnt boilerplate; nil cleans by the
	// patterns only (ad lines, hover cards).
	boiler atomic.Pointer[boiler.Model]
}

// BoilerFile is the file of the index directory that holds the learnt
// boilerplate model (package boiler), so that articles written later (a
// server's PUT, a small import) are cleaned with what larger imports
// taught.
const BoilerFile = "boilerplate.bin"

// cleaning is an extractor that strips an article's boilerplate first, so
// that neither the extractor nor the chunker sees it.
type cleaning struct {
	m *boiler.Model
	x extractor
}

func (c cleaning) Extract(a *newsdex.Article) {
	c.m.Clean(a)
	if c.x != nil {
		c.x.Extract(a)
	}
}

// enricher returns the extractor of the pipeline: boilerplate removal with
// the current model, then entity extraction.
func (s *Service) enricher() extractor { return cleaning{s.boiler.Load(), s.x} }

// LoadBoiler reads the boilerplate model stored with the index, if any.
func (s *Service) LoadBoiler() error {
	m, err := boiler.Load(filepath.Join(s.ix.Dir(), BoilerFile))
	if err != nil {
		return err
	}
	s.boiler.Store(m)
	return nil
}

// LearnBoiler reads src once to learn its outlets' boilerplate, then uses
// the model for the articles written from now on and stores it with the
// index. With merge, what the stored model knew is kept too (an import
// adds to what earlier ones taught); without, the model is src's alone (a
// rebuild from everything). It holds a 64 MiB sketch while it learns.
func (s *Service) LearnBoiler(ctx context.Context, src pipeline.Source, merge bool) (*boiler.Model, error) {
	start := time.Now()
	m := boiler.New(boiler.Options{})
	if err := src(ctx, func(a newsdex.Article) error {
		m.Learn(&a)
		return ctx.Err()
	}); err != nil {
		return nil, fmt.Errorf("learn boilerplate: %w", err)
	}
	n := m.Learned()
	m.Freeze()
	if merge {
		if err := m.Merge(s.boiler.Load()); err != nil {
			return nil, err
		}
	}
	if err := m.Save(filepath.Join(s.ix.Dir(), BoilerFile)); err != nil {
		return nil, err
	}
	s.boiler.Store(m)
	s.log.Info("learnt boilerplate", "articles", n, "keys", m.Keys(), "seconds", time.Since(start).Seconds())
	return m, nil
}

// EnableDups turns wire-copy detection on, restoring the groups the index
// already stores.
func (s *Service) EnableDups(ctx context.Context) error {
	d, err := RestoreDups(ctx, s.ix)
	if err != nil {
		return err
	}
	s.dups.Store(d)
	return nil
}

// EmbedBehind makes Put and Ingest write their articles for lexical search
// first and embed them behind (see Background) with e, instead of in a
// Prepare step; Rebuild embeds with e before it writes, as a Prepare step
// does. Call it before the service is used, with no embedding in Prepare,
// and run the returned Background's Run for as long as the service
// writes.
func (s *Service) EmbedBehind(e *Embedding) *Background {
	s.bg = NewBackground(e, s.log)
	return s.bg
}

// Background returns the background embedder EmbedBehind set up, or nil.
func (s *Service) Background() *Background { return s.bg }

// write marks a write through the service from now until the returned func
// is called: the background embedder yields to it and is told of it at
// its end.
func (s *Service) write() func() {
	if s.bg == nil {
		return func() {}
	}
	s.bg.g.enter()
	return func() {
		s.bg.g.leave()
		s.bg.Kick()
	}
}

// prepare returns the steps every batch goes through before it is written
// with dups as the wire-copy detector; behind defers the embedding to the
// background embedder, if there is one.
func (s *Service) prepare(dups *Dups, behind bool) func(context.Context, []newsdex.Article) error {
	var emb, dp func(context.Context, []newsdex.Article) error
	if s.bg != nil {
		emb = s.bg.e.Prepare
		if behind {
			emb = s.bg.e.Defer
		}
	}
	if dups != nil {
		dp = dups.Prepare
	}
	return Chain(s.Prepare, emb, dp)
}

// New returns a service writing to ix, extracting entities with x.
func New(ix *index.Index, x extractor, log *slog.Logger) *Service {
	return &Service{ix: ix, x: x, log: log, BatchSize: 500}
}

// Index returns the index the service writes to.
func (s *Service) Index() *index.Index { return s.ix }

// Put enriches and indexes arts (replacing same ids); it returns how many
// were indexed. When it returns nil they are durable and searchable (with
// EmbedBehind, lexically: their vectors come behind).
func (s *Service) Put(ctx context.Context, arts []newsdex.Article) (int, error) {
	// Extraction dominates; spread it over the cores.
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(arts))
	x := s.enricher()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(arts); i += workers {
				pipeline.Enrich(&arts[i], x)
			}
		}()
	}
	wg.Wait()
	defer s.write()()
	if p := s.prepare(s.dups.Load(), true); p != nil {
		if err := p(ctx, arts); err != nil {
			return 0, err
		}
	}
	if err := (watched{s.ix, s.Watch}).Add(ctx, arts); err != nil {
		return 0, err
	}
	return len(arts), nil
}

// Delete removes ids and returns how many were present. If a removed
// article led a wire-copy group, the group's next article takes its place.
func (s *Service) Delete(ctx context.Context, ids ...string) (int, error) {
	defer s.write()()
	n, err := s.ix.Delete(ctx, ids...)
	if err != nil {
		return n, err
	}
	d := s.dups.Load()
	if d == nil {
		return n, nil
	}
	var moved []newsdex.Article
	for _, c := range d.Remove(ids...) {
		a, err := s.ix.Get(c.ID)
		if err != nil {
			continue
		}
		a.DuplicateOf = c.DupOf
		a.DupSignature = nil // the stored one stays valid; re-sign below
		moved = append(moved, a)
	}
	if len(moved) == 0 {
		return n, nil
	}
	// Re-signing is cheap and keeps the stored signature with the article.
	for i := range moved {
		sig := d.d.Signature(moved[i].Body)
		if b, err := sig.MarshalBinary(); err == nil && !sig.IsZero() {
			moved[i].DupSignature = b
		}
	}
	if err := s.ix.Add(ctx, moved); err != nil {
		return n, fmt.Errorf("regroup wire copies after delete: %w", err)
	}
	return n, nil
}

// Ingest runs the pipeline from src into the live generation.
// With EmbedBehind, the articles are searchable lexically when it returns
// and get their vectors behind it.
func (s *Service) Ingest(ctx context.Context, src pipeline.Source, progress func(int)) (pipeline.Summary, error) {
	defer s.write()()
	return pipeline.Run(ctx, src, s.enricher(), watched{s.ix, s.Watch}, pipeline.Options{BatchSize: s.BatchSize, Progress: progress, Prepare: s.prepare(s.dups.Load(), true)})
}

// RebuildResult reports a rebuild.
type RebuildResult struct {
	pipeline.Summary
	From string `json:"from_generation"`
	To   string `json:"to_generation"`
}

// Rebuild builds a new generation from src, or from the articles the live
// generation stores when src is nil, verifies it and makes it live. If ctx
// is cancelled or anything fails, the new generation is removed and the
// live one keeps serving, untouched.
func (s *Service) Rebuild(ctx context.Context, src pipeline.Source, progress func(int)) (RebuildResult, error) {
	start := time.Now()
	// The background embedder must not attach vectors while the new
	// generation is built from the live one's articles.
	defer s.write()()
	from := s.ix.Generation()
	rb, err := s.ix.BeginRebuild()
	if err != nil {
		return RebuildResult{}, err
	}
	if src == nil {
		src = func(ctx context.Context, emit func(newsdex.Article) error) error {
			return s.ix.Scan(ctx, func(a newsdex.Article) error {
				// Re-derive everything the pipeline computes; the
				// cleaner starts again from RawBody.
				a.People, a.Cited, a.Places, a.Leaders, a.Passages = nil, nil, nil, nil, nil
				return emit(a)
			})
		}
		// All the articles are at hand: relearn the boilerplate from them.
		if _, err := s.LearnBoiler(ctx, src, false); err != nil {
			rb.Abort()
			return RebuildResult{}, err
		}
	}
	// Count distinct ids: a source may repeat one, the later replacing it.
	var mu sync.Mutex
	seen := map[string]struct{}{}
	counted := func(ctx context.Context, emit func(newsdex.Article) error) error {
		return src(ctx, func(a newsdex.Article) error {
			mu.Lock()
			seen[a.ID] = struct{}{}
			mu.Unlock()
			return emit(a)
		})
	}
	// The new generation gets wire-copy groups of its own, in its own order.
	var fresh *Dups
	if s.dups.Load() != nil {
		fresh = NewDups()
	}
	sum, err := pipeline.Run(ctx, counted, s.enricher(), rb, pipeline.Options{BatchSize: s.BatchSize, Progress: progress, Prepare: s.prepare(fresh, false)})
	res := RebuildResult{Summary: sum, From: from, To: rb.Generation()}
	if err != nil {
		rb.Abort()
		return res, fmt.Errorf("rebuild %s: %w (the live generation %s is untouched)", s.ix.Dir(), err, from)
	}
	if sum.Indexed == 0 {
		rb.Abort()
		return res, fmt.Errorf("rebuild %s: nothing could be indexed (the live generation %s is untouched)", s.ix.Dir(), from)
	}
	want := uint64(len(seen))
	n, err := rb.Count()
	if err != nil {
		rb.Abort()
		return res, err
	}
	// Writes that arrive during the build go to both generations and
	// change the count; Verify holds it to want only without them.
	if err := rb.Verify(ctx, want); err != nil {
		rb.Abort()
		return res, err
	}
	// A caller that went away during the last batch (a killed reindex
	// client) must not find its rebuild switched in after all.
	if err := ctx.Err(); err != nil {
		rb.Abort()
		return res, fmt.Errorf("rebuild %s: %w (the live generation %s is untouched)", s.ix.Dir(), err, from)
	}
	if _, err := rb.Commit(); err != nil {
		return res, err
	}
	if fresh != nil {
		s.dups.Store(fresh)
	}
	res.Seconds = time.Since(start).Seconds()
	s.log.Info("rebuilt index", "dir", s.ix.Dir(), "from", from, "to", res.To, "articles", n, "seconds", res.Seconds)
	return res, nil
}

// Generation names the live generation (for the metrics gauge).
func (s *Service) Generation() string { return s.ix.Generation() }

// PassageCount returns the passages in the live generation (for metrics).
func (s *Service) PassageCount() (uint64, error) {
	st, err := s.ix.Stat(context.Background())
	if err != nil {
		return 0, err
	}
	return uint64(st.Passages), nil
}
