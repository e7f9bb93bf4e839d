package index_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

// TestRebuildKeepsWritesInFlight forces the interleavings of a live write
// with a rebuild that copies the live generation (as `newsdex reindex`
// does): the write is held after it has looked for a rebuild and before it
// writes, the rebuild reads the live generation and writes its copies, and
// only then is the write let go. After the switch the write must hold: a
// deleted article stays deleted and a replacement keeps its new text.
//
// A write that started before the rebuild registered used to write the
// live generation only, after the rebuild had copied the old version:
// e2e's TestReindexWithConcurrentWrites saw such articles come back now
// and then under load. Now the rebuild waits for it instead, and the test
// lets the write go when it does.
func TestRebuildKeepsWritesInFlight(t *testing.T) {
	const victim = "w-007"
	tests := []struct {
		name string
		// afterRegister starts the write once the rebuild is registered
		// (it then mirrors into it); otherwise it starts first.
		afterRegister bool
		write         func(ctx context.Context, ix *index.Index) error
		wantTitle     string // "" = the victim must be gone
		wantCount     uint64
	}{
		{name: "delete started before the rebuild", write: deleteVictim, wantCount: 19},
		{name: "replace started before the rebuild", write: replaceVictim, wantTitle: "Replaced", wantCount: 20},
		{name: "delete started during the rebuild", afterRegister: true, write: deleteVictim, wantCount: 19},
		{name: "replace started during the rebuild", afterRegister: true, write: replaceVictim, wantTitle: "Replaced", wantCount: 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ix := mustOpen(t, filepath.Join(t.TempDir(), "ix"))
			defer ix.Close()
			if err := ix.Add(ctx, articles("w", 20)); err != nil {
				t.Fatal(err)
			}

			parked, release := make(chan struct{}), make(chan struct{})
			waiting := make(chan struct{})
			var once sync.Once
			index.SetHooks(ix,
				func() { close(parked); <-release }, // only the test's write gets here
				func() { once.Do(func() { close(waiting) }) })

			// The write, held by the hook until release.
			var writeErr error
			written := make(chan struct{})
			startWrite := func() {
				go func() {
					defer close(written)
					writeErr = tc.write(ctx, ix)
				}()
			}

			// The rebuild: copy every live article into a new generation,
			// then switch once the write has returned.
			registered, goScan, copied := make(chan struct{}), make(chan struct{}), make(chan struct{})
			rebuilt := make(chan error, 1)
			rebuild := func() error {
				rb, err := ix.BeginRebuild()
				if err != nil {
					return err
				}
				close(registered)
				<-goScan
				var arts []newsdex.Article
				if err := ix.Scan(ctx, func(a newsdex.Article) error { arts = append(arts, a); return nil }); err != nil {
					rb.Abort()
					return err
				}
				if err := rb.Add(ctx, arts); err != nil {
					rb.Abort()
					return err
				}
				close(copied)
				<-written
				_, err = rb.Commit()
				return err
			}

			if tc.afterRegister {
				go func() { rebuilt <- rebuild() }()
				<-registered
				startWrite()
				<-parked
				close(goScan)
			} else {
				startWrite()
				<-parked
				close(goScan)
				go func() { rebuilt <- rebuild() }()
			}
			// Let the write go once the rebuild has copied the live
			// generation, or once it waits for the write.
			select {
			case <-copied:
				t.Log("the rebuild copied the live generation while the write was held")
			case <-waiting:
				t.Log("the rebuild waited for the write in flight")
			case err := <-rebuilt:
				t.Fatalf("rebuild ended before the write was let go: %v", err)
			}
			close(release)
			if err := <-rebuilt; err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			<-written
			if writeErr != nil {
				t.Fatalf("write: %v", writeErr)
			}

			a, err := ix.Get(victim)
			switch {
			case tc.wantTitle == "" && !errors.Is(err, index.ErrNotFound):
				t.Errorf("deleted %s is back after the switch: Get = %q, %v", victim, a.Title, err)
			case tc.wantTitle != "" && err != nil:
				t.Errorf("replaced %s after the switch: %v", victim, err)
			case tc.wantTitle != "" && a.Title != tc.wantTitle:
				t.Errorf("replaced %s after the switch has title %q, want %q", victim, a.Title, tc.wantTitle)
			}
			if n, err := ix.Count(); err != nil || n != tc.wantCount {
				t.Errorf("Count after the switch = %d, %v; want %d", n, err, tc.wantCount)
			}
		})
	}
}

func deleteVictim(ctx context.Context, ix *index.Index) error {
	n, err := ix.Delete(ctx, "w-007")
	if err == nil && n != 1 {
		return errors.New("Delete(w-007) found nothing to delete")
	}
	return err
}

func replaceVictim(ctx context.Context, ix *index.Index) error {
	a := articles("w", 8)[7]
	a.Title = "Replaced"
	return ix.Add(ctx, []newsdex.Article{a})
}
