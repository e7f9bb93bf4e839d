package newsdex

// Kind is one kind of entity an article names (people, outlets, places,
// ...) and every name it goes by on the way from the index to the page.
// Kinds is the one table of them: the index mapping and documents, the
// vector labels, the query fields (person:xi), the search filters and
// facets, the entity lists of the API and the command line all derive
// from it, so adding a kind is adding one entry (see docs/ARCHITECTURE.md).
type Kind struct {
	// Name is the filter parameter (?person=), the query field
	// (person:xi) and the entity type of /v1/entities.
	Name string
	// Facet is the facet name of the API (facets=people). For a kind with
	// Entities it is also the JSON field of Article that holds them.
	Facet string
	// Display is the singular name shown to people ("cited outlet"), as in
	// the command line's "filter by cited outlet".
	Display string
	// FacetField is the Bleve keyword field (with doc values) of the
	// canonical names: facets and the resolver's value lists read it.
	FacetField string
	// FilterField is the Bleve keyword field of the lowercased names that
	// filters test; the vector store's labels are built from it too, so
	// both search paths filter alike.
	FilterField string
	// QueryField is the analysed text field a fielded query searches.
	QueryField string
	// Resolve says how a filter value that matches no name exactly may
	// still be read: ResolveAlias, ResolveGivenName or "" (spelling only).
	Resolve string
	// FacetRank orders the kinds' facets in responses (lowest first); the
	// table's own order is the order of filters and parameters.
	FacetRank int
	// Entities returns the article's entities of this kind, or Single its
	// one value ("" for none): exactly one of them is set. The slice
	// shares a's storage, so a caller may rewrite the names in place.
	Entities func(a *Article) []Entity
	Single   func(a *Article) string
}

// How a filter value that names no entity exactly may be resolved
// (Kind.Resolve).
const (
	// ResolveAlias reads the value as an outlet alias ("NYT").
	ResolveAlias = "alias"
	// ResolveGivenName reads "Joe Biden" as "Joseph R. Biden".
	ResolveGivenName = "given_name"
)

// Values returns the names of a's entities of kind k, in order; nil if none.
func (k Kind) Values(a *Article) []string {
	if k.Single != nil {
		if v := k.Single(a); v != "" {
			return []string{v}
		}
		return nil
	}
	es := k.Entities(a)
	if len(es) == 0 {
		return nil
	}
	return Names(es)
}

// Kinds is the table of entity kinds, in the order of filters and
// parameters. It is data, not configuration: only a test adds to it
// (kinds_test.go in package search adds an organization kind), and it must
// not change while anything runs.
var Kinds = []Kind{
	{Name: "person", Facet: "people", Display: "person", FacetField: "people", FilterField: "f_person", QueryField: "q_person",
		Resolve: ResolveGivenName, FacetRank: 0, Entities: func(a *Article) []Entity { return a.People }},
	{Name: "outlet", Facet: "outlets", Display: "outlet", FacetField: "outlet", FilterField: "f_outlet", QueryField: "q_outlet",
		Resolve: ResolveAlias, FacetRank: 2, Single: func(a *Article) string { return a.Outlet }},
	{Name: "cited", Facet: "cited", Display: "cited outlet", FacetField: "cited", FilterField: "f_cited", QueryField: "q_cited",
		Resolve: ResolveAlias, FacetRank: 3, Entities: func(a *Article) []Entity { return a.Cited }},
	{Name: "place", Facet: "places", Display: "place", FacetField: "places", FilterField: "f_place", QueryField: "q_place",
		FacetRank: 4, Entities: func(a *Article) []Entity { return a.Places }},
	{Name: "leader", Facet: "leaders", Display: "leader", FacetField: "leaders", FilterField: "f_leader", QueryField: "q_leader",
		Resolve: ResolveGivenName, FacetRank: 1, Entities: func(a *Article) []Entity { return a.Leaders }},
}

// KindNamed returns the kind whose Name is name.
func KindNamed(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// KindOfFacet returns the kind whose Facet is facet.
func KindOfFacet(facet string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Facet == facet {
			return k, true
		}
	}
	return Kind{}, false
}

// KindsByFacet returns the kinds in facet order (FacetRank, then table
// order).
func KindsByFacet() []Kind {
	out := make([]Kind, len(Kinds))
	copy(out, Kinds)
	// Insertion sort: stable, and the table is short.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].FacetRank < out[j-1].FacetRank; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
