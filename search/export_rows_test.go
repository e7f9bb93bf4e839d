package search_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// exportFixture indexes n made-up articles: every fifth undated, outlets
// in turn, every seventh mentioning "storm", and a wire copy of each of
// the first three storm articles.
func exportFixture(tb testing.TB, n int) *search.Engine {
	tb.Helper()
	outlets := []string{"Daily Planet", "Evening Post", "Metro News"}
	var arts []newsdex.Article
	for i := range n {
		a := newsdex.Article{
			ID:     fmt.Sprintf("a%04d", (i*7919)%10000), // ids not in index order
			Title:  fmt.Sprintf("Article %d", i),
			Body:   fmt.Sprintf("Report number %d on the council budget.", i),
			Outlet: outlets[i%len(outlets)],
			URL:    fmt.Sprintf("https://example.com/%d", i),
		}
		if i%5 != 0 {
			a.Published = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i*37)%400)
		}
		if i%7 == 0 {
			a.Body += " A storm hit the coast, with \"quotes\", commas; and\nnew lines."
		}
		arts = append(arts, a)
	}
	for i, a := range arts[: 3*7 : 3*7] {
		if i%7 != 0 {
			continue
		}
		c := a
		c.ID, c.DuplicateOf = a.ID+"-copy", a.ID
		arts = append(arts, c)
	}
	ix, err := index.Open(filepath.Join(tb.TempDir(), "ix"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if err := ix.Add(context.Background(), arts); err != nil {
		tb.Fatal(err)
	}
	eng, err := search.New(ix, search.WithoutResultCache())
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

// exportAll exports r in batches of batch and returns the rows and the
// total Begin was given.
func exportAll(t *testing.T, eng *search.Engine, r search.Request, batch int) ([]search.ExportRow, uint64) {
	t.Helper()
	var rows []search.ExportRow
	var total uint64
	begun := 0
	n, err := eng.Export(context.Background(), r, search.ExportOptions{
		Begin:      func(n uint64) error { begun++; total = n; return nil },
		Row:        func(row *search.ExportRow) error { rows = append(rows, *row); return nil },
		Duplicates: true,
		Batch:      batch,
	})
	if err != nil {
		t.Fatalf("Export(%+v): %v", r, err)
	}
	if begun != 1 {
		t.Errorf("Begin called %d times, want once", begun)
	}
	if n != uint64(len(rows)) {
		t.Errorf("Export returned %d, Row was called %d times", n, len(rows))
	}
	return rows, total
}

// TestExportMatchSet: an export lists every article of the match set once,
// as many as Search's total, in the documented order, whatever the batch
// size.
func TestExportMatchSet(t *testing.T) {
	eng := exportFixture(t, 240)
	no := false
	tests := []struct {
		name string
		r    search.Request
	}{
		{"match all", search.Request{}},
		{"words", search.Request{Query: "storm coast"}},
		{"or", search.Request{Query: "storm budget", Op: search.OpOr}},
		{"filter", search.Request{Filters: map[string][]string{search.FilterOutlet: {"Evening Post"}}}},
		{"dates", search.Request{From: day("2020-03-01"), To: day("2020-06-30")}},
		{"sort date", search.Request{Sort: search.SortDate}},
		{"sort date_asc", search.Request{Sort: search.SortDateAsc, Query: "council"}},
		{"no collapse", search.Request{Collapse: &no, Query: "storm"}},
		{"nothing", search.Request{Query: "volcano"}},
		// Paging parameters are the search's, not the export's.
		{"paging ignored", search.Request{Size: 5, Page: 3}},
	}
	for _, tc := range tests {
		for _, batch := range []int{1, 7, 1000} {
			t.Run(fmt.Sprintf("%s/batch=%d", tc.name, batch), func(t *testing.T) {
				rows, total := exportAll(t, eng, tc.r, batch)
				want := tc.r
				want.Size, want.Page, want.Mode = search.MaxSize, 0, search.ModeLexical
				res, err := eng.Search(context.Background(), want)
				if err != nil {
					t.Fatal(err)
				}
				if total != res.Total || uint64(len(rows)) != res.Total {
					t.Fatalf("export: Begin(%d) and %d rows, search total %d", total, len(rows), res.Total)
				}
				seen := map[string]bool{}
				for i, row := range rows {
					a := row.Article
					if seen[a.ID] {
						t.Fatalf("row %d repeats %s", i, a.ID)
					}
					seen[a.ID] = true
					if i == 0 {
						continue
					}
					if prev := rows[i-1].Article; !inOrder(tc.r.Sort, prev, a) {
						t.Errorf("row %d (%s %s) after row %d (%s %s) breaks sort %q", i, a.ID, a.Published.Format(time.DateOnly),
							i-1, prev.ID, prev.Published.Format(time.DateOnly), tc.r.Sort)
					}
				}
				// The set is the search's: walk it by page (a date cursor
				// cannot pass an undated article).
				walkReq := want
				walkReq.Sort = search.SortDate
				hits, _ := walk(t, eng, walkReq, false)
				var walked, exported []string
				for _, h := range hits {
					walked = append(walked, h.ID)
				}
				for _, row := range rows {
					exported = append(exported, row.Article.ID)
				}
				slices.Sort(walked)
				slices.Sort(exported)
				if diff := cmp.Diff(walked, exported); diff != "" {
					t.Errorf("exported ids differ from the search's (-search +export):\n%s", diff)
				}
			})
		}
	}
}

// inOrder reports whether b may follow a in an export under sort s.
func inOrder(s string, a, b newsdex.Article) bool {
	switch s {
	case search.SortDate, search.SortDateAsc:
		switch {
		case a.Published.IsZero() && !b.Published.IsZero():
			return false // undated last
		case b.Published.IsZero() && !a.Published.IsZero():
			return true
		case a.Published.Equal(b.Published):
			return a.ID < b.ID
		case s == search.SortDate:
			return b.Published.Before(a.Published)
		default:
			return a.Published.Before(b.Published)
		}
	default:
		return a.ID < b.ID
	}
}

// TestExportDuplicates: a row that leads a wire-copy group counts its
// copies, as the search's hit does.
func TestExportDuplicates(t *testing.T) {
	eng := exportFixture(t, 30)
	rows, _ := exportAll(t, eng, search.Request{Query: "storm"}, 2)
	got := map[string]int{}
	for _, row := range rows {
		got[row.Article.ID] = row.Duplicates
	}
	// Storm articles are i = 0, 7, 14, 21, 28; the first three have a copy.
	want := map[string]int{"a0000": 1, "a5433": 1, "a0866": 1, "a6299": 0, "a1732": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
}

// TestExportStops: errors before the first row are Search's; an error of
// Row or a cancelled context ends the export with it.
func TestExportStops(t *testing.T) {
	eng := exportFixture(t, 50)
	ctx := context.Background()
	t.Run("bad parameter", func(t *testing.T) {
		called := false
		_, err := eng.Export(ctx, search.Request{Query: `"unclosed`}, search.ExportOptions{
			Begin: func(uint64) error { called = true; return nil },
			Row:   func(*search.ExportRow) error { return nil },
		})
		if !search.IsParamError(err) {
			t.Errorf("err = %v, want a *ParamError", err)
		}
		if called {
			t.Error("Begin was called for a bad request")
		}
	})
	t.Run("row error", func(t *testing.T) {
		stop := errors.New("disk full")
		n, err := eng.Export(ctx, search.Request{}, search.ExportOptions{Batch: 4, Row: func(row *search.ExportRow) error {
			if row.Article.ID > "a5" {
				return stop
			}
			return nil
		}})
		if !errors.Is(err, stop) || n == 0 || n >= 50 {
			t.Errorf("Export = %d, %v; want some rows, then %v", n, err, stop)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		n, err := eng.Export(cctx, search.Request{}, search.ExportOptions{Batch: 5, Row: func(*search.ExportRow) error {
			cancel()
			return nil
		}})
		if !errors.Is(err, context.Canceled) || n != 5 {
			t.Errorf("Export = %d, %v; want the first batch (5), then context.Canceled", n, err)
		}
	})
	t.Run("begin error", func(t *testing.T) {
		stop := errors.New("no")
		rows := 0
		_, err := eng.Export(ctx, search.Request{}, search.ExportOptions{Begin: func(uint64) error { return stop },
			Row: func(*search.ExportRow) error { rows++; return nil }})
		if !errors.Is(err, stop) || rows != 0 {
			t.Errorf("Export = %v with %d rows; want %v and none", err, rows, stop)
		}
	})
	t.Run("body kept", func(t *testing.T) {
		var bodies []string
		_, err := eng.Export(ctx, search.Request{Query: "storm"}, search.ExportOptions{Row: func(row *search.ExportRow) error {
			bodies = append(bodies, row.Article.Body)
			return nil
		}})
		if err != nil || len(bodies) == 0 || !strings.Contains(bodies[0], "storm") {
			t.Errorf("Export = %v, bodies %q; want the stored bodies", err, bodies)
		}
	})
}

// BenchmarkExport measures a match-all export of a 5,000-article index
// per row (allocations per row show it does not grow with the set).
func BenchmarkExport(b *testing.B) {
	eng := exportFixture(b, 5000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		n, err := eng.Export(ctx, search.Request{}, search.ExportOptions{Row: func(*search.ExportRow) error { return nil }})
		if err != nil || n < 5000 {
			b.Fatal(n, err)
		}
	}
}
