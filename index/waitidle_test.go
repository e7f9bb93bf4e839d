package index

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
)

func TestWaitIdle(t *testing.T) {
	ix, err := Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ix.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle on a fresh index: %v", err)
	}
	for b := range 12 {
		var arts []newsdex.Article
		for i := range 20 {
			arts = append(arts, newsdex.Article{ID: fmt.Sprintf("a%d-%d", b, i), Title: "Title", Body: "Talks went on in Moscow."})
		}
		if err := ix.Add(ctx, arts); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle after writes: %v", err)
	}
	if n, _ := ix.Count(); n != 240 {
		t.Errorf("Count = %d, want 240", n)
	}
}
