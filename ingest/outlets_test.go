package ingest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
)

func TestCanonicalOutlet(t *testing.T) {
	tests := []struct {
		publisher, url  string
		outlet, section string
		known           bool
	}{
		{"New York Times - News", "", "The New York Times", "News", true},
		{"New York Times - Opinion", "", "The New York Times", "Opinion", true},
		{"The New York Times (Opinion)", "", "The New York Times", "Opinion", true},
		{"NYTimes", "", "The New York Times", "", true},
		{"New York Times (Online News)", "", "The New York Times", "News", true},
		{"New York Times Editorial Board", "", "The New York Times", "Opinion", true},
		{"Newsmax", "", "Newsmax", "", true},
		{"Newsmax (News)", "", "Newsmax", "News", true},
		{"Newsmax - News", "", "Newsmax", "News", true},
		{"Newsmax - Opinion", "", "Newsmax", "Opinion", true},
		{"Fox News", "", "Fox News", "", true},
		{"Fox Online News", "", "Fox News", "News", true},
		{"Fox News Opinion", "", "Fox News", "Opinion", true},
		{"CNN (Web News)", "", "CNN", "News", true},
		{"CNN - Editorial", "", "CNN", "Opinion", true},
		{"NPR Online News", "", "NPR", "News", true},
		{"NPR Editorial ", "", "NPR", "Opinion", true},
		{"Yahoo! News", "", "Yahoo News", "", true},
		{"CNSNews.com", "", "CNS News", "", true},
		{"Ben Shapiro", "https://www.nationalreview.com/2019/01/x/", "National Review", "", false},
		{"Guest Writer - Left", "https://www.cnn.com/2019/01/01/opinions/x", "CNN", "", false},
		{"Vice", "https://www.vice.com/x", "Vice", "", false},
		{"Some Blog", "", "Some Blog", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.publisher, func(t *testing.T) {
			o, s, k := CanonicalOutlet(tc.publisher, tc.url)
			if o != tc.outlet || s != tc.section || k != tc.known {
				t.Errorf("CanonicalOutlet(%q, %q) = %q, %q, %v; want %q, %q, %v", tc.publisher, tc.url, o, s, k, tc.outlet, tc.section, tc.known)
			}
		})
	}
}

// TestNormalizeOutlet checks that Normalize keeps the raw publisher and the
// section in Labels and moves a columnist to Authors.
func TestNormalizeOutlet(t *testing.T) {
	tests := []struct {
		name string
		in   newsdex.Article
		want newsdex.Article
	}{
		{"section", newsdex.Article{ID: "a", Title: "t", Outlet: "New York Times - Opinion"},
			newsdex.Article{ID: "a", Title: "t", Outlet: "The New York Times",
				Labels: map[string][]string{"publisher": {"New York Times - Opinion"}, "section": {"Opinion"}}}},
		{"columnist", newsdex.Article{ID: "b", Title: "t", URL: "https://www.townhall.com/x", Outlet: "Ben Shapiro"},
			newsdex.Article{ID: "b", Title: "t", URL: "https://www.townhall.com/x", Outlet: "Townhall", Authors: []string{"Ben Shapiro"},
				Labels: map[string][]string{"publisher": {"Ben Shapiro"}}}},
		{"canonical stays", newsdex.Article{ID: "c", Title: "t", Outlet: "Reuters"},
			newsdex.Article{ID: "c", Title: "t", Outlet: "Reuters"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.in
			if _, err := Normalize(&a); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, a); diff != "" {
				t.Errorf("Normalize(%q) mismatch (-want +got):\n%s", tc.in.Outlet, diff)
			}
		})
	}
}
