package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/ingest"
)

// allSidesMap maps the AllSides JSON keys onto articles, as the peers read
// them (ID, title, content_original, source, date).
const allSidesMap = "id=ID,title=title,body=content_original,outlet=source,published=date,url=url,authors=authors"

// errStop ends a read early once the limit is reached.
var errStop = errors.New("bench: limit reached")

// LoadAllSides reads the articles-*.jsonl.gz files of dir in name order,
// the files and order fts5_peer.py reads, at most limit articles (0 = all).
// Reading happens before any timing, as in the peers.
func LoadAllSides(ctx context.Context, dir string, limit int) ([]newsdex.Article, error) {
	files, err := filepath.Glob(filepath.Join(dir, "articles-*.jsonl.gz"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("bench: no articles-*.jsonl.gz under %s", dir)
	}
	sort.Strings(files)
	m, err := ingest.ParseMap(allSidesMap)
	if err != nil {
		return nil, err
	}
	var arts []newsdex.Article
	err = ingest.Walk(ctx, files, ingest.Options{Format: ingest.FormatJSONL, Map: m}, func(a newsdex.Article) error {
		arts = append(arts, a)
		if limit > 0 && len(arts) >= limit {
			return errStop
		}
		return nil
	}, nil)
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("bench: read %s: %w", dir, err)
	}
	return arts, nil
}

// LoadDir reads every article ingest finds under dir (format detected).
func LoadDir(ctx context.Context, dir string) ([]newsdex.Article, error) {
	var arts []newsdex.Article
	err := ingest.Walk(ctx, []string{dir}, ingest.Options{}, func(a newsdex.Article) error {
		arts = append(arts, a)
		return nil
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("bench: read %s: %w", dir, err)
	}
	return arts, nil
}

// span returns the time between the earliest and the latest published date
// of arts, rounded up to whole days (at least one day).
func span(arts []newsdex.Article) time.Duration {
	var lo, hi time.Time
	for _, a := range arts {
		if a.Published.IsZero() {
			continue
		}
		if lo.IsZero() || a.Published.Before(lo) {
			lo = a.Published
		}
		if a.Published.After(hi) {
			hi = a.Published
		}
	}
	d := hi.Sub(lo).Truncate(24*time.Hour) + 24*time.Hour
	return d
}

// Replica returns copy k of a for the scale curve: a new id and the date
// moved back by k spans, so that replicas fill new months of the histogram
// rather than piling onto the same ones. Copy 0 is a itself. Strings are
// shared with a, so replicas cost no memory until they are enriched.
func Replica(a newsdex.Article, k int, shift time.Duration) newsdex.Article {
	if k == 0 {
		return a
	}
	a.ID = fmt.Sprintf("%s~r%d", a.ID, k)
	if !a.Published.IsZero() {
		a.Published = a.Published.Add(-time.Duration(k) * shift)
	}
	return a
}

// source emits arts replicated times times (Replica 0..times-1).
func source(arts []newsdex.Article, times int) func(ctx context.Context, emit func(newsdex.Article) error) error {
	shift := span(arts)
	return func(ctx context.Context, emit func(newsdex.Article) error) error {
		for k := range times {
			for _, a := range arts {
				if err := emit(Replica(a, k, shift)); err != nil {
					return err
				}
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return nil
	}
}
