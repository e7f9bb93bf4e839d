package dedupeval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex/dedup"
)

// fixtures reads dedup's invented test articles (dedup/testdata/README.md)
// in the given order.
func fixtures(t *testing.T, names ...string) []Doc {
	t.Helper()
	var docs []Doc
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "dedup", "testdata", n+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, Doc{ID: n, Outlet: "Agency", Title: n, Date: "2024-01-01", Text: string(b)})
	}
	return docs
}

// TestEvaluate checks the figures and the sample on the fixtures: one
// group of the original and its three copies, short.txt skipped.
func TestEvaluate(t *testing.T) {
	docs := fixtures(t, "original", "sametopic", "copy", "unrelated", "resend", "update", "short")
	r, err := Evaluate(t.Context(), docs, dedup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := struct{ Articles, Skipped, Groups, Grouped int }{r.Articles, r.Skipped, r.Groups, r.Grouped}
	want := struct{ Articles, Skipped, Groups, Grouped int }{7, 1, 1, 4}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Evaluate figures mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int]int{4: 1}, r.Sizes); diff != "" {
		t.Errorf("Sizes mismatch (-want +got):\n%s", diff)
	}
	var sum, sample strings.Builder
	if err := r.WriteSummary(&sum); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sum.String(), "group sizes: 4×1\n") {
		t.Errorf("summary lacks the group sizes:\n%s", sum.String())
	}
	if err := r.WriteSample(&sample, 5, 1); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"canonical original", "--- copy |", "--- resend |", "--- update |"} {
		if !strings.Contains(sample.String(), id) {
			t.Errorf("sample lacks %q:\n%s", id, sample.String())
		}
	}
}

func TestEvaluateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Evaluate(ctx, fixtures(t, "original"), dedup.Options{}); err == nil {
		t.Error("Evaluate with a cancelled context succeeded")
	}
}
