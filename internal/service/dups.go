package service

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/dedup"
	"github.com/newsdex/newsdex/index"
)

// Dups finds wire copies at index time: each article's body gets a
// near-duplicate signature, and an article whose text matches an earlier
// one's is marked DuplicateOf that group's first article. Search collapses
// each group to one hit by default.
type Dups struct {
	mu sync.Mutex // Add and Remove must run in index order
	d  *dedup.Detector
}

// NewDups returns an empty detector with the measured defaults.
func NewDups() *Dups { return &Dups{d: dedup.New(dedup.Options{})} }

// RestoreDups rebuilds the detector from what ix stores.
func RestoreDups(ctx context.Context, ix *index.Index) (*Dups, error) {
	d := NewDups()
	err := ix.ScanDups(ctx, func(id, dupOf string, sig []byte) error {
		var s dedup.Signature
		if err := s.UnmarshalBinary(sig); err != nil {
			return nil // a signature of another format: the article is left out
		}
		d.d.Restore(id, s, dupOf)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("restore duplicate groups of %s: %w", ix.Dir(), err)
	}
	return d, nil
}

// Prepare signs each article of batch and records its group.
func (d *Dups) Prepare(_ context.Context, batch []newsdex.Article) error {
	// Signing is independent per article and was a twelfth of the CPU of
	// a bulk load, all of it on the one goroutine that writes batches:
	// spread it over the cores. Only recording groups needs index order.
	sigs := make([]dedup.Signature, len(batch))
	workers := min(runtime.GOMAXPROCS(0), len(batch))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(batch); i += workers {
				sigs[i] = d.d.Signature(batch[i].Body)
			}
		})
	}
	wg.Wait()
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range batch {
		a := &batch[i]
		a.DuplicateOf, a.DupSignature = "", nil
		if sigs[i].IsZero() {
			d.d.Remove(a.ID)
			continue
		}
		b, err := sigs[i].MarshalBinary()
		if err != nil {
			return fmt.Errorf("sign article %q: %w", a.ID, err)
		}
		a.DupSignature = b
		a.DuplicateOf, _ = d.d.Add(a.ID, sigs[i])
	}
	return nil
}

// Remove forgets ids and returns the articles whose group changed (a
// group's first article was removed, so another one leads it now).
func (d *Dups) Remove(ids ...string) []dedup.Change {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []dedup.Change
	for _, id := range ids {
		out = append(out, d.d.Remove(id)...)
	}
	return out
}

// Len returns the number of articles the detector holds.
func (d *Dups) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.d.Len()
}
