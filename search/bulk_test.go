package search

import (
	"context"
	"math"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBulkMatchesBleveOnIndex compares the bulk path with Bleve's
// collector on a real index named by NEWSDEX_BULK_CHECK_INDEX (e.g. the
// index `newsdex bench --keep` leaves), over the benchmark's queries and
// variants of them: same total, hits, scores, order and facets.
func TestBulkMatchesBleveOnIndex(t *testing.T) {
	e := engineFromEnv(t, "NEWSDEX_BULK_CHECK_INDEX")
	queries := []string{
		"xi jinping trade", "putin election interference", "climate change paris agreement",
		`"supreme court" abortion`, "north korea summit kim", "impeachment inquiry whistleblower",
		"coronavirus vaccine", "border wall funding shutdown", "tariffs china soybeans",
		"brexit theresa may", "iran nuclear deal sanctions", "syria chemical weapons strike",
		"chinese president trade war", "title:trump tweets", "pipe* oil", "the", "russian president visit",
	}
	ctx := context.Background()
	no := false
	bulkRuns := 0
	defer func(n uint64) { parallelBulkPostings = n }(parallelBulkPostings)
	for _, parallel := range []uint64{0, math.MaxUint64} {
		parallelBulkPostings = parallel // always, then never
		for _, q := range queries {
			for _, r := range []Request{
				{Query: q},
				{Query: q, Page: 4, Size: 7},
				{Query: q, Collapse: &no, Size: 50},
				{Query: q, Filters: map[string][]string{FilterOutlet: {"cnn", "fox news"}}},
				{Query: q, Filters: map[string][]string{FilterPerson: {"donald trump"}}, FacetSize: 3},
			} {
				if _, ok := planBulk(bleveRequest(t, e, r, nil)); ok {
					bulkRuns++
				}
				e.noBulk = true
				want, _, err := e.runSearch(ctx, bleveRequest(t, e, r, nil))
				e.noBulk = false
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := e.runSearch(ctx, bleveRequest(t, e, r, nil))
				if err != nil {
					t.Fatal(err)
				}
				wt, wh, wf := view(want)
				gt, gh, gf := view(got)
				if wt != gt {
					t.Errorf("%+v: total = %d, Bleve %d", r, gt, wt)
				}
				if diff := cmp.Diff(wh, gh); diff != "" {
					t.Errorf("%+v: hits differ (-bleve +bulk):\n%s", r, diff)
				}
				if diff := cmp.Diff(wf, gf); diff != "" {
					t.Errorf("%+v: facets differ (-bleve +bulk):\n%s", r, diff)
				}
			}
		}
	}
	if bulkRuns == 0 {
		t.Error("no request took the bulk path: the check compared nothing")
	}
	t.Logf("%d requests compared, %d of them on the bulk path", 2*len(queries)*5, bulkRuns)
}

// TestFiltersKeepScores: an article scores the same with and without
// filters, whether a filter names one value or several.
func TestFiltersKeepScores(t *testing.T) {
	e := collectFixture(t, 2)
	e.cache = nil // each search must run
	ctx := context.Background()
	for _, bulk := range []bool{true, false} {
		e.noBulk = !bulk
		all, err := e.Search(ctx, Request{Query: "gas trade pipeline", Size: 100, Mode: ModeLexical})
		if err != nil {
			t.Fatal(err)
		}
		scores := map[string]float64{}
		for _, h := range all.Hits {
			scores[h.ID] = h.Score
		}
		for _, filters := range []map[string][]string{
			{FilterPerson: {"vladimir putin"}},
			{FilterPerson: {"vladimir putin", "xi jinping"}},
			{FilterPerson: {"vladimir putin", "xi jinping"}, FilterPlace: {"beijing", "moscow"}},
		} {
			res, err := e.Search(ctx, Request{Query: "gas trade pipeline", Size: 100, Mode: ModeLexical, Filters: filters})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				t.Errorf("bulk %v, %v: no hits; the case tests nothing", bulk, filters)
			}
			for _, h := range res.Hits {
				if want, ok := scores[h.ID]; !ok || h.Score != want {
					t.Errorf("bulk %v, %v: %s scores %v, unfiltered %v", bulk, filters, h.ID, h.Score, want)
				}
			}
		}
	}
}

// TestParallelFacetsMatch: facets counted on several cores equal facets
// counted on one.
func TestParallelFacetsMatch(t *testing.T) {
	e := collectFixture(t, 3)
	e.cache = nil
	ctx := context.Background()
	defer func(n int) { parallelFacetHits = n }(parallelFacetHits)
	for _, q := range []string{"", "putin xi trade gas", "pipeline"} {
		r := Request{Query: q, Mode: ModeLexical, Facets: AllFacets}
		parallelFacetHits = 1 << 30
		one, err := e.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		parallelFacetHits = 1
		many, err := e.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(one.Facets) < 5 {
			t.Fatalf("%q: %d facets; the case tests nothing", q, len(one.Facets))
		}
		if diff := cmp.Diff(one.Facets, many.Facets); diff != "" {
			t.Errorf("%q: facets differ (-one core +several):\n%s", q, diff)
		}
	}
}

// TestParallelBulkMatches: a search split into document ranges searched
// side by side (five here) gives what it gives in one piece.
func TestParallelBulkMatches(t *testing.T) {
	e := collectFixture(t, 4)
	ctx := context.Background()
	defer func(n uint64, docs, cores int) {
		parallelBulkPostings, minRangeDocs = n, docs
		runtime.GOMAXPROCS(cores)
	}(parallelBulkPostings, minRangeDocs, runtime.GOMAXPROCS(5))
	minRangeDocs = 1
	for _, r := range []Request{
		{Query: "putin xi trade gas"},
		{Query: "chinese president trade", Size: 30},
		{Query: `"power of siberia" gas pipeline`, Page: 2, Size: 5},
		{Query: "gas trade", Filters: map[string][]string{FilterPerson: {"vladimir putin", "xi jinping"}}},
	} {
		parallelBulkPostings = math.MaxUint64
		one, _, err := e.runSearch(ctx, bleveRequest(t, e, r, nil))
		if err != nil {
			t.Fatal(err)
		}
		parallelBulkPostings = 0
		many, _, err := e.runSearch(ctx, bleveRequest(t, e, r, nil))
		if err != nil {
			t.Fatal(err)
		}
		ot, oh, of := view(one)
		mt, mh, mf := view(many)
		if ot == 0 {
			t.Errorf("%q: no hits; the case tests nothing", r.Query)
		}
		if ot != mt || !cmp.Equal(oh, mh) || !cmp.Equal(of, mf) {
			t.Errorf("%q: drained on several cores: total %d, hits %v; on one: total %d, hits %v", r.Query, mt, mh, ot, oh)
		}
	}
}
