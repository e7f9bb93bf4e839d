package eval_test

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/newsdex/newsdex/internal/eval"
	"github.com/newsdex/newsdex/vector"
)

var update = flag.Bool("update", false, "rewrite the golden files in internal/eval/testdata")

// floorFixture is three judged queries and one unjudged, small enough to
// work out by hand:
//
//   - a: relevant a1 and a3; hits a1 .9, a2 .6, a3 .4, a4 .3, given out of
//     order (Sweep sorts them);
//   - b: relevant b9, which is never near; hits b1 .5, b2 .35;
//   - d: relevant d00 (rank 1) and d55 (rank 56); 60 hits from .8 down in
//     steps of .001, so that its set reaches beyond rank 50;
//   - c: no judgments, so not measured.
func floorFixture() []eval.FloorQuery {
	a := eval.FloorQuery{
		Relevant: map[string]bool{"a1": true, "a3": true},
		Hits:     []vector.Hit{{ID: "a3", Score: .4}, {ID: "a1", Score: .9}, {ID: "a4", Score: .3}, {ID: "a2", Score: .6}},
	}
	b := eval.FloorQuery{
		Relevant: map[string]bool{"b9": true},
		Hits:     []vector.Hit{{ID: "b1", Score: .5}, {ID: "b2", Score: .35}},
	}
	c := eval.FloorQuery{Hits: []vector.Hit{{ID: "c1", Score: .99}}}
	d := eval.FloorQuery{Relevant: map[string]bool{"d00": true, "d55": true}}
	for i := range 60 {
		d.Hits = append(d.Hits, vector.Hit{ID: fmt.Sprintf("d%02d", i), Score: float32(.8 - float64(i)*.001)})
	}
	return []eval.FloorQuery{a, b, c, d}
}

func TestSweep(t *testing.T) {
	rows := eval.Sweep(floorFixture(), []float64{.3, .5, .85, .95}, []int{1, 2})
	want := []eval.FloorRow{
		{
			// a: 4 (2 relevant); b: 2 (0); d: 60 (2, one of them at rank
			// 56 among the 10 beyond rank 50). A score equal to t counts.
			Threshold: .3, Queries: 3, InSets: 66, Relevant: 4, MeanSize: 22,
			MeanPrecision: (2.0/4 + 0 + 2.0/60) / 3, MicroPrecision: 4.0 / 66, MeanRecall: (1 + 0 + 1.0) / 3,
			Deep: 10, DeepRelevant: 1, DeepPrecision: .1,
			Top: []eval.FloorTop{
				{K: 1, Precision: 2.0 / 3, Shown: 3, Relevant: 2, Micro: 2.0 / 3},
				{K: 2, Precision: (.5 + 0 + .5) / 3, Shown: 6, Relevant: 2, Micro: 2.0 / 6},
			},
		},
		{
			// a: a1, a2 (1 relevant); b: b1 at exactly .5; d: all 60.
			Threshold: .5, Queries: 3, InSets: 63, Relevant: 3, MeanSize: 21,
			MeanPrecision: (.5 + 0 + 2.0/60) / 3, MicroPrecision: 3.0 / 63, MeanRecall: (.5 + 0 + 1) / 3,
			Deep: 10, DeepRelevant: 1, DeepPrecision: .1,
			Top: []eval.FloorTop{
				{K: 1, Precision: 2.0 / 3, Shown: 3, Relevant: 2, Micro: 2.0 / 3},
				// b's set has one article: it shows one, not two.
				{K: 2, Precision: (.5 + 0 + .5) / 3, Shown: 5, Relevant: 2, Micro: 2.0 / 5},
			},
		},
		{
			// a: a1 only; b and d empty, left out of the mean precision
			// but not of the mean size and recall.
			Threshold: .85, Queries: 3, Empty: 2, EmptyShare: 2.0 / 3, InSets: 1, Relevant: 1, MeanSize: 1.0 / 3,
			MeanPrecision: 1, MicroPrecision: 1, MeanRecall: .5 / 3,
			Top: []eval.FloorTop{
				{K: 1, Precision: 1, Shown: 1, Relevant: 1, Micro: 1},
				{K: 2, Precision: 1, Shown: 1, Relevant: 1, Micro: 1},
			},
		},
		{
			Threshold: .95, Queries: 3, Empty: 3, EmptyShare: 1,
			Top: []eval.FloorTop{{K: 1}, {K: 2}},
		},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		t.Run(fmt.Sprint(want[i].Threshold), func(t *testing.T) {
			if got, w := roundRow(rows[i]), roundRow(want[i]); !reflect.DeepEqual(got, w) {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
		})
	}
}

// roundRow rounds a row's ratios to 1e-9, so that rows computed in a
// different order compare equal.
func roundRow(r eval.FloorRow) eval.FloorRow {
	r9 := func(v float64) float64 { return math.Round(v*1e9) / 1e9 }
	r.Threshold, r.EmptyShare, r.MeanSize = r9(r.Threshold), r9(r.EmptyShare), r9(r.MeanSize)
	r.MeanPrecision, r.MicroPrecision, r.MeanRecall, r.DeepPrecision = r9(r.MeanPrecision), r9(r.MicroPrecision), r9(r.MeanRecall), r9(r.DeepPrecision)
	top := make([]eval.FloorTop, len(r.Top))
	for i, x := range r.Top {
		x.Precision, x.Micro = r9(x.Precision), r9(x.Micro)
		top[i] = x
	}
	r.Top = top
	return r
}

func TestFloorThresholds(t *testing.T) {
	ts := eval.FloorThresholds()
	if len(ts) != 11 || ts[0] != .2 || ts[3] != .35 || ts[10] != .7 {
		t.Errorf("FloorThresholds() = %v, want 0.20, 0.25, ..., 0.70", ts)
	}
}

func TestQueryEmbedText(t *testing.T) {
	tests := []struct{ name, q, want string }{
		{"plain", "climate change", "climate change"},
		{"excluded word dropped", "putin -xi", "putin"},
		{"operators dropped", "putin AND (xi OR modi)", "putin xi modi"},
		{"phrase kept", `"climate change" warming`, "climate change warming"},
		{"wildcard stripped", "elect*", "elect"},
		{"capitals lowered", "PRESIDENT KENNEDY", "president kennedy"},
		{"nothing positive", "-trump", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eval.QueryEmbedText(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("QueryEmbedText(%q) = %q, want %q", tc.q, got, tc.want)
			}
		})
	}
	if _, err := eval.QueryEmbedText(`"unclosed`); err == nil {
		t.Error(`QueryEmbedText("\"unclosed") = nil error, want a parse error`)
	}
}

// TestWriteFloor pins the layout of the tables (testdata/floor.golden;
// -update rewrites it).
func TestWriteFloor(t *testing.T) {
	for _, complete := range []bool{true, false} {
		r := &eval.FloorResult{
			Collection: "fixture", About: "the hand-made fixture of TestSweep", Docs: 70, Queries: 3,
			Complete: complete, MeanRelevant: 5.0 / 3, Rows: eval.Sweep(floorFixture(), []float64{.3, .5, .85, .95}, []int{1, 2}),
		}
		var buf bytes.Buffer
		eval.WriteFloor(&buf, r)
		golden := filepath.Join("testdata", fmt.Sprintf("floor-complete-%v.golden", complete))
		if *update {
			if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("WriteFloor (complete %v):\n%s\nwant (%s):\n%s", complete, buf.Bytes(), golden, want)
		}
	}
}

func TestFloorRule(t *testing.T) {
	// The floor is computed in float32, as the engine compares cosines:
	// .9 − .1 is float32(.9) − float32(.1), not float32(.8).
	f32 := func(a, b float32) float32 { return a - b }
	tests := []struct {
		rule eval.FloorRule
		best float32
		want float32
		str  string
	}{
		// An absolute floor ignores the query's best cosine.
		{eval.FloorRule{Min: .65}, .9, .65, "0.65"},
		{eval.FloorRule{Min: .65}, .3, .65, "0.65"},
		// A relative one is best − band while that is above the minimum…
		{eval.FloorRule{Min: .3, Band: .1}, .9, f32(.9, .1), "max(0.30,b-0.10)"},
		{eval.FloorRule{Min: .3, Band: .05}, .52, f32(.52, .05), "max(0.30,b-0.05)"},
		// …and the minimum below it, also when best itself is below it
		// (the set is then empty).
		{eval.FloorRule{Min: .45, Band: .2}, .5, .45, "max(0.45,b-0.20)"},
		{eval.FloorRule{Min: .45, Band: .05}, .4, .45, "max(0.45,b-0.05)"},
	}
	for _, tc := range tests {
		t.Run(tc.str, func(t *testing.T) {
			if got := tc.rule.Floor(tc.best); got != tc.want {
				t.Errorf("%v.Floor(%v) = %v, want %v", tc.rule, tc.best, got, tc.want)
			}
			if got := tc.rule.String(); got != tc.str {
				t.Errorf("String() = %q, want %q", got, tc.str)
			}
		})
	}
	if got, want := eval.Relative([]float64{.3, .4}, []float64{.05, .1}), []eval.FloorRule{{.3, .05}, {.3, .1}, {.4, .05}, {.4, .1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Relative = %v, want %v", got, want)
	}
}

// TestSweepRelative works the relative floors out by hand on floorFixture
// (best cosines: a .9, b .5, d .8).
func TestSweepRelative(t *testing.T) {
	rules := []eval.FloorRule{{Min: .3, Band: .1}, {Min: .55, Band: .1}, {Min: .3, Band: .0205}}
	rows := eval.SweepRules(floorFixture(), rules, []int{1})
	want := []eval.FloorRow{
		{
			// a: floor .8, {a1} (relevant); b: floor .4, {b1}; d: floor
			// .7, all 60 (down to .741), d00 and d55 relevant.
			Threshold: .3, Band: .1, Queries: 3, InSets: 62, Relevant: 3, MeanSize: 62.0 / 3,
			MeanPrecision: (1 + 0 + 2.0/60) / 3, MicroPrecision: 3.0 / 62, MeanRecall: (.5 + 0 + 1) / 3,
			Deep: 10, DeepRelevant: 1, DeepPrecision: .1,
			Top: []eval.FloorTop{{K: 1, Precision: 2.0 / 3, Shown: 3, Relevant: 2, Micro: 2.0 / 3}},
		},
		{
			// The minimum .55 is above b's best .5: b's set is empty,
			// while a and d keep their relative floors .8 and .7.
			Threshold: .55, Band: .1, Queries: 3, Empty: 1, EmptyShare: 1.0 / 3, InSets: 61, Relevant: 3, MeanSize: 61.0 / 3,
			MeanPrecision: (1 + 2.0/60) / 2, MicroPrecision: 3.0 / 61, MeanRecall: (.5 + 0 + 1) / 3,
			Deep: 10, DeepRelevant: 1, DeepPrecision: .1,
			Top: []eval.FloorTop{{K: 1, Precision: 1, Shown: 2, Relevant: 2, Micro: 1}},
		},
		{
			// A narrow band: a {a1}; b {b1}; d floor .7795, d00 to d20
			// (21 articles, d00 relevant).
			Threshold: .3, Band: .0205, Queries: 3, InSets: 23, Relevant: 2, MeanSize: 23.0 / 3,
			MeanPrecision: (1 + 0 + 1.0/21) / 3, MicroPrecision: 2.0 / 23, MeanRecall: (.5 + 0 + .5) / 3,
			Top: []eval.FloorTop{{K: 1, Precision: 2.0 / 3, Shown: 3, Relevant: 2, Micro: 2.0 / 3}},
		},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		t.Run(rules[i].String(), func(t *testing.T) {
			if got, w := roundRow(rows[i]), roundRow(want[i]); !reflect.DeepEqual(got, w) {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
		})
	}
}

func TestProbeSizes(t *testing.T) {
	hits := []vector.Hit{{ID: "x3", Score: .40}, {ID: "x1", Score: .52}, {ID: "x2", Score: .47}}
	rules := []eval.FloorRule{{Min: .65}, {Min: .45}, {Min: .3, Band: .05}, {Min: .3, Band: .08}, {Min: .3, Band: .2}, {Min: .5, Band: .2}}
	got := eval.ProbeSizes("marathon", hits, rules)
	want := eval.FloorProbe{Query: "marathon", Best: .52, Sizes: []int{0, 2, 2, 2, 3, 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ProbeSizes = %+v, want %+v", got, want)
	}
	if got := eval.ProbeSizes("nothing", nil, rules); got.Best != 0 || !reflect.DeepEqual(got.Sizes, make([]int, len(rules))) {
		t.Errorf("ProbeSizes without hits = %+v, want best 0 and empty sets", got)
	}
}
