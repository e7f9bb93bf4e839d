// Package scorch holds what every Bleve index newsdex creates shares with
// Bleve's scorch engine: its configuration and the wait for its merger.
// Package index uses it for the generations, and package index/floor for
// the benchmark's Bleve-alone indexes, so the two are configured alike.
package scorch

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// Config is the configuration of every scorch index, given when it is
// created and again when it is opened (so that indexes created before a
// change get it too).
//
// Bleve's merge planner keeps up to MaxSegmentsPerTier segments of a size
// tier and merges SegmentsPerMergeTask at a time; its defaults (10 and 10)
// never merge the 2,000-article segments of a bulk load
// (pipeline.DefaultBatchSize), so they are 4 and 4 here. The figures are
// in docs/MEASUREMENTS.md, "Merge plan".
func Config() map[string]any {
	return map[string]any{
		"scorchMergePlanOptions": map[string]any{
			"MaxSegmentsPerTier":   4,
			"SegmentsPerMergeTask": 4,
		},
	}
}

// WaitIdle waits until bi's merger and persister have caught up with its
// last write; dir names the index in the error, which wraps ctx's when it
// is done first.
func WaitIdle(ctx context.Context, bi bleve.Index, dir string) error {
	for {
		st, _ := bi.StatsMap()["index"].(map[string]any)
		num := func(k string) uint64 { n, _ := st[k].(uint64); return n }
		// CurRootEpoch stays 0 until the first write after opening; the
		// merger and persister record the epoch they caught up with.
		root := num("CurRootEpoch")
		if root == 0 || num("LastMergedEpoch") >= root && num("LastPersistedEpoch") >= root {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("index: wait for merges in %s: %w", dir, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
