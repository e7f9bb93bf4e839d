package eval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsdex/newsdex/search"
)

// The counts check is tested against fakeEngine, a tiny engine that keeps
// the contract by construction (its match set is the documents with every
// word, or any with op=or; partial matches are listed after it), and
// against the same engine with one bug switched on: each bug must fail the
// checks that watch for it, and only those.

type fakeDoc struct {
	id, outlet, person, place string
	published                 time.Time
	words                     map[string]bool
}

// fakeDocs returns n documents whose words, outlet, person, place and
// month follow from their number, so that sets overlap and span pages.
func fakeDocs(n int) []fakeDoc {
	docs := make([]fakeDoc, n)
	for i := range docs {
		d := fakeDoc{
			id:        fmt.Sprintf("d%03d", i),
			outlet:    []string{"Reuters", "AP", "BBC", "The Hill"}[i%4],
			person:    []string{"Vladimir Putin", "Xi Jinping", "Joe Biden"}[i%3],
			place:     []string{"Moscow", "Beijing"}[i%2],
			published: time.Date(2019, time.Month(1+i%5), 1+i%28, 0, 0, 0, 0, time.UTC),
			words:     map[string]bool{"news": true},
		}
		if i%2 == 0 {
			d.words["putin"] = true
		}
		if i%3 == 0 {
			d.words["xi"] = true
		}
		docs[i] = d
	}
	return docs
}

// Bugs fakeEngine can have.
const (
	bugNone        = ""
	bugFacet       = "outlet facet one too many"
	bugHistogram   = "histogram misses an article"
	bugCursor      = "cursor repeats the last hit"
	bugDeepCursor  = "cursor fails after 100 hits"
	bugDeepPage    = "pages after the first are empty"
	bugDateRelated = "date sort lists related hits"
	bugOrDefault   = "words are ORed by default"
	bugDateOrder   = "date sort is oldest first"
)

type fakeEngine struct {
	docs []fakeDoc
	bug  string
}

type fakeHit struct {
	d       *fakeDoc
	match   string
	missing []string
}

func (f *fakeEngine) Search(_ context.Context, r search.Request) (*search.Results, error) {
	if err := r.Normalize(); err != nil {
		return nil, err
	}
	op := r.Op
	if f.bug == bugOrDefault {
		op = search.OpOr
	}
	var words []string
	for _, w := range strings.Fields(r.Query) {
		switch w {
		case "AND":
			op = search.OpAnd
		case "OR":
			op = search.OpOr
		default:
			words = append(words, strings.ToLower(w))
		}
	}
	var set, related []fakeHit
	for i := range f.docs {
		d := &f.docs[i]
		if !f.passes(d, &r) {
			continue
		}
		var missing []string
		for _, w := range words {
			if !d.words[w] {
				missing = append(missing, w)
			}
		}
		switch {
		case len(missing) == 0 || op == search.OpOr && len(missing) < len(words):
			set = append(set, fakeHit{d: d, match: search.MatchAll})
		case len(missing) < len(words):
			related = append(related, fakeHit{d: d, match: search.MatchPartial, missing: missing})
		}
	}
	res := &search.Results{Total: uint64(len(set)), Related: uint64(len(related)), Mode: r.Mode, Hits: []search.Hit{}, Facets: f.facets(set, &r)}
	list := slices.Concat(set, related)
	if r.Sort != search.SortRelevance {
		list = set
		if r.Count == search.CountRelated || f.bug == bugDateRelated {
			list = slices.Concat(set, related)
		}
		desc := r.Sort == search.SortDate && f.bug != bugDateOrder
		slices.SortStableFunc(list, func(a, b fakeHit) int {
			c := a.d.published.Compare(b.d.published)
			if desc {
				c = -c
			}
			if c == 0 {
				c = strings.Compare(a.d.id, b.d.id)
			}
			return c
		})
	}
	from := (r.Page - 1) * r.Size
	if r.Cursor != "" {
		var err error
		if from, err = strconv.Atoi(r.Cursor); err != nil {
			return nil, fmt.Errorf("fake: bad cursor %q", r.Cursor)
		}
		if f.bug == bugDeepCursor && from >= 100 {
			return nil, errors.New("invalid cursor: bad offset")
		}
	}
	if f.bug == bugDeepPage && r.Page > 1 {
		return res, nil
	}
	end := min(from+r.Size, len(list))
	for _, h := range list[min(from, end):end] {
		res.Hits = append(res.Hits, search.Hit{ID: h.d.id, Title: "about " + h.d.id, Outlet: h.d.outlet,
			Published: h.d.published.Format(time.DateOnly), Match: h.match, Missing: h.missing})
	}
	if end < len(list) {
		if f.bug == bugCursor {
			end--
		}
		res.NextCursor = strconv.Itoa(end)
	}
	return res, nil
}

func (f *fakeEngine) passes(d *fakeDoc, r *search.Request) bool {
	for name, vals := range r.Filters {
		v := map[string]string{search.FilterOutlet: d.outlet, search.FilterPerson: d.person, search.FilterPlace: d.place}[name]
		if !slices.Contains(vals, v) {
			return false
		}
	}
	return (r.From.IsZero() || !d.published.Before(r.From)) && (r.To.IsZero() || d.published.Before(r.To.AddDate(0, 0, 1)))
}

func (f *fakeEngine) facets(set []fakeHit, r *search.Request) map[string][]search.Bucket {
	out := map[string][]search.Bucket{}
	for _, name := range r.Facets {
		n := map[string]int{}
		for i, h := range set {
			if f.bug == bugHistogram && name == search.FacetPublished && i == 0 {
				continue
			}
			n[map[string]string{
				search.FacetOutlets: h.d.outlet, search.FacetPeople: h.d.person, search.FacetPlaces: h.d.place,
				search.FacetPublished: h.d.published.Format("2006-01"),
			}[name]]++
		}
		var bs []search.Bucket
		for v, c := range n {
			if v == "" {
				continue
			}
			if name == search.FacetPublished {
				from, _ := time.Parse("2006-01", v)
				bs = append(bs, search.Bucket{Key: v, From: from.Format(time.DateOnly), To: from.AddDate(0, 1, 0).Format(time.DateOnly), Count: c})
				continue
			}
			bs = append(bs, search.Bucket{Value: v, Count: c})
		}
		slices.SortFunc(bs, func(a, b search.Bucket) int {
			if name == search.FacetPublished {
				return strings.Compare(a.Key, b.Key)
			}
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Value, b.Value)
		})
		if name == search.FacetOutlets && f.bug == bugFacet && len(bs) > 0 {
			bs[0].Count++
		}
		out[name] = bs[:min(len(bs), r.FacetSize)]
	}
	return out
}

func TestCheckCounts(t *testing.T) {
	queries := []CountQuery{
		{Query: "putin"},
		{Query: "putin xi", Same: []SameSet{{Query: "putin AND xi"}, {Op: search.OpOr, Query: "putin OR xi"}}},
		{Query: "news", From: "2019-02-01", To: "2019-03-31", Sort: search.SortDateAsc, Titles: 2},
	}
	modes := []string{search.ModeLexical, search.ModeHybrid}
	tests := []struct {
		bug string
		// fail lists the checks that must fail (by name prefix); no
		// other may.
		fail []string
	}{
		{bugNone, nil},
		{bugFacet, []string{"outlets sum", "click outlet=", "facet clicks"}},
		{bugHistogram, []string{"histogram sum", "click month=", "facet clicks"}},
		{bugCursor, []string{"cursor walk", "cursor match", "date list"}},
		{bugDeepCursor, []string{"cursor walk", "cursor match", "date list", "same set"}},
		{bugDeepPage, []string{"page walk", "page count"}},
		{bugDateRelated, []string{"date list", "date match"}},
		{bugOrDefault, []string{"same set op=default"}},
		{bugDateOrder, []string{"date order"}},
	}
	for _, tc := range tests {
		name := tc.bug
		if name == "" {
			name = "no bug"
		}
		t.Run(name, func(t *testing.T) {
			eng := &fakeEngine{docs: fakeDocs(250), bug: tc.bug}
			rep, err := CheckCounts(context.Background(), eng, queries, modes, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Rows) != len(queries)*len(modes) {
				t.Fatalf("%d rows, want %d", len(rep.Rows), len(queries)*len(modes))
			}
			failed := map[string]bool{}
			for _, r := range rep.Rows {
				for _, c := range r.Checks {
					if c.Pass {
						continue
					}
					failed[c.Name] = true
					if !slices.ContainsFunc(tc.fail, func(p string) bool { return strings.HasPrefix(c.Name, p) }) {
						t.Errorf("%s %s: check %q failed: %s", r.Query, r.Mode, c.Name, c.Detail)
					}
				}
			}
			for _, p := range tc.fail {
				if !slices.ContainsFunc(keys(failed), func(n string) bool { return strings.HasPrefix(n, p) }) {
					t.Errorf("no check %q failed; failed: %v", p, keys(failed))
				}
			}
			if tc.bug == bugNone {
				if rep.Failed != 0 || rep.Passed == 0 {
					t.Errorf("passed %d, failed %d; want all to pass", rep.Passed, rep.Failed)
				}
				checkFakeFigures(t, rep)
			}
		})
	}
}

// checkFakeFigures checks the figures of the correct engine's rows against
// the fixture's arithmetic: putin is in even documents (125 of 250), xi in
// every third (84), both in every sixth (42), whose values are two
// outlets, one person and one place, over five months: 7 clicks.
func checkFakeFigures(t *testing.T, rep *CountsReport) {
	t.Helper()
	r := rep.Rows[0] // putin, lexical
	if r.Total != 125 || r.Related != 0 || r.Cursor.Seen != 125 || r.Pages.Pages != 2 || r.Date.Seen != 125 {
		t.Errorf("putin: total %d related %d, cursor %d, pages %d, date %d; want 125, 0, 125, 2, 125",
			r.Total, r.Related, r.Cursor.Seen, r.Pages.Pages, r.Date.Seen)
	}
	r = rep.Rows[2] // putin xi, lexical
	if r.Total != 42 || r.Related != 125 || r.Cursor.Seen != 167 || r.DateRelated.Seen != 167 || r.Clicks != 7 {
		t.Errorf("putin xi: total %d related %d, cursor %d, date+related %d, clicks %d; want 42, 125, 167, 167, 7",
			r.Total, r.Related, r.Cursor.Seen, r.DateRelated.Seen, r.Clicks)
	}
	r = rep.Rows[4] // news in February and March, oldest first
	if len(r.Titles) != 2 || !strings.HasPrefix(r.Titles[0], "2019-02-01 ") {
		t.Errorf("news Feb-Mar date_asc: titles %q, want 2 from 2019-02-01", r.Titles)
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestDateOrderBreak(t *testing.T) {
	h := func(dates ...string) []search.Hit {
		var hs []search.Hit
		for _, d := range dates {
			hs = append(hs, search.Hit{Published: d})
		}
		return hs
	}
	tests := []struct {
		name string
		hits []search.Hit
		asc  bool
		want int
	}{
		{"newest first", h("2020-01-02", "2020-01-02", "2019-05-01"), false, -1},
		{"undated last", h("2020-01-02", "", ""), false, -1},
		{"undated first", h("", "2020-01-02"), false, 1},
		{"out of order", h("2019-01-01", "2020-01-01"), false, 1},
		{"oldest first", h("2019-01-01", "2020-01-01", ""), true, -1},
		{"asc broken", h("2019-01-01", "2020-01-01", "2019-06-01"), true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := dateOrderBreak(tc.hits, tc.asc); got != tc.want {
				t.Errorf("dateOrderBreak = %d, want %d", got, tc.want)
			}
		})
	}
}
