package service

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/vector"
)

// Background computes passage vectors behind the writes, so that a batch is
// searchable lexically as soon as Bleve has it rather than once the model
// has embedded it (the model is some fifty times slower than lexical
// indexing). Writes made with a Background (Service.EmbedBehind) store
// their articles marked as missing their vectors (Embedding.Defer); Run
// then finds the marked articles in the index, the way
// `reindex --fill-vectors` does, embeds them and writes them again with
// their vectors.
//
// The index is the queue: it holds nothing in memory but a page, so it is
// bounded, and a kill -9 loses no article (they are durable, marked) and no
// work that the next Run would not redo: Run starts with a pass over every
// marked article.
//
// The model yields to writes: a pass waits while any write through the
// service is running (on two cores, embedding beside a bulk import would
// halve the import's rate), and each page's vectors are attached while no
// write runs, onto the article as it is stored then, so that a write made
// while the page was embedded is never overwritten by an older version.
// Under writes without a pause the vectors wait; they never block a write
// for longer than one page takes to attach.
type Background struct {
	e   *Embedding
	log *slog.Logger
	g   *gate
	// Page is the number of articles embedded and attached at a time
	// (default fillPage); a write waits for at most one page's attach.
	Page int

	kick chan struct{} // a write happened; capacity 1
	mu   sync.Mutex    // guards the fields below
	// want counts the kicks; done is want as it was when the last
	// complete pass started. Everything written before done's kick has
	// had its chance at vectors.
	want, done uint64
	passed     chan struct{} // closed and replaced when a pass ends
	failed     int           // articles the last pass could not embed
	err        error         // what ended the last pass early, if anything
}

// NewBackground returns the background embedder of writes made with e; its
// first Run pass covers every article the index marks as missing vectors.
func NewBackground(e *Embedding, log *slog.Logger) *Background {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Background{e: e, log: log, g: newGate(), Page: fillPage,
		kick: make(chan struct{}, 1), want: 1, passed: make(chan struct{})}
	b.kick <- struct{}{}
	return b
}

// Kick tells Run that articles may be waiting for vectors.
func (b *Background) Kick() {
	b.mu.Lock()
	b.want++
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default: // a pass is due already
	}
}

// Run embeds the articles missing vectors, pass after pass as Kick asks,
// until ctx ends; it returns ctx's error. A pass that fails (the index
// refuses a read or a write) is logged and retried at the next kick: the
// articles stay marked and lexically searchable.
func (b *Background) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.kick:
		}
		b.mu.Lock()
		target := b.want
		b.mu.Unlock()
		failed, err := b.pass(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			b.log.Error("background embedding: pass failed; the articles stay lexical-only until the next write or start", "err", err)
		}
		b.mu.Lock()
		b.done, b.failed, b.err = target, failed, err
		close(b.passed)
		b.passed = make(chan struct{})
		b.mu.Unlock()
	}
}

// Wait blocks until Run has passed over every article written before the
// call, or ctx ends. It returns the number of articles the embedder failed
// on, which stay marked (lexical-only until a later pass or
// `reindex --fill-vectors`), and the error that ended the last pass early,
// if any. Run must be running.
func (b *Background) Wait(ctx context.Context) (failed int, err error) {
	b.mu.Lock()
	target := b.want
	b.mu.Unlock()
	for {
		b.mu.Lock()
		done, failed, perr, passed := b.done, b.failed, b.err, b.passed
		b.mu.Unlock()
		if done >= target {
			return failed, perr
		}
		select {
		case <-passed:
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for background embedding: %w", ctx.Err())
		}
	}
}

// Pending returns the number of articles waiting for their vectors.
func (b *Background) Pending(ctx context.Context) (uint64, error) {
	return b.e.ix.CountWithoutVectors(ctx)
}

// pass embeds every article marked as missing vectors, a page at a time in
// id order, and returns how many it could not embed.
func (b *Background) pass(ctx context.Context) (int, error) {
	page := b.Page
	if page <= 0 {
		page = fillPage
	}
	failed := 0
	after := ""
	for {
		if err := b.g.quiet(ctx); err != nil {
			return failed, err
		}
		arts, err := b.e.ix.WithoutVectors(ctx, after, page)
		if err != nil {
			return failed, err
		}
		if len(arts) == 0 {
			return failed, nil
		}
		// Articles the embedder fails on keep their mark and sort before
		// the next page: go on after the last id seen.
		after = arts[len(arts)-1].ID
		if err := b.e.Prepare(ctx, arts); err != nil {
			return failed, err
		}
		ids := make([]string, len(arts))
		for i := range arts {
			ids[i] = arts[i].ID
			if em := arts[i].Embeddings; em != nil && em.Missing {
				failed++
			}
		}
		if err := b.g.alone(ctx, func() error { return b.attach(ctx, ids, arts) }); err != nil {
			return failed, err
		}
	}
}

// attach writes the vectors computed for arts onto the articles ids as
// they are stored now, for those still marked and whose passages are still
// the texts embedded. It runs while no write does.
func (b *Background) attach(ctx context.Context, ids []string, arts []newsdex.Article) error {
	model := b.e.m.Name()
	byText := map[uint64][]float32{}
	for i := range arts {
		em := arts[i].Embeddings
		if em == nil || em.Missing {
			continue
		}
		for j, t := range index.EmbedTexts(&arts[i]) {
			byText[vector.Hash(t)] = em.Vectors[j]
		}
	}
	if len(byText) == 0 {
		return nil
	}
	cur, err := b.e.ix.StillWithoutVectors(ctx, ids)
	if err != nil {
		return err
	}
	ready := cur[:0]
	for _, a := range cur {
		texts := index.EmbedTexts(&a)
		vecs := make([][]float32, len(texts))
		ok := len(texts) > 0
		for j, t := range texts {
			if vecs[j], ok = byText[vector.Hash(t)]; !ok {
				break
			}
		}
		if !ok {
			continue // rewritten with other text meanwhile: the next pass has it
		}
		a.Embeddings = &newsdex.Embeddings{Model: model, Vectors: vecs}
		ready = append(ready, a)
	}
	if len(ready) == 0 {
		return nil
	}
	// Straight to the index, not through the Watcher: the articles are
	// not new, alerts have seen them.
	if err := b.e.ix.Add(ctx, ready); err != nil {
		return fmt.Errorf("attach the vectors of %d articles: %w", len(ready), err)
	}
	return nil
}

// gate orders the service's writes and the background embedder: writes
// run together, the embedder computes only while none runs, and it
// attaches vectors alone. Writes go first: one waits at most for an attach
// in progress.
type gate struct {
	mu        sync.Mutex
	cond      *sync.Cond
	writers   int  // writes running
	attaching bool // an attach is running
}

func newGate() *gate {
	g := &gate{}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// enter starts a write; leave ends it.
func (g *gate) enter() {
	g.mu.Lock()
	for g.attaching {
		g.cond.Wait()
	}
	g.writers++
	g.mu.Unlock()
}

func (g *gate) leave() {
	g.mu.Lock()
	g.writers--
	g.cond.Broadcast()
	g.mu.Unlock()
}

// waitWriters blocks, with g.mu held, until no write runs or ctx ends.
func (g *gate) waitWriters(ctx context.Context) error {
	if g.writers == 0 {
		return ctx.Err()
	}
	stop := context.AfterFunc(ctx, func() {
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	})
	defer stop()
	for g.writers > 0 && ctx.Err() == nil {
		g.cond.Wait()
	}
	return ctx.Err()
}

// quiet blocks until no write runs, or ctx ends.
func (g *gate) quiet(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waitWriters(ctx)
}

// alone runs fn while no write runs, keeping new writes waiting until it
// returns.
func (g *gate) alone(ctx context.Context, fn func() error) error {
	g.mu.Lock()
	if err := g.waitWriters(ctx); err != nil {
		g.mu.Unlock()
		return err
	}
	g.attaching = true
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.attaching = false
		g.cond.Broadcast()
		g.mu.Unlock()
	}()
	return fn()
}
