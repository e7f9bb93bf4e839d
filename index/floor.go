package index

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
	"golang.org/x/sync/errgroup"

	"github.com/newsdex/newsdex"
)

// Floor measures the part of newsdex's indexing that is Bleve's alone. It
// indexes arts into shards fresh Bleve indexes under dir with the least
// mapping that still answers a ranked word query: title and body analysed
// as newsdex analyses them, without positions, nothing stored, and no
// entities, passages, facets, dates or wire-copy data. One goroutine
// writes each shard (articles are dealt round-robin), in batches of batch
// articles, and the time includes the merges Bleve owes at the end.
// newsdex cannot index faster than this on the same machine, so the
// benchmark reports it beside the peers.
func Floor(ctx context.Context, dir string, arts []newsdex.Article, shards, batch int) (time.Duration, error) {
	if shards < 1 || batch < 1 {
		return 0, fmt.Errorf("index: floor needs shards and batch ≥ 1, got %d and %d", shards, batch)
	}
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = TextAnalyzer
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	doc := bleve.NewDocumentStaticMapping()
	for _, name := range []string{FieldTitle, FieldBody} {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = TextAnalyzer
		f.Store, f.IncludeInAll, f.IncludeTermVectors, f.DocValues = false, false, false, false
		doc.AddFieldMappingsAt(name, f)
	}
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	m.DefaultMapping = doc
	m.DefaultField = FieldBody

	idx := make([]bleve.Index, shards)
	defer func() {
		for _, bi := range idx {
			if bi != nil {
				_ = bi.Close()
			}
		}
	}()
	for i := range idx {
		bi, err := bleve.NewUsing(filepath.Join(dir, fmt.Sprintf("shard-%d", i)), m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, scorchConfig())
		if err != nil {
			return 0, fmt.Errorf("index: floor: create shard %d in %s: %w", i, dir, err)
		}
		idx[i] = bi
	}
	type floorDoc struct {
		Title string `json:"title"`
		Body  string `json:"body"`
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
					return fmt.Errorf("index: floor: batch into shard %d: %w", s, err)
				}
				b.Reset()
				return gctx.Err()
			}
			for i := s; i < len(arts); i += shards {
				if err := b.Index(arts[i].ID, floorDoc{Title: arts[i].Title, Body: arts[i].Body}); err != nil {
					return fmt.Errorf("index: floor: article %q: %w", arts[i].ID, err)
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
			return waitIdle(gctx, bi, dir)
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	for i, bi := range idx {
		idx[i] = nil
		if err := bi.Close(); err != nil {
			return 0, fmt.Errorf("index: floor: close shard %d: %w", i, err)
		}
	}
	return time.Since(start), nil
}
