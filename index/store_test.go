package index_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

func articles(prefix string, n int) []newsdex.Article {
	out := make([]newsdex.Article, n)
	for i := range out {
		out[i] = newsdex.Article{
			ID:        fmt.Sprintf("%s-%03d", prefix, i),
			Title:     fmt.Sprintf("Story %d about pipelines", i),
			Body:      "Talks on the gas pipeline continued in Moscow.",
			Published: time.Date(2020, 1, 1+i%28, 0, 0, 0, 0, time.UTC),
			People:    []newsdex.Entity{{Name: "Xi Jinping", Count: 1, First: 0}},
			Passages:  []newsdex.Passage{{Start: 0, End: 46}},
		}
	}
	return out
}

func mustOpen(tb testing.TB, dir string) *index.Index {
	tb.Helper()
	ix, err := index.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

func TestOpenLocksAndCreatesFirstGeneration(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	if index.Exists(dir) {
		t.Fatal("Exists before Open")
	}
	ix := mustOpen(t, dir)
	if got := ix.Generation(); got != "gen-000001" {
		t.Errorf("Generation() = %q, want gen-000001", got)
	}
	if _, err := index.Open(dir); !errors.Is(err, index.ErrBusy) {
		t.Errorf("second Open: err = %v, want ErrBusy", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = mustOpen(t, dir)
	defer ix.Close()
	if !index.Exists(dir) {
		t.Error("Exists after Close = false")
	}
}

func TestAddGetDeleteReplace(t *testing.T) {
	ctx := context.Background()
	ix := mustOpen(t, filepath.Join(t.TempDir(), "ix"))
	defer ix.Close()
	arts := articles("a", 3)
	if err := ix.Add(ctx, arts); err != nil {
		t.Fatal(err)
	}
	arts[0].Title = "Replaced"
	if err := ix.Add(ctx, arts[:1]); err != nil {
		t.Fatal(err)
	}
	if n, _ := ix.Count(); n != 3 {
		t.Errorf("Count = %d after replace, want 3", n)
	}
	a, err := ix.Get("a-000")
	if err != nil || a.Title != "Replaced" {
		t.Errorf("Get = %q, %v; want the replacement", a.Title, err)
	}
	n, err := ix.Delete(ctx, "a-001", "nope")
	if err != nil || n != 1 {
		t.Errorf("Delete = %d, %v; want 1", n, err)
	}
	if _, err := ix.Get("a-001"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("Get deleted: err = %v, want ErrNotFound", err)
	}
	st, err := ix.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 2 || st.Passages != 2 {
		t.Errorf("Stat = %+v, want 2 articles, 2 passages", st)
	}
}

func TestRebuildCommitAbortAndLeftovers(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ix")
	ix := mustOpen(t, dir)
	if err := ix.Add(ctx, articles("old", 5)); err != nil {
		t.Fatal(err)
	}

	// Abort leaves the live generation untouched and removes the new one.
	rb, err := ix.BeginRebuild()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.BeginRebuild(); err == nil {
		t.Error("a second concurrent rebuild was allowed")
	}
	if err := rb.Add(ctx, articles("new", 2)); err != nil {
		t.Fatal(err)
	}
	rb.Abort()
	if _, err := os.Stat(rb.Dir()); !os.IsNotExist(err) {
		t.Errorf("aborted generation still on disk: %v", err)
	}
	if n, _ := ix.Count(); n != 5 || ix.Generation() != "gen-000001" {
		t.Errorf("after abort: %d articles in %s, want 5 in gen-000001", n, ix.Generation())
	}

	// Commit switches; writes during the build land in both generations.
	rb, err = ix.BeginRebuild()
	if err != nil {
		t.Fatal(err)
	}
	if err := rb.Add(ctx, articles("new", 4)); err != nil {
		t.Fatal(err)
	}
	if err := rb.Verify(ctx, 4); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := rb.Verify(ctx, 5); err == nil {
		t.Error("Verify with the wrong count passed, with no live writes")
	}
	if err := ix.Add(ctx, articles("during", 1)); err != nil {
		t.Fatal(err)
	}
	// A live write reached the rebuild: the count is 5 where the source
	// gave 4, and more writes may still arrive, so it is not checked.
	if err := rb.Verify(ctx, 4); err != nil {
		t.Fatalf("Verify after a live write: %v", err)
	}
	old, err := rb.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if old != "gen-000001" || ix.Generation() != "gen-000002" {
		t.Errorf("Commit: old %s, live %s; want gen-000001, gen-000002", old, ix.Generation())
	}
	if n, _ := ix.Count(); n != 5 {
		t.Errorf("after commit: %d articles, want 5", n)
	}
	if _, err := ix.Get("during-000"); err != nil {
		t.Errorf("write during rebuild lost: %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, old)); !os.IsNotExist(err) {
		t.Errorf("old generation %s still on disk after close", old)
	}

	// A half-built generation from a killed process is removed on open.
	if err := os.MkdirAll(filepath.Join(dir, "gen-000009", "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	ix = mustOpen(t, dir)
	defer ix.Close()
	if _, err := os.Stat(filepath.Join(dir, "gen-000009")); !os.IsNotExist(err) {
		t.Error("leftover generation not removed on open")
	}
	if n, _ := ix.Count(); n != 5 || ix.Generation() != "gen-000002" {
		t.Errorf("reopened: %d articles in %s", n, ix.Generation())
	}
}

func TestSwapUnderSearchLoad(t *testing.T) {
	ctx := context.Background()
	ix := mustOpen(t, filepath.Join(t.TempDir(), "ix"))
	defer ix.Close()
	if err := ix.Add(ctx, articles("old", 50)); err != nil {
		t.Fatal(err)
	}
	var failed, empty, total atomic.Int64
	searched := make(chan struct{}, 1) // signalled after each search
	// waitSearches blocks until n more searches have run, so that every
	// generation is searched before the next swap.
	waitSearches := func(n int64) {
		t.Helper()
		want := total.Load() + n
		deadline := time.NewTimer(30 * time.Second)
		defer deadline.Stop()
		for total.Load() < want {
			select {
			case <-searched:
			case <-deadline.C:
				t.Fatalf("only %d of %d searches ran within 30 s", total.Load(), want)
			}
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				q := bleve.NewMatchQuery("pipeline")
				res, err := ix.Bleve().SearchInContext(ctx, bleve.NewSearchRequest(q))
				total.Add(1)
				select {
				case searched <- struct{}{}:
				default:
				}
				switch {
				case err != nil:
					failed.Add(1)
				case res.Total == 0:
					empty.Add(1)
				}
			}
		}()
	}
	var once sync.Once
	stopSearches := func() { once.Do(func() { close(stop) }); wg.Wait() }
	defer stopSearches() // before ix.Close, also when a check fails
	waitSearches(8)
	for range 3 {
		rb, err := ix.BeginRebuild()
		if err != nil {
			t.Fatal(err)
		}
		if err := rb.Add(ctx, articles("new", 50)); err != nil {
			t.Fatal(err)
		}
		if _, err := rb.Commit(); err != nil {
			t.Fatal(err)
		}
		waitSearches(8)
	}
	stopSearches()
	if failed.Load() != 0 || empty.Load() != 0 || total.Load() == 0 {
		t.Errorf("searches during swaps: %d total, %d failed, %d empty", total.Load(), failed.Load(), empty.Load())
	}
}
