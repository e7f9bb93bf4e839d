package index_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/vector"
)

// unit returns a deterministic unit vector of 8 dimensions pointing mostly
// along axis i, with bytes that are not valid UTF-8 once quantised (the
// stored field must keep them).
func unit(i int) []float32 {
	v := make([]float32, 8)
	for j := range v {
		v[j] = -0.05 * float32(j+1)
	}
	v[i%8] = 1
	return vector.Normalize(v)
}

// embedded returns articles with one vector per passage; article i points
// along axis i.
func embedded(prefix string, n int, model string) []newsdex.Article {
	arts := articles(prefix, n)
	for i := range arts {
		arts[i].Embeddings = &newsdex.Embeddings{Model: model, Vectors: [][]float32{unit(i)}}
	}
	return arts
}

func topIDs(t *testing.T, ix *index.Index, q []float32, f vector.Filter) []string {
	t.Helper()
	st, _ := ix.Vectors()
	hs, err := st.Search(vector.Query{Vector: q, K: 3, MinScore: float32(math.Inf(-1)), Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range hs {
		out = append(out, h.ID)
	}
	return out
}

func TestVectorsFollowWrites(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ix")
	ix := mustOpen(t, dir)
	if _, model := ix.Vectors(); model != "" {
		t.Fatalf("new index has model %q", model)
	}
	arts := embedded("a", 5, "m1")
	arts[4].People = []newsdex.Entity{{Name: "Vladimir Putin"}}
	if err := ix.Add(ctx, arts); err != nil {
		t.Fatal(err)
	}
	st, model := ix.Vectors()
	if n, v := st.Len(); n != 5 || v != 5 || model != "m1" {
		t.Fatalf("store holds %d docs, %d vectors of %q", n, v, model)
	}
	if got := topIDs(t, ix, unit(2), vector.Filter{}); got[0] != "a-002" {
		t.Errorf("nearest to axis 2: %v", got)
	}
	putin := vector.Filter{Groups: [][]string{{index.FilterLabel("f_person", "VLADIMIR PUTIN")}}}
	if got := topIDs(t, ix, unit(2), putin); !slices.Equal(got, []string{"a-004"}) {
		t.Errorf("person filter: %v", got)
	}
	// The stored article does not carry the vectors in its JSON.
	a, err := ix.Get("a-002")
	if err != nil || a.Embeddings != nil {
		t.Fatalf("Get: %v, embeddings %v", err, a.Embeddings)
	}
	// Replacing without vectors and deleting both drop the vectors.
	plain := articles("a", 2)
	if err := ix.Add(ctx, plain[1:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Delete(ctx, "a-002"); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.Len(); n != 3 {
		t.Errorf("after replace and delete the store holds %d docs, want 3", n)
	}
	// Vectors of another model are refused while the index holds some.
	if err := ix.Add(ctx, embedded("b", 1, "m2")); err == nil || !strings.Contains(err.Error(), "reindex") {
		t.Errorf("other model: err = %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopen from the snapshot Close wrote, then from the documents.
	want := []string{"a-003", "a-000", "a-004"}
	for _, from := range []string{"snapshot", "documents"} {
		ix = mustOpen(t, dir)
		if from == "documents" {
			ix.Close()
			if err := os.Remove(filepath.Join(dir, ix.Generation(), "vectors.snap")); err != nil {
				t.Fatal(err)
			}
			ix = mustOpen(t, dir)
		}
		if got := topIDs(t, ix, unit(3), vector.Filter{}); !slices.Equal(got, want) {
			t.Errorf("reopened from %s: %v, want %v", from, got, want)
		}
		if got := topIDs(t, ix, unit(2), putin); !slices.Equal(got, []string{"a-004"}) {
			t.Errorf("reopened from %s: person filter %v", from, got)
		}
		ix.Close()
	}
}

func TestVectorsStaleSnapshotIsIgnored(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ix")
	ix := mustOpen(t, dir)
	if err := ix.Add(ctx, embedded("a", 3, "m1")); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	snap := filepath.Join(dir, ix.Generation(), "vectors.snap")
	old, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	ix = mustOpen(t, dir)
	if _, err := ix.Delete(ctx, "a-001"); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	// As if the process had died before writing the new snapshot.
	if err := os.WriteFile(snap, old, 0o644); err != nil {
		t.Fatal(err)
	}
	ix = mustOpen(t, dir)
	defer ix.Close()
	if got := topIDs(t, ix, unit(1), vector.Filter{}); slices.Contains(got, "a-001") {
		t.Errorf("a stale snapshot was used: %v", got)
	}
}

func TestVectorsRebuildSwap(t *testing.T) {
	ctx := context.Background()
	ix := mustOpen(t, filepath.Join(t.TempDir(), "ix"))
	defer ix.Close()
	if err := ix.Add(ctx, embedded("old", 2, "m1")); err != nil {
		t.Fatal(err)
	}
	rb, err := ix.BeginRebuild()
	if err != nil {
		t.Fatal(err)
	}
	// The new generation may use another model; a live write goes to both.
	if err := rb.Add(ctx, embedded("new", 2, "m2")); err != nil {
		t.Fatal(err)
	}
	if err := ix.Add(ctx, articles("plain", 1)); err != nil {
		t.Fatal(err)
	}
	if _, model := ix.Vectors(); model != "m1" {
		t.Fatalf("live model before commit %q", model)
	}
	if _, err := rb.Commit(); err != nil {
		t.Fatal(err)
	}
	st, model := ix.Vectors()
	if n, _ := st.Len(); n != 2 || model != "m2" {
		t.Fatalf("after commit: %d docs of %q", n, model)
	}
	if got := topIDs(t, ix, unit(1), vector.Filter{}); got[0] != "new-001" {
		t.Errorf("after commit: %v", got)
	}
}

func TestEmbedTexts(t *testing.T) {
	a := newsdex.Article{Title: "Head", Body: "First part. Second part.", Passages: []newsdex.Passage{{Start: 0, End: 12}, {Start: 12, End: 24}}}
	got := index.EmbedTexts(&a)
	want := []string{"Head\nFirst part. ", "Second part."}
	if !slices.Equal(got, want) {
		t.Errorf("EmbedTexts = %q, want %q", got, want)
	}
	a.Title = "First part."
	if got := index.EmbedTexts(&a); got[0] != "First part. " {
		t.Errorf("title repeated from the lead: %q", got[0])
	}
}

func TestEmbedText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Plain text stays as it is.", "Plain text stays as it is."},
		{"THE ALLIES AFTER NASSAU IN DECEMBER 1960, THE U.S . FIRST", "the allies after nassau in december 1960, the u.s . first"},
		{"BAHIA COCOA REVIEW\nShowers continued throughout the week in the NATO area.", "bahia cocoa review\nShowers continued throughout the week in the NATO area."},
		{"US and EU leaders met in Brussels", "US and EU leaders met in Brussels"},
		{"NATO", "NATO"},
		{"KENNEDY ADMINISTRATION PRESSURE", "kennedy administration pressure"},
	} {
		if got := index.EmbedText(tt.in); got != tt.want {
			t.Errorf("EmbedText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
