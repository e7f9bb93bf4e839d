package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"weak"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"
	"golang.org/x/text/unicode/norm"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/ingest"
)

// Forgiving filters.
//
// A filter value need not be the canonical name the index holds: it is
// resolved against the canonical values of its field, in this order:
//
//  1. exact: the canonical value, in any case;
//  2. spelling: the same letters and digits once accents, case,
//     hyphens, spaces, punctuation and a leading "the" are ignored
//     ("Kim Jong Un" → "Kim Jong-un", "Recep Tayyip Erdogan" →
//     "Recep Tayyip Erdoğan", "new york times" → "The New York Times");
//  3. alias: an outlet's alias in the outlet table ("NYT", "Fox Online");
//  4. given name: the same surname with a given name that nicknames.txt
//     links to it ("Charles Grassley" → "Chuck Grassley");
//  5. surname: one word that is the first or last word of a value, when
//     one value holds at least four in five of the articles of all such
//     values ("Erdogan" → "Recep Tayyip Erdoğan", "Xi" → "Xi Jinping").
//
// Results.FiltersResolved says how each value was read. A value that
// resolves to nothing matches nothing, and Results.Suggestions lists the
// closest canonical values with their article counts.

// Resolution is how one filter value was read (Results.FiltersResolved).
type Resolution struct {
	// Given is the value as the request gave it.
	Given string `json:"given"`
	// Value is the canonical value searched, "" when none was found.
	Value string `json:"value"`
	// How is exact, spelling, alias, given_name, surname or none.
	How string `json:"how"`
}

// Ways a filter value resolves (Resolution.How).
const (
	ResolvedExact     = "exact"
	ResolvedSpelling  = "spelling"
	ResolvedAlias     = "alias"
	ResolvedGivenName = "given_name"
	ResolvedSurname   = "surname"
	ResolvedNone      = "none"
)

// maxSuggestions is how many close values an unresolved one gets.
const maxSuggestions = 5

// valueKey is what spelling resolution compares: letters and digits,
// lower-cased, without accents, without a leading "the".
func valueKey(s string) string {
	s = strings.TrimSpace(strings.ToLower(s))
	s = strings.TrimPrefix(s, "the ")
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(foldLetter(r))
		}
	}
	return b.String()
}

// foldLetter maps the letters NFD does not decompose to their base.
func foldLetter(r rune) rune {
	switch r {
	case 'ł':
		return 'l'
	case 'ø':
		return 'o'
	case 'đ':
		return 'd'
	case 'ı':
		return 'i'
	}
	return r
}

// words splits a value into lower-cased, accent-free words.
func words(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' })
	for i, w := range f {
		f[i] = valueKey(w)
	}
	return f
}

// fieldValues is the canonical values of one facet field in one index
// snapshot, with their article counts and lookup tables.
type fieldValues struct {
	values []string
	counts []uint64
	byKey  map[string][]int
	byEdge map[string][]int // first or last word → values
}

func newFieldValues() *fieldValues {
	return &fieldValues{byKey: map[string][]int{}, byEdge: map[string][]int{}}
}

func (v *fieldValues) add(value string, count uint64) {
	i := len(v.values)
	v.values = append(v.values, value)
	v.counts = append(v.counts, count)
	k := valueKey(value)
	v.byKey[k] = append(v.byKey[k], i)
	if ws := words(value); len(ws) > 0 {
		v.byEdge[ws[0]] = append(v.byEdge[ws[0]], i)
		if last := ws[len(ws)-1]; len(ws) > 1 && last != ws[0] {
			v.byEdge[last] = append(v.byEdge[last], i)
		}
	}
}

// most returns the index among is with the most articles.
func (v *fieldValues) most(is []int) int {
	best := is[0]
	for _, i := range is[1:] {
		if v.counts[i] > v.counts[best] || v.counts[i] == v.counts[best] && v.values[i] < v.values[best] {
			best = i
		}
	}
	return best
}

// resolver resolves filter values against the latest snapshot's values.
// The zero value is ready to use.
type resolver struct {
	cur   atomic.Pointer[snapshotValues]
	nicks sync.Once
	given map[string][]string
}

// snapshotValues holds the fields' values of one snapshot, built on
// first use.
type snapshotValues struct {
	snap   weak.Pointer[scorch.IndexSnapshot]
	mu     sync.Mutex
	fields map[string]*fieldValues
}

// values returns the canonical values of field in the live snapshot.
func (e *Engine) values(field string) (*fieldValues, error) {
	adv, err := e.src.Bleve().Advanced()
	if err != nil {
		return nil, fmt.Errorf("search: filter values of %s: %w", field, err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: filter values of %s: %w", field, err)
	}
	defer r.Close()
	var snap weak.Pointer[scorch.IndexSnapshot]
	if is, ok := r.(*scorch.IndexSnapshot); ok && is != nil {
		snap = weak.Make(is)
	}
	sv := e.resolve.cur.Load()
	if sv == nil || sv.snap != snap || snap == (weak.Pointer[scorch.IndexSnapshot]{}) {
		sv = &snapshotValues{snap: snap, fields: map[string]*fieldValues{}}
		e.resolve.cur.Store(sv)
	}
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if fv, ok := sv.fields[field]; ok {
		return fv, nil
	}
	fv, err := readValues(r, field)
	if err != nil {
		return nil, err
	}
	sv.fields[field] = fv
	return fv, nil
}

func readValues(r bleveindex.IndexReader, field string) (*fieldValues, error) {
	d, err := r.FieldDict(field)
	if err != nil {
		return nil, fmt.Errorf("search: filter values of %s: %w", field, err)
	}
	defer d.Close()
	fv := newFieldValues()
	for {
		de, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("search: filter values of %s: %w", field, err)
		}
		if de == nil {
			return fv, nil
		}
		fv.add(de.Term, de.Count)
	}
}

// resolveFilters replaces r's filter values by the canonical values they
// resolve to, and returns how each was read and, for those that resolve
// to nothing, the closest values.
func (e *Engine) resolveFilters(ctx context.Context, r *Request) (map[string][]Resolution, map[string][]Bucket, error) {
	if len(r.Filters) == 0 {
		return nil, nil, nil
	}
	out := map[string][]Resolution{}
	var sugg map[string][]Bucket
	resolved := make(map[string][]string, len(r.Filters))
	for _, name := range FilterNames {
		vals := r.Filters[name]
		if len(vals) == 0 {
			continue
		}
		fv, err := e.values(facetOfFilter(name))
		if err != nil {
			return nil, nil, err
		}
		for _, v := range vals {
			res := e.resolveValue(fv, name, v)
			out[name] = append(out[name], res)
			if res.Value != "" {
				resolved[name] = append(resolved[name], res.Value)
				continue
			}
			// Unresolved: it matches nothing, as its literal value.
			resolved[name] = append(resolved[name], v)
			if sugg == nil {
				sugg = map[string][]Bucket{}
			}
			bs := suggest(fv, v)
			if err := e.countValues(ctx, name, bs); err != nil {
				return nil, nil, err
			}
			if sugg[name] == nil {
				sugg[name] = []Bucket{}
			}
			sugg[name] = append(sugg[name], bs...)
		}
	}
	r.Filters = resolved
	return out, sugg, nil
}

func (e *Engine) resolveValue(fv *fieldValues, name, v string) Resolution {
	res := Resolution{Given: v, How: ResolvedNone}
	found := func(i int, how string) Resolution {
		res.Value, res.How = fv.values[i], how
		return res
	}
	key := valueKey(v)
	if is := fv.byKey[key]; len(is) > 0 {
		for _, i := range is {
			if strings.EqualFold(fv.values[i], strings.TrimSpace(v)) {
				return found(i, ResolvedExact)
			}
		}
		return found(fv.most(is), ResolvedSpelling)
	}
	resolve := filterKind(name).Resolve
	if resolve == newsdex.ResolveAlias {
		if c, _, ok := ingest.CanonicalOutlet(v, ""); ok {
			if is := fv.byKey[valueKey(c)]; len(is) > 0 {
				return found(fv.most(is), ResolvedAlias)
			}
		}
	}
	ws := words(v)
	if len(ws) >= 2 && resolve == newsdex.ResolveGivenName {
		if i, ok := e.givenName(fv, ws); ok {
			return found(i, ResolvedGivenName)
		}
	}
	if len(ws) == 1 {
		if is := fv.byEdge[ws[0]]; len(is) > 0 {
			best := fv.most(is)
			var all uint64
			for _, i := range is {
				all += fv.counts[i]
			}
			if 5*fv.counts[best] >= 4*all {
				return found(best, ResolvedSurname)
			}
		}
	}
	return res
}

// givenName finds a value with the same surname as ws and a given name
// that nicknames.txt links to ws's first word.
func (e *Engine) givenName(fv *fieldValues, ws []string) (int, bool) {
	e.resolve.nicks.Do(func() {
		// The table is embedded; a read error would be a build defect,
		// which extract's own tests catch, so none here means no table.
		e.resolve.given, _ = extract.GivenNameVariants()
	})
	alts := e.resolve.given[ws[0]]
	if len(alts) == 0 {
		return 0, false
	}
	var is []int
	for _, i := range fv.byEdge[ws[len(ws)-1]] {
		vw := words(fv.values[i])
		if len(vw) == len(ws) && slices.Contains(alts, vw[0]) && slices.Equal(vw[1:], ws[1:]) {
			is = append(is, i)
		}
	}
	if len(is) == 0 {
		return 0, false
	}
	return fv.most(is), true
}

// suggest returns the values closest to v: those sharing a word with it
// or within a small edit distance of its key, most alike first, then by
// article count.
func suggest(fv *fieldValues, v string) []Bucket {
	key, ws := valueKey(v), words(v)
	type cand struct {
		i     int
		score int // lower is closer
	}
	var cs []cand
	seen := map[int]bool{}
	add := func(i, score int) {
		if !seen[i] {
			seen[i] = true
			cs = append(cs, cand{i, score})
		}
	}
	for _, w := range ws {
		for _, i := range fv.byEdge[w] {
			add(i, 1)
		}
	}
	// A misspelt name or surname: a word one or two edits away.
	for _, w := range ws {
		if len(w) < 4 {
			continue
		}
		lim := 1 + len(w)/6
		for e, is := range fv.byEdge {
			if abs(len(e)-len(w)) <= lim && editDistance(e, w, lim) <= lim {
				for _, i := range is {
					add(i, 2)
				}
			}
		}
	}
	limit := max(2, len(key)/4)
	for k, is := range fv.byKey {
		if abs(len(k)-len(key)) > limit {
			continue
		}
		if d := editDistance(k, key, limit); d <= limit {
			for _, i := range is {
				add(i, d)
			}
		}
		if strings.HasPrefix(k, key) && len(key) >= 3 {
			for _, i := range is {
				add(i, 2)
			}
		}
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if c := cmp.Compare(a.score, b.score); c != 0 {
			return c
		}
		if c := cmp.Compare(fv.counts[b.i], fv.counts[a.i]); c != 0 {
			return c
		}
		return cmp.Compare(fv.values[a.i], fv.values[b.i])
	})
	out := []Bucket{}
	for _, c := range cs[:min(len(cs), maxSuggestions)] {
		out = append(out, Bucket{Value: fv.values[c.i], Count: int(fv.counts[c.i])})
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the Levenshtein distance of a and b (bytes), or more
// than limit once it must exceed it.
func editDistance(a, b string, limit int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c = 1 + min(prev[j-1], prev[j], cur[j-1])
			}
			cur[j] = c
			low = min(low, c)
		}
		if low > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// countValues sets each bucket's count to the number of live articles
// the filter name finds for its value (the dictionary's counts may
// include deleted articles).
func (e *Engine) countValues(ctx context.Context, name string, bs []Bucket) error {
	for i := range bs {
		r := Request{Filters: map[string][]string{name: {bs[i].Value}}}
		res, err := e.count(ctx, withFilters(bleve.NewMatchAllQuery(), &r), &r, false)
		if err != nil {
			return err
		}
		bs[i].Count = int(res.Total)
	}
	return nil
}
