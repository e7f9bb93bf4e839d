package search_test

import (
	"errors"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex/search"
)

// fullRequest sets every field of a Request to a value other than its
// default.
func fullRequest() search.Request {
	collapse := false
	return search.Request{
		Query: `"gas pipeline" person:putin`,
		Filters: map[string][]string{
			search.FilterPerson: {"Vladimir Putin", "Xi Jinping"},
			search.FilterOutlet: {"Reuters"},
			search.FilterCited:  {"TASS"},
			search.FilterPlace:  {"Moscow, Russia"},
			search.FilterLeader: {"Olaf Scholz"},
		},
		FilterOps: map[string]string{search.FilterPerson: search.OpAnd, search.FilterOutlet: search.OpAnd, search.FilterCited: search.OpAnd,
			search.FilterPlace: search.OpOr, search.FilterLeader: search.OpAnd},
		Op:          search.OpOr,
		Neighbours:  7,
		Count:       search.CountRelated,
		From:        time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC),
		To:          time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		Sort:        search.SortDateAsc,
		Size:        25,
		Page:        3,
		Cursor:      "eyJzIjpbIjEuNSJdfQ==",
		Snippets:    4,
		SnippetSize: 320,
		Facets:      []string{search.FacetLeaders, search.FacetPublished},
		FacetSize:   17,
		Interval:    "week",
		Collapse:    &collapse,
		Mode:        search.ModeSemantic,
		Explain:     true,
	}
}

func TestParamsRoundTrip(t *testing.T) {
	full := fullRequest()
	// A field added to Request without a parameter fails here, not in use.
	rv := reflect.ValueOf(full)
	for i := range rv.NumField() {
		if rv.Field(i).IsZero() {
			t.Fatalf("fullRequest leaves Request.%s unset: give it a value and a parameter", rv.Type().Field(i).Name)
		}
	}
	none, yes := []string{}, true
	tests := []struct {
		name string
		edit func(*search.Request)
	}{
		{"every parameter", func(*search.Request) {}},
		{"zero request", func(r *search.Request) { *r = search.Request{} }},
		{"no snippets", func(r *search.Request) { r.Snippets = -1 }},
		{"no facets", func(r *search.Request) { r.Facets = none }},
		{"collapse true", func(r *search.Request) { r.Collapse = &yes }},
		{"one filter", func(r *search.Request) { r.Filters = map[string][]string{search.FilterPlace: {"Kyiv"}} }},
		{"odd characters", func(r *search.Request) {
			r.Query = "a&b=c+d %20 ;é\u00a0"
			r.Filters = map[string][]string{search.FilterPerson: {"O'Brien & Co", "x,y"}}
			r.Cursor = "a+b/c="
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := fullRequest()
			tc.edit(&want)
			// Through the wire: encoded, sent, parsed as a server would.
			sent, err := url.ParseQuery(want.Values().Encode())
			if err != nil {
				t.Fatal(err)
			}
			got, err := search.ParseValues(sent)
			if err != nil {
				t.Fatalf("ParseValues(%s): %v", sent.Encode(), err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseValues(Values()) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParamsNamesEveryParameter(t *testing.T) {
	v := fullRequest().Values()
	var names []string
	for k := range v {
		names = append(names, k)
		if !slices.Contains(search.Params, k) {
			t.Errorf("Values writes %q, which Params does not list", k)
		}
	}
	for _, p := range search.Params {
		if !slices.Contains(names, p) {
			t.Errorf("Params lists %q, which Values never writes", p)
		}
	}
}

func TestParseValuesErrors(t *testing.T) {
	tests := []struct{ query, param string }{
		{"size=ten", "size"},
		{"page=0", "page"},
		{"snippet_size=x", "snippet_size"},
		{"facet_size=0", "facet_size"},
		{"from=2020-13-01", "from"},
		{"to=yesterday", "to"},
		{"collapse=maybe", "collapse"},
		{"explain=yes", "explain"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = search.ParseValues(v)
			var pe *search.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Errorf("ParseValues(%s) = %v, want a ParamError for %s", tc.query, err, tc.param)
			}
		})
	}
}
