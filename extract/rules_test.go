package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/ingest"
)

// ruleCase is one case of testdata/rules/*.json: a short article and the
// entities that must and must not come out of it.
type ruleCase struct {
	Name      string   `json:"name"`
	Outlet    string   `json:"outlet"`
	Published string   `json:"published"` // YYYY-MM-DD, default 2019-06-01
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	People    []string `json:"people"`
	NoPeople  []string `json:"no_people"`
	Cited     []string `json:"cited"`
	NoCited   []string `json:"no_cited"`
	Places    []string `json:"places"`
	NoPlaces  []string `json:"no_places"`
}

// TestRules runs the table tests of the precision rules (credits,
// self-citation, organisations, name variants, places), one file per rule
// family under testdata/rules.
func TestRules(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "rules", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files: %v", err)
	}
	x := mustNew(t)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []ruleCase
		if err := json.Unmarshal(raw, &cases); err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		for _, tc := range cases {
			t.Run(filepath.Base(f)+"/"+tc.Name, func(t *testing.T) {
				pub := time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)
				if tc.Published != "" {
					if pub, err = time.Parse(time.DateOnly, tc.Published); err != nil {
						t.Fatal(err)
					}
				}
				a := newsdex.Article{Title: tc.Title, Body: tc.Body, Outlet: tc.Outlet, Published: pub}
				x.Extract(&a)
				check := func(kind string, got []newsdex.Entity, in, out []string) {
					names := newsdex.Names(got)
					for _, w := range in {
						if !slices.Contains(names, w) {
							t.Errorf("%s: want %q in %q", kind, w, names)
						}
					}
					for _, w := range out {
						if slices.Contains(names, w) {
							t.Errorf("%s: want no %q in %q", kind, w, names)
						}
					}
				}
				check("people", a.People, tc.People, tc.NoPeople)
				check("cited", a.Cited, tc.Cited, tc.NoCited)
				check("places", a.Places, tc.Places, tc.NoPlaces)
			})
		}
	}
}

// TestDatelinePlace checks that a dateline resolves through the aliases:
// "WASHINGTON" is the capital, "NEW YORK" the city.
func TestDatelinePlace(t *testing.T) {
	x := mustNew(t)
	tests := []struct{ dateline, want string }{
		{"WASHINGTON", "Washington, D.C."},
		{"Washington", "Washington, D.C."},
		{"NEW YORK", "New York City"},
		{"LOS ANGELES", "Los Angeles"},
		{"Moscow", "Moscow"},
	}
	for _, tc := range tests {
		t.Run(tc.dateline, func(t *testing.T) {
			a := newsdex.Article{Body: "Stocks rose on Monday.", Dateline: tc.dateline}
			x.Extract(&a)
			if got := newsdex.Names(a.Places); !slices.Contains(got, tc.want) {
				t.Errorf("places of dateline %q = %q, want %q among them", tc.dateline, got, tc.want)
			}
		})
	}
}

// TestOutletNamesAgree checks that every canonical outlet ingest gives the
// publisher field is the name the extractor cites the outlet under, so the
// outlets facet and cited outlets share one name per outlet.
func TestOutletNamesAgree(t *testing.T) {
	x := mustNew(t)
	for _, name := range ingest.OutletNames() {
		if got := x.d.outletOf(name); got != "" && got != name {
			t.Errorf("ingest outlet %q is cited as %q", name, got)
		}
	}
}
