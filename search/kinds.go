package search

import (
	"github.com/newsdex/newsdex"
)

// The filter, facet and parameter lists below are derived from the table
// of entity kinds, newsdex.Kinds; so are the Bleve fields that filters,
// facets and fielded queries use (filterField, facetField, textFields) and
// the vector store's filter (vectorFilter). A kind added to the table is
// filtered, faceted, queried and listed on both search paths without an
// edit here (kinds_test.go adds one).

// Filter names, as used by the API's parameters: the Name of each kind.
const (
	FilterPerson = "person"
	FilterOutlet = "outlet"
	FilterCited  = "cited"
	FilterPlace  = "place"
	FilterLeader = "leader"
)

// Facet names, as used by the API's facets parameter: the Facet of each
// kind, and the published histogram.
const (
	FacetPeople    = "people"
	FacetOutlets   = "outlets"
	FacetCited     = "cited"
	FacetPlaces    = "places"
	FacetLeaders   = "leaders"
	FacetPublished = "published"
)

// FilterNames lists the filter parameters in a stable order (the table's).
var FilterNames = kindFilterNames()

// AllFacets lists every facet in response order.
var AllFacets = append(kindFacets(), FacetPublished)

// ListFacets names the facets FacetValues lists: the entity facets (the
// published histogram is the timeline's).
var ListFacets = kindFacets()

// SplitNames lists the filters a timeline splits a query by.
var SplitNames = FilterNames

// Params lists every URL query parameter of a search, as GET /v1/search
// takes them: Request.Values writes them and ParseValues reads them, so
// the API and the command line (which hands searches to a running server)
// share one definition.
var Params = searchParams()

// deriveKinds sets the lists above from newsdex.Kinds again; the test
// that adds a kind to the table calls it (package initialisation does the
// same once).
func deriveKinds() {
	FilterNames = kindFilterNames()
	AllFacets = append(kindFacets(), FacetPublished)
	ListFacets = kindFacets()
	SplitNames = FilterNames
	Params = searchParams()
}

func kindFilterNames() []string {
	out := make([]string, len(newsdex.Kinds))
	for i, k := range newsdex.Kinds {
		out[i] = k.Name
	}
	return out
}

func kindFacets() []string {
	ks := newsdex.KindsByFacet()
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.Facet
	}
	return out
}

func searchParams() []string {
	out := []string{"q", "op"}
	out = append(out, kindFilterNames()...)
	for _, name := range kindFilterNames() {
		out = append(out, name+opSuffix)
	}
	return append(out, "from", "to", "sort", "size", "page", "cursor", "snippets", "snippet_size", "facets", "facet_size",
		"interval", "mode", "k", "count", "collapse", "explain")
}

// filterKind returns the kind whose filter parameter is name; the zero
// Kind for a name that is none (Normalize refuses those).
func filterKind(name string) newsdex.Kind {
	k, _ := newsdex.KindNamed(name)
	return k
}

// filterField names the Bleve field a filter on name tests.
func filterField(name string) string { return filterKind(name).FilterField }

// facetOfFilter names the facet field holding a filter's canonical values.
func facetOfFilter(name string) string { return filterKind(name).FacetField }

// splitFacet maps a split name to the facet whose top values it takes.
func splitFacet(name string) string { return filterKind(name).Facet }
