package service

import (
	"context"

	"github.com/newsdex/newsdex"
)

// Watcher is told of every batch of articles the service writes to the
// live generation (Put, Ingest, and the writes a rebuild takes while it
// runs): Begin before the write, with the ids, and Done after it with its
// outcome. Saved-search alerts (package alert) match the written articles
// this way, whatever path they came by. An error from Begin fails the
// write, so that no written article goes unseen.
type Watcher interface {
	Begin(ids []string) (token uint64, err error)
	Done(token uint64, err error)
}

// watched is a pipeline writer that tells w of each batch it writes.
type watched struct {
	w interface {
		Add(ctx context.Context, arts []newsdex.Article) error
	}
	watch Watcher
}

func (x watched) Add(ctx context.Context, arts []newsdex.Article) error {
	if x.watch == nil {
		return x.w.Add(ctx, arts)
	}
	ids := make([]string, len(arts))
	for i := range arts {
		ids[i] = arts[i].ID
	}
	tok, err := x.watch.Begin(ids)
	if err != nil {
		return err
	}
	err = x.w.Add(ctx, arts)
	x.watch.Done(tok, err)
	return err
}
