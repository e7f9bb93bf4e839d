package search

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

// facetField names the Bleve field of facet name: an entity kind's
// FacetField, or the published histogram's field of interval.
func facetField(name, interval string) string {
	if k, ok := newsdex.KindOfFacet(name); ok {
		return k.FacetField
	}
	switch interval {
	case "day":
		return index.FieldDay
	case "week":
		return index.FieldWeek
	case "year":
		return index.FieldYear
	}
	return index.FieldMonth
}

// maxHistogramBuckets bounds the published histogram; 20 years of weeks fit.
const maxHistogramBuckets = 1500

// leaderOfficeFacet is the hidden facet that names each leader's office.
const leaderOfficeFacet = "_leader_office"

func addFacets(breq *bleve.SearchRequest, r *Request) {
	for _, f := range r.Facets {
		size := r.FacetSize
		if f == FacetPublished {
			size = maxHistogramBuckets
		}
		breq.AddFacet(f, bleve.NewFacetRequest(facetField(f, r.Interval), size))
		if f == FacetLeaders {
			breq.AddFacet(leaderOfficeFacet, bleve.NewFacetRequest(index.FieldLeaderOffice, 4*size))
		}
	}
}

// leaderOffices maps each leader to the office most of the hits saw them in.
func leaderOffices(fr search.FacetResults) map[string]string {
	res := fr[leaderOfficeFacet]
	if res == nil || res.Terms == nil {
		return nil
	}
	out := map[string]string{}
	best := map[string]int{}
	for _, t := range res.Terms.Terms() {
		name, office, ok := strings.Cut(t.Term, index.LeaderOfficeSep)
		if ok && t.Count > best[name] {
			best[name] = t.Count
			out[name] = office
		}
	}
	return out
}

func facetsOf(fr search.FacetResults, r *Request) map[string][]Bucket {
	out := make(map[string][]Bucket, len(r.Facets))
	offices := leaderOffices(fr)
	for _, name := range r.Facets {
		res := fr[name]
		buckets := []Bucket{}
		if res != nil && res.Terms != nil {
			for _, t := range res.Terms.Terms() {
				if name == FacetPublished {
					from, to := bucketRange(t.Term, r.Interval)
					buckets = append(buckets, Bucket{Key: t.Term, From: from, To: to, Count: t.Count})
				} else {
					b := Bucket{Value: t.Term, Count: t.Count}
					if name == FacetLeaders {
						b.Office = offices[t.Term]
					}
					buckets = append(buckets, b)
				}
			}
		}
		if name == FacetPublished {
			sort.Slice(buckets, func(i, j int) bool { return buckets[i].Key < buckets[j].Key })
		} else {
			// Bleve orders by count; break ties by name for stable output.
			sort.SliceStable(buckets, func(i, j int) bool {
				if buckets[i].Count != buckets[j].Count {
					return buckets[i].Count > buckets[j].Count
				}
				return buckets[i].Value < buckets[j].Value
			})
		}
		out[name] = buckets
	}
	return out
}

// missingOf returns, per facet of r, the hits of fr's search that have
// no value for it, leaving out facets every hit has a value for.
func missingOf(fr search.FacetResults, r *Request) map[string]int {
	var out map[string]int
	for _, name := range r.Facets {
		if res := fr[name]; res != nil && res.Missing > 0 {
			if out == nil {
				out = map[string]int{}
			}
			out[name] = res.Missing
		}
	}
	return out
}

// Entities lists canonical names of one entity type (person, leader,
// outlet, cited, place) with article counts, optionally those starting with
// prefix (case-insensitive, at any word of the name), most frequent first.
func (e *Engine) Entities(ctx context.Context, typ, prefix string, size int) ([]Bucket, error) {
	k, ok := newsdex.KindNamed(typ)
	if !ok {
		return nil, paramErr("type", "unknown entity type %q, want one of %s", typ, strings.Join(FilterNames, ", "))
	}
	facet := k.Facet
	if size < 1 || size > MaxFacetSize {
		return nil, paramErr("size", "size %d out of range 1..%d", size, MaxFacetSize)
	}
	if len(prefix) > 100 {
		return nil, paramErr("prefix", "prefix is %d bytes, the limit is 100", len(prefix))
	}
	// Fetch enough buckets to filter by prefix afterwards; facet terms are
	// read from the index's dictionary, so this stays cheap.
	fetch := size
	if prefix != "" {
		fetch = 100000
	}
	r := Request{Facets: []string{facet}, FacetSize: 1, Size: 1}
	if err := r.Normalize(); err != nil {
		return nil, err
	}
	r.FacetSize = fetch
	breq := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	addFacets(breq, &r)
	res, err := e.src.Bleve().SearchInContext(ctx, breq)
	if err != nil {
		return nil, fmt.Errorf("search: list %s entities: %w", typ, err)
	}
	all := facetsOf(res.Facets, &r)[facet]
	if prefix == "" {
		return all[:min(size, len(all))], nil
	}
	p := strings.ToLower(prefix)
	out := []Bucket{}
	for _, b := range all {
		name := strings.ToLower(b.Value)
		if strings.HasPrefix(name, p) || strings.Contains(name, " "+p) {
			out = append(out, b)
			if len(out) == size {
				break
			}
		}
	}
	return out, nil
}
