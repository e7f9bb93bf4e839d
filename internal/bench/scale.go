package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// ScalePoint is one size of the scale curve.
type ScalePoint struct {
	Times int         `json:"times"`
	Index IndexResult `json:"index"`
	Query Latency     `json:"query"`
	// QueryAnd is the latency of the AND-joined queries.
	QueryAnd Latency `json:"query_and"`
	// HTTP is a short load run against `newsdex serve` on this index (as
	// deployed: repeated queries come from its result cache); its RSS
	// figures are the serve process's.
	HTTP *Load `json:"http,omitempty"`
	// HeapMB is this process's live heap after querying in-process.
	HeapMB float64 `json:"heap_mb"`
}

// measureScale indexes arts replicated 1×, 4×, ... (c.Scales) into fresh
// indexes under dir, one at a time, measures each and removes it.
func measureScale(ctx context.Context, c Config, dir string, arts []newsdex.Article) ([]ScalePoint, error) {
	var out []ScalePoint
	for _, k := range c.Scales {
		if k < 1 {
			return out, fmt.Errorf("bench: scale %d, want 1 or more", k)
		}
		sub := filepath.Join(dir, fmt.Sprintf("x%d", k))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return out, fmt.Errorf("bench: scale dir: %w", err)
		}
		// About 13 kB of index per article; refuse to fill the disk.
		need := uint64(len(arts)*k) * 13 * 1024 * 2
		if free := freeBytes(dir); free > 0 && free < need {
			return out, fmt.Errorf("bench: scale %d× needs about %d MB under %s, %d MB free", k, need>>20, dir, free>>20)
		}
		logf(c.Log, "scale %d×: indexing %d articles ...", k, len(arts)*k)
		p := ScalePoint{Times: k}
		ir, err := indexArticles(ctx, c, sub, source(arts, k), fmt.Sprintf("scale%d.index", k), nil)
		if err != nil {
			return out, err
		}
		p.Index = ir
		logf(c.Log, "scale %d×: %.0f articles/s, %.1f MB", k, ir.DocsPerSec, ir.SizeMB)
		ix, err := index.OpenExisting(sub)
		if err != nil {
			return out, err
		}
		eng, err := search.New(ix, search.WithoutResultCache())
		if err == nil {
			p.Query, _, err = queryLatency(ctx, eng, Queries, c.ScaleReps)
		}
		if err == nil {
			p.QueryAnd, _, err = queryLatency(ctx, eng, andQueries(Queries), c.ScaleReps)
		}
		p.HeapMB = heapMB()
		ix.Close()
		if err != nil {
			return out, err
		}
		logf(c.Log, "scale %d×: p50 %.2f ms, p99 %.2f ms", k, p.Query.P50, p.Query.P99)
		if c.ServeBin != "" {
			ld, err := loadServe(ctx, c, sub, Queries, min(c.HTTPDuration, 5*time.Second))
			if err != nil {
				return out, err
			}
			p.HTTP = &ld
			logf(c.Log, "scale %d×: serve RSS %.0f MB (peak %.0f MB), %.0f req/s, p99 %.1f ms", k, ld.RSSMB, ld.PeakRSSMB, ld.ReqPerSec, ld.Latency.P99)
		}
		out = append(out, p)
		if !c.Keep {
			_ = os.RemoveAll(sub)
		}
	}
	return out, nil
}

// freeBytes returns the bytes available to this user on dir's file
// system, 0 if unknown.
func freeBytes(dir string) uint64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0
	}
	return st.Bavail * uint64(st.Bsize)
}
