// Package floor is the benchmark's Bleve floor: it indexes articles with
// Bleve alone, on title and body analysed as package index analyses them,
// and none of newsdex's entities, passages, facets or wire-copy data.
// `newsdex bench` (internal/bench) reports its time beside the peers' to
// separate what Bleve costs from what newsdex adds.
//
// It is measurement code, not part of the product: nothing but the
// benchmark imports it. It lives under index/ because only index/ and
// search/ may import Bleve, and so that its indexes share the analyser
// and the scorch configuration of the product's (index/internal/scorch).
package floor

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
	"golang.org/x/sync/errgroup"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/index/internal/scorch"
)

// Kind says what Index indexes.
type Kind int

const (
	// Bare indexes title and body without positions and stores
	// nothing: the least that still answers a ranked word query.
	Bare Kind = iota
	// LikeFTS5 does what the SQLite FTS5 peer does: title and body
	// with positions (phrase queries), and title, body, outlet and date
	// stored.
	LikeFTS5
)

// String names the kind in the benchmark's table.
func (k Kind) String() string {
	if k == LikeFTS5 {
		return "like FTS5"
	}
	return "bare"
}

// floorBody is the floor index's body field, as FTS5's peer has one.
const floorBody = "body"

// floorOutlet is the floor index's stored outlet field (the JSON name of
// the floor document's Outlet), as FTS5's peer stores it.
const floorOutlet = "outlet"

// Index measures the part of newsdex's indexing that is Bleve's alone. It
// indexes arts into shards fresh Bleve indexes under dir with the mapping
// of kind: title and body analysed as newsdex analyses them, and none of
// newsdex's entities, passages, facets or wire-copy data. One goroutine
// writes each shard (articles are dealt round-robin), in batches of batch
// articles, and the time includes the merges Bleve owes at the end. The
// benchmark reports it beside the peers: it separates what Bleve costs
// from what newsdex adds.
func Index(ctx context.Context, dir string, arts []newsdex.Article, kind Kind, shards, batch int) (time.Duration, error) {
	if shards < 1 || batch < 1 {
		return 0, fmt.Errorf("floor needs shards and batch ≥ 1, got %d and %d", shards, batch)
	}
	full := kind == LikeFTS5
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = index.TextAnalyzer
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	doc := bleve.NewDocumentStaticMapping()
	for _, name := range []string{index.FieldTitle, floorBody} {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = index.TextAnalyzer
		f.Store, f.IncludeInAll, f.IncludeTermVectors, f.DocValues = full, false, full, false
		doc.AddFieldMappingsAt(name, f)
	}
	if full {
		outlet := bleve.NewTextFieldMapping()
		outlet.Index, outlet.Store, outlet.IncludeInAll = false, true, false
		doc.AddFieldMappingsAt(floorOutlet, outlet)
		date := bleve.NewTextFieldMapping()
		date.Index, date.Store, date.IncludeInAll = false, true, false
		doc.AddFieldMappingsAt(index.FieldPublished, date)
	}
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	m.DefaultMapping = doc
	m.DefaultField = floorBody

	idx := make([]bleve.Index, shards)
	defer func() {
		for _, bi := range idx {
			if bi != nil {
				_ = bi.Close()
			}
		}
	}()
	for i := range idx {
		bi, err := bleve.NewUsing(filepath.Join(dir, fmt.Sprintf("shard-%d", i)), m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, scorch.Config())
		if err != nil {
			return 0, fmt.Errorf("floor: create shard %d in %s: %w", i, dir, err)
		}
		idx[i] = bi
	}
	type floorDoc struct {
		Title     string `json:"title"`
		Body      string `json:"body"`
		Outlet    string `json:"outlet,omitempty"`
		Published string `json:"published,omitempty"`
	}
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for s, bi := range idx {
		g.Go(func() error {
			b := bi.NewBatch()
			flush := func() error {
				if b.Size() == 0 {
					return nil
				}
				if err := bi.Batch(b); err != nil {
					return fmt.Errorf("floor: batch into shard %d: %w", s, err)
				}
				b.Reset()
				return gctx.Err()
			}
			for i := s; i < len(arts); i += shards {
				d := floorDoc{Title: arts[i].Title, Body: arts[i].Body}
				if full {
					d.Outlet, d.Published = arts[i].Outlet, arts[i].Published.Format(time.RFC3339)
				}
				if err := b.Index(arts[i].ID, d); err != nil {
					return fmt.Errorf("floor: article %q: %w", arts[i].ID, err)
				}
				if b.Size() >= batch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if err := flush(); err != nil {
				return err
			}
			return scorch.WaitIdle(gctx, bi, dir)
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	for i, bi := range idx {
		idx[i] = nil
		if err := bi.Close(); err != nil {
			return 0, fmt.Errorf("floor: close shard %d: %w", i, err)
		}
	}
	return time.Since(start), nil
}
