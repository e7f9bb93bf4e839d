// Package pipeline runs the indexing pipeline: articles from a reader go
// through entity extraction and chunking on every core and are written to
// the index in batches.
package pipeline

import (
	"context"
	"fmt"
	"hash/fnv"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/chunk"
)

// extractor fills an article's entity fields.
type extractor interface {
	Extract(a *newsdex.Article)
}

// writer stores a batch of finished articles.
type writer interface {
	Add(ctx context.Context, arts []newsdex.Article) error
}

// DefaultBatchSize is the number of articles per index batch unless
// Options say otherwise. Each batch becomes one Bleve segment, and small
// segments are merged again and again as the index grows, so a large
// batch saves merge work at the cost of peak memory (each writer holds
// one); docs/MEASUREMENTS.md, "Batch size", has the figures.
const DefaultBatchSize = 2000

// Options tunes a run.
type Options struct {
	// BatchSize is the number of articles per index batch (default
	// DefaultBatchSize).
	BatchSize int
	// Workers is the number of extract/chunk goroutines (default GOMAXPROCS).
	Workers int
	// Writers is the number of index writers working at once (default
	// DefaultWriters). Each batch is split between them by article id.
	Writers int
	// Progress, if set, is called after each batch is written with the
	// running count of indexed articles, never twice at once.
	Progress func(indexed int)
	// Prepare, if set, runs on each batch after extraction and chunking
	// (e.g. to embed passages or find duplicates). An error stops the run,
	// so a step that the articles can do without handles its own failures:
	// service.Embedding indexes an article it cannot embed without vectors.
	Prepare func(ctx context.Context, batch []newsdex.Article) error
}

// Summary reports a run.
type Summary struct {
	Read    int     `json:"read"`
	Indexed int     `json:"indexed"`
	Skipped int     `json:"skipped"`
	Seconds float64 `json:"seconds"`
}

func (s Summary) String() string {
	rate := 0.0
	if s.Seconds > 0 {
		rate = float64(s.Indexed) / s.Seconds
	}
	return fmt.Sprintf("read %d, indexed %d, skipped %d, %.1f s (%.0f articles/s)", s.Read, s.Indexed, s.Skipped, s.Seconds, rate)
}

// Source produces articles by calling emit for each, and reports records it
// could not read through skip (which the caller counts).
type Source func(ctx context.Context, emit func(newsdex.Article) error) error

// Run reads every article of src, enriches it and writes it to w. Skipped
// records must be counted by the caller into the returned Summary.
func Run(ctx context.Context, src Source, x extractor, w writer, opts Options) (Summary, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Writers <= 0 {
		opts.Writers = DefaultWriters()
	}
	var sum Summary
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	raw := make(chan newsdex.Article, opts.BatchSize)
	done := make(chan newsdex.Article, opts.BatchSize)

	g.Go(func() error {
		defer close(raw)
		return src(ctx, func(a newsdex.Article) error {
			mu.Lock()
			sum.Read++
			mu.Unlock()
			select {
			case raw <- a:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	})
	var workers sync.WaitGroup
	for range opts.Workers {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			for a := range raw {
				Enrich(&a, x)
				select {
				case done <- a:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}
	go func() { workers.Wait(); close(done) }()

	// Writers: each takes its share of every batch, dealt by article id so
	// that the writes of one id stay in order, and writes it while the
	// others write theirs (Bleve builds a batch's segment on the caller's
	// goroutine, so one writer keeps one core busy at most).
	parts := make([]chan []newsdex.Article, opts.Writers)
	for i := range parts {
		parts[i] = make(chan []newsdex.Article, 1)
		g.Go(func() error {
			for part := range parts[i] {
				if err := w.Add(ctx, part); err != nil {
					return err
				}
				// Progress is called under the lock: one call at a time,
				// with counts that only grow.
				mu.Lock()
				sum.Indexed += len(part)
				if opts.Progress != nil {
					opts.Progress(sum.Indexed)
				}
				mu.Unlock()
			}
			return nil
		})
	}
	g.Go(func() error {
		defer func() {
			for _, c := range parts {
				close(c)
			}
		}()
		// A batch is split between the writers, so it holds a batch for
		// each: every writer's share still makes a segment of BatchSize.
		size := opts.BatchSize * len(parts)
		batch := make([]newsdex.Article, 0, size)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if opts.Prepare != nil {
				if err := opts.Prepare(ctx, batch); err != nil {
					return err
				}
			}
			split := make([][]newsdex.Article, len(parts))
			for _, a := range batch {
				i := writerOf(a.ID, len(parts))
				split[i] = append(split[i], a)
			}
			for i, part := range split {
				if len(part) == 0 {
					continue
				}
				select {
				case parts[i] <- part:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			batch = make([]newsdex.Article, 0, size)
			return nil
		}
		for a := range done {
			batch = append(batch, a)
			if len(batch) == size {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return flush()
	})
	err := g.Wait()
	sum.Seconds = time.Since(start).Seconds()
	return sum, err
}

// Enrich extracts entities and splits passages of one article in place.
func Enrich(a *newsdex.Article, x extractor) {
	if x != nil {
		x.Extract(a)
	}
	a.Passages = chunk.Split(a.Body, chunk.Options{})
}

// DefaultWriters is the number of index writers a run uses by default:
// two when there are two cores or more.
func DefaultWriters() int { return min(2, runtime.GOMAXPROCS(0)) }

// writerOf deals article id to one of n writers.
func writerOf(id string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}
