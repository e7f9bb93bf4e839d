package search_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// The counts tests check the contract of list.go on the gold articles with
// their vectors, entities from the extractor and four made-up outlets and
// bylines: total is the size of the query's boolean match set, computed
// here without the engine; facets and the histogram add up to it; a facet
// value taken as a filter gives the count it showed; a walk by page or by
// cursor lists total + related hits, each once.

// doc is an article as the independent matcher sees it: its analysed
// words and their positions (Bleve's own "en" analyzer, not the index's;
// removed stop words leave gaps, as in the index), its authors and people.
type doc struct {
	id      string
	words   []string
	pos     []int
	set     map[string]bool
	authors []string
	people  []string
}

// pred is a boolean meaning written without the query language.
type pred func(d *doc) bool

var enAnalyzer = sync.OnceValue(func() analysis.Analyzer {
	return bleve.NewIndexMapping().AnalyzerNamed("en")
})

func analyse(s string) []string {
	var out []string
	for _, t := range enAnalyzer().Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
}

func newDoc(a *newsdex.Article) *doc {
	d := &doc{id: a.ID, set: map[string]bool{}, authors: a.Authors, people: newsdex.Names(a.People)}
	for _, t := range enAnalyzer().Analyze([]byte(a.Title + "\n" + a.Body)) {
		d.words = append(d.words, string(t.Term))
		d.pos = append(d.pos, t.Position)
		d.set[string(t.Term)] = true
	}
	return d
}

// word matches an article containing w (analysed like the article).
func word(w string) pred {
	toks := analyse(w)
	return func(d *doc) bool {
		for _, t := range toks {
			if !d.set[t] {
				return false
			}
		}
		return len(toks) > 0
	}
}

func all(ps ...pred) pred {
	return func(d *doc) bool {
		for _, p := range ps {
			if !p(d) {
				return false
			}
		}
		return true
	}
}

func anyp(ps ...pred) pred {
	return func(d *doc) bool {
		for _, p := range ps {
			if p(d) {
				return true
			}
		}
		return false
	}
}

func not(p pred) pred { return func(d *doc) bool { return !p(d) } }

// within matches an article where a word of each group occurs within a
// window of len(groups)-1+n positions (NEAR/n, "a b"~n).
func within(n int, groups ...[]string) pred {
	slots := make([][]string, len(groups))
	for i, g := range groups {
		for _, w := range g {
			slots[i] = append(slots[i], analyse(w)...)
		}
	}
	window := len(groups) - 1 + n
	return func(d *doc) bool {
		for start := range d.words {
			ok := true
			for _, s := range slots {
				found := false
				for p := start; p < len(d.words) && d.pos[p] <= d.pos[start]+window && !found; p++ {
					found = slices.Contains(s, d.words[p])
				}
				ok = ok && found
			}
			if ok {
				return true
			}
		}
		return false
	}
}

// phrase matches the words in order, next to each other.
func phrase(s string) pred {
	toks := analyse(s)
	return func(d *doc) bool {
		for i := 0; i+len(toks) <= len(d.words); i++ {
			if slices.Equal(d.words[i:i+len(toks)], toks) && d.pos[i+len(toks)-1]-d.pos[i] == len(toks)-1 {
				return true
			}
		}
		return false
	}
}

func author(w string) pred {
	return func(d *doc) bool {
		for _, a := range d.authors {
			if slices.Contains(strings.Fields(strings.ToLower(a)), strings.ToLower(w)) {
				return true
			}
		}
		return false
	}
}

// personWord matches an article whose people include a name with the
// word w.
func personWord(w string) pred {
	return func(d *doc) bool {
		for _, p := range d.people {
			if slices.Contains(strings.Fields(strings.ToLower(p)), strings.ToLower(w)) {
				return true
			}
		}
		return false
	}
}

type countsFixture struct {
	ix   *index.Index
	eng  *search.Engine
	docs []*doc
}

func (f *countsFixture) close() { f.ix.Close() }

var (
	countsOnce sync.Once
	counts     *countsFixture
	countsErr  error
	countsDir  string // removed by TestMain
)

// countsOutlets and countsAuthors are given to the gold articles in turn,
// so that the outlet facet has several values.
var (
	countsOutlets = []string{"Daily Planet", "Evening Post", "Metro News", "Wire Service"}
	countsAuthors = []string{"Maggie Haberman", "Jane Doe", "", "Peter Baker"}
)

func newCountsFixture(t *testing.T) *countsFixture {
	t.Helper()
	countsOnce.Do(func() {
		ctx := context.Background()
		emb := loadEmbedder(t)
		arts := readGold(t)
		x, err := extract.New()
		if err != nil {
			countsErr = err
			return
		}
		for i := range arts {
			x.Extract(&arts[i])
			arts[i].Outlet = countsOutlets[i%len(countsOutlets)]
			if a := countsAuthors[i%len(countsAuthors)]; a != "" {
				arts[i].Authors = []string{a}
			}
		}
		if err := embedArticles(ctx, emb, arts); err != nil {
			skipOrFail(t, err)
		}
		dir, err := os.MkdirTemp("", "newsdex-counts-")
		if err != nil {
			countsErr = err
			return
		}
		countsDir = dir
		ix, err := index.Open(filepath.Join(dir, "ix"))
		if err != nil {
			countsErr = err
			return
		}
		if err := ix.Add(ctx, arts); err != nil {
			countsErr = err
			return
		}
		eng, err := search.New(ix, search.WithEmbedder(emb))
		if err != nil {
			countsErr = err
			return
		}
		f := &countsFixture{ix: ix, eng: eng}
		for i := range arts {
			f.docs = append(f.docs, newDoc(&arts[i]))
		}
		counts = f
	})
	if countsErr != nil {
		t.Fatal(countsErr)
	}
	if counts == nil {
		t.Skip("the counts fixture could not be built (see the first test's message)")
	}
	return counts
}

func (f *countsFixture) count(p pred) uint64 {
	var n uint64
	for _, d := range f.docs {
		if p(d) {
			n++
		}
	}
	return n
}

// countQueries are the queries of TestMatchSetCounts with their meaning.
var countQueries = []struct {
	q    string
	op   string
	want pred
}{
	{q: "trump", want: word("trump")},
	{q: "president trump", want: all(word("president"), word("trump"))},
	{q: "putin xi", want: all(word("putin"), word("xi"))},
	{q: "putin xi", op: "or", want: anyp(word("putin"), word("xi"))},
	{q: "putin AND xi", want: all(word("putin"), word("xi"))},
	{q: "putin OR xi", want: anyp(word("putin"), word("xi"))},
	{q: "government minister", want: all(word("government"), word("minister"))},
	{q: "government minister", op: "or", want: anyp(word("government"), word("minister"))},
	{q: "president -trump", want: all(word("president"), not(word("trump")))},
	{q: "military OR police killed", want: anyp(word("military"), all(word("police"), word("killed")))},
	{q: "(military OR police) killed", want: all(anyp(word("military"), word("police")), word("killed"))},
	{q: `"prime minister"`, want: phrase("prime minister")},
	{q: `"prime minister" government`, want: all(phrase("prime minister"), word("government"))},
	{q: "iran NOT attack", want: all(word("iran"), not(word("attack")))},
	{q: "people world new", want: all(word("people"), word("world"), word("new"))},
	{q: "election vote", want: all(word("election"), word("vote"))},
	{q: "president NEAR/3 trump", want: within(3, []string{"president"}, []string{"trump"})},
	{q: "(russia OR iran) NEAR/5 president", want: within(5, []string{"russia", "iran"}, []string{"president"})},
	{q: "author:haberman", want: author("haberman")},
	{q: "author:haberman trump", want: all(author("haberman"), word("trump"))},
	{q: "health virus", want: all(word("health"), word("virus"))},
	{q: "space rocket", want: all(word("space"), word("rocket"))},
}

// TestMatchSetCounts is acceptance 1 of issue 15: in lexical and hybrid
// mode, total is the size of the query's boolean match set; the histogram
// and the outlet facet add up to it; the top five values of each facet,
// taken as filters, give the counts they showed.
func TestMatchSetCounts(t *testing.T) {
	f := newCountsFixture(t)
	ctx := context.Background()
	nonEmpty := 0
	for _, c := range countQueries {
		want := f.count(c.want)
		if want > 0 {
			nonEmpty++
		}
		for _, mode := range []string{search.ModeLexical, search.ModeHybrid} {
			t.Run(fmt.Sprintf("%s/%s/%s", mode, c.op, c.q), func(t *testing.T) {
				r := search.Request{Query: c.q, Op: c.op, Mode: mode, FacetSize: search.MaxFacetSize, Size: 1}
				res, err := f.eng.Search(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				if res.Total != want {
					t.Fatalf("total %d, the query's boolean meaning matches %d articles", res.Total, want)
				}
				checkFacetSums(t, res)
				checkFacetClicks(t, f.eng, r, res)
			})
		}
	}
	if nonEmpty < 18 {
		t.Errorf("only %d of %d queries match any article: the test would prove little", nonEmpty, len(countQueries))
	}
}

// TestSemanticSetCounts checks semantic mode's own set: facets add up to
// total, and a facet click reproduces its count while the set is under
// the cap.
func TestSemanticSetCounts(t *testing.T) {
	f := newCountsFixture(t)
	ctx := context.Background()
	for _, q := range []string{"trump", "president trump", "government minister", "space rocket", "election vote"} {
		t.Run(q, func(t *testing.T) {
			r := search.Request{Query: q, Mode: search.ModeSemantic, FacetSize: search.MaxFacetSize, Size: 1}
			res, err := f.eng.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if res.Capped {
				t.Fatalf("capped on %d articles", len(f.docs))
			}
			if res.Related != 0 {
				t.Errorf("related %d in semantic mode, want 0", res.Related)
			}
			checkFacetSums(t, res)
			checkFacetClicks(t, f.eng, r, res)
		})
	}
}

func checkFacetSums(t *testing.T, res *search.Results) {
	t.Helper()
	for _, name := range []string{search.FacetPublished, search.FacetOutlets} {
		sum := 0
		for _, b := range res.Facets[name] {
			sum += b.Count
		}
		if uint64(sum) != res.Total {
			t.Errorf("facet %s adds up to %d, total is %d", name, sum, res.Total)
		}
	}
}

// checkFacetClicks re-runs r with each of the top five values of the
// entity facets as a filter, and each published bucket as a date range.
func checkFacetClicks(t *testing.T, eng *search.Engine, r search.Request, res *search.Results) {
	t.Helper()
	filterOf := map[string]string{search.FacetPeople: search.FilterPerson, search.FacetOutlets: search.FilterOutlet,
		search.FacetPlaces: search.FilterPlace, search.FacetCited: search.FilterCited, search.FacetLeaders: search.FilterLeader}
	for facet, filter := range filterOf {
		for _, b := range res.Facets[facet][:min(5, len(res.Facets[facet]))] {
			c := r
			c.Filters = map[string][]string{filter: {b.Value}}
			got, err := eng.Search(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != uint64(b.Count) {
				t.Errorf("facet %s %q shows %d, filtering on it gives %d", facet, b.Value, b.Count, got.Total)
			}
		}
	}
	for _, b := range res.Facets[search.FacetPublished][:min(5, len(res.Facets[search.FacetPublished]))] {
		c := r
		from, _ := time.Parse(time.DateOnly, b.From)
		to, _ := time.Parse(time.DateOnly, b.To)
		c.From, c.To = from, to.AddDate(0, 0, -1)
		got, err := eng.Search(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != uint64(b.Count) {
			t.Errorf("month %s shows %d, its date range gives %d", b.Key, b.Count, got.Total)
		}
	}
}

// TestDateSortMatchSet is acceptance 2: sort=date lists only the match
// set, newest first, in every mode; with count=related the related hits
// too.
func TestDateSortMatchSet(t *testing.T) {
	f := newCountsFixture(t)
	for _, q := range []string{"government minister", `"prime minister" government`} {
		for _, mode := range []string{search.ModeLexical, search.ModeHybrid, search.ModeSemantic} {
			for _, count := range []string{"", search.CountRelated} {
				t.Run(q+"/"+mode+"/"+count, func(t *testing.T) {
					r := search.Request{Query: q, Mode: mode, Sort: search.SortDate, Count: count, Size: search.MaxSize}
					rel, err := f.eng.Search(context.Background(), search.Request{Query: q, Mode: mode})
					if err != nil {
						t.Fatal(err)
					}
					hits, res := walk(t, f.eng, r, true)
					if count == "" && uint64(len(hits)) != res.Total {
						t.Errorf("date sort lists %d hits, the match set has %d", len(hits), res.Total)
					}
					if count == search.CountRelated && uint64(len(hits)) != res.Total+res.Related {
						t.Errorf("date sort with count=related lists %d hits, want total %d + related %d", len(hits), res.Total, res.Related)
					}
					// Date order lists what the relevance order counts.
					if res.Total != rel.Total || count == search.CountRelated && res.Related != rel.Related {
						t.Errorf("by date: total %d, related %d; by relevance: total %d, related %d", res.Total, res.Related, rel.Total, rel.Related)
					}
					for i, h := range hits {
						if count == "" && mode != search.ModeSemantic && h.Match != search.MatchAll {
							t.Errorf("hit %s is %q in a date sort of the match set", h.ID, h.Match)
						}
						if i > 0 && h.Published > hits[i-1].Published {
							t.Errorf("hit %d (%s) is newer than hit %d (%s)", i, h.Published, i-1, hits[i-1].Published)
						}
					}
				})
			}
		}
	}
}

// walk pages through r to its end, by cursor or by page number, and
// returns every hit and the first page's results. It fails on a repeat.
func walk(t *testing.T, eng *search.Engine, r search.Request, cursor bool) ([]search.Hit, *search.Results) {
	t.Helper()
	var hits []search.Hit
	var first *search.Results
	seen := map[string]bool{}
	for page := 1; page < 1000; page++ {
		if !cursor {
			r.Page = page
		}
		res, err := eng.Search(context.Background(), r)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if first == nil {
			first = res
		}
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Fatalf("page %d repeats %s", page, h.ID)
			}
			seen[h.ID] = true
			hits = append(hits, h)
		}
		if cursor && res.NextCursor == "" || !cursor && len(res.Hits) < r.Size {
			return hits, first
		}
		r.Cursor = res.NextCursor
		if !cursor {
			r.Cursor = ""
		}
	}
	t.Fatal("no end after 1000 pages")
	return nil, nil
}

// TestWalkToTheEnd is acceptance 3: a cursor walk and a page walk list
// every hit once, total + related in all, in every mode.
func TestWalkToTheEnd(t *testing.T) {
	f := newCountsFixture(t)
	for _, mode := range []string{search.ModeLexical, search.ModeHybrid, search.ModeSemantic} {
		for _, q := range []string{"president trump", "government minister", "trump", "space rocket", "putin AND xi"} {
			for _, cursor := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/cursor=%v", mode, q, cursor), func(t *testing.T) {
					r := search.Request{Query: q, Mode: mode, Size: 7, Snippets: -1}
					hits, res := walk(t, f.eng, r, cursor)
					if uint64(len(hits)) != res.Total+res.Related {
						t.Errorf("walked %d hits, the first page said total %d + related %d", len(hits), res.Total, res.Related)
					}
					var all, related uint64
					for _, h := range hits {
						switch h.Match {
						case search.MatchAll:
							all++
						case search.MatchPartial, search.MatchSemantic:
							if mode != search.ModeSemantic {
								related++
							}
						default:
							t.Errorf("hit %s has match %q", h.ID, h.Match)
						}
						if h.Match == search.MatchPartial && len(h.Missing) == 0 {
							t.Errorf("partial hit %s names no missing words", h.ID)
						}
					}
					if mode != search.ModeSemantic && (all != res.Total || related != res.Related) {
						t.Errorf("walk marks %d all and %d related, the results say total %d, related %d", all, related, res.Total, res.Related)
					}
				})
			}
		}
	}
}

// TestDefaultOperator is acceptance 4: words side by side are ANDed, and
// op=or ORs them, in every mode.
func TestDefaultOperator(t *testing.T) {
	f := newCountsFixture(t)
	ids := func(r search.Request) []string {
		r.Size, r.Sort = search.MaxSize, search.SortDate
		res, err := f.eng.Search(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		slices.Sort(out)
		return out
	}
	for _, mode := range []string{search.ModeLexical, search.ModeHybrid} {
		for _, c := range []struct{ a, op, b string }{
			{"putin xi", "", "putin AND xi"},
			{"putin xi", "or", "putin OR xi"},
			{"government minister", "", "government AND minister"},
			{"government minister", "or", "government OR minister"},
		} {
			a := ids(search.Request{Query: c.a, Op: c.op, Mode: mode})
			b := ids(search.Request{Query: c.b, Mode: mode})
			if !slices.Equal(a, b) {
				t.Errorf("%s: %q (op %q) gives %v, %q gives %v", mode, c.a, c.op, a, c.b, b)
			}
		}
	}
}

// TestQueryLanguage is acceptance 5: each case gives its documented total
// or its documented 400.
func TestQueryLanguage(t *testing.T) {
	f := newCountsFixture(t)
	ctx := context.Background()
	cases := []struct {
		q       string
		want    pred   // nil for an error
		wantErr string // part of the 400's message
	}{
		{q: "trump", want: word("trump")},
		{q: "putin xi", want: all(word("putin"), word("xi"))},
		{q: "putin OR xi", want: anyp(word("putin"), word("xi"))},
		{q: "putin -trump", want: all(word("putin"), not(word("trump")))},
		{q: "president NOT trump", want: all(word("president"), not(word("trump")))},
		{q: "the president", want: word("president")},
		{q: "person:trump", want: personWord("trump")},
		{q: "military OR police killed", want: anyp(word("military"), all(word("police"), word("killed")))},
		{q: `"prime minister"`, want: phrase("prime minister")},
		{q: `"trump president"~3`, want: within(3, []string{"trump"}, []string{"president"})},
		{q: "president NEAR/3 trump", want: within(3, []string{"president"}, []string{"trump"})},
		{q: "president NEAR trump", want: within(10, []string{"president"}, []string{"trump"})},
		{q: "(russia OR iran) NEAR/5 president", want: within(5, []string{"russia", "iran"}, []string{"president"})},
		{q: "(Putin OR Kremlin) AND (sanctions NEAR/5 oil)", want: all(anyp(word("putin"), word("kremlin")), within(5, []string{"sanctions"}, []string{"oil"}))},
		{q: "author:haberman", want: author("haberman")},
		{q: "author:haberman AND (trump OR president)", want: all(author("haberman"), anyp(word("trump"), word("president")))},
		{q: "foo:bar", wantErr: `unknown field "foo"`},
		{q: `foo:"x y"`, wantErr: `unknown field "foo"`},
		{q: "writer:haberman", wantErr: "author"},
		{q: `"prime minister" NEAR/3 trump`, wantErr: "NEAR"},
		{q: "president NEAR/500 trump", wantErr: "NEAR"},
		{q: "trump AND", wantErr: "AND"},
		{q: "10:30 trump", want: all(word("10:30"), word("trump"))},
	}
	for _, c := range cases {
		for _, mode := range []string{search.ModeLexical, search.ModeHybrid} {
			t.Run(mode+"/"+c.q, func(t *testing.T) {
				res, err := f.eng.Search(ctx, search.Request{Query: c.q, Mode: mode, Size: 1})
				if c.want == nil {
					if err == nil || !search.IsParamError(err) || !strings.Contains(err.Error(), c.wantErr) {
						t.Fatalf("got %v, want a parameter error containing %q", err, c.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if want := f.count(c.want); res.Total != want {
					t.Errorf("total %d, want %d", res.Total, want)
				}
			})
		}
	}
}

// TestFilterAllOf checks person_op=and: articles carrying every value.
func TestFilterAllOf(t *testing.T) {
	f := newCountsFixture(t)
	ctx := context.Background()
	res, err := f.eng.Search(ctx, search.Request{Mode: search.ModeLexical, Facets: []string{search.FacetPeople}, FacetSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Facets[search.FacetPeople]) < 2 {
		t.Fatal("fewer than two people in the fixture")
	}
	a, b := res.Facets[search.FacetPeople][0].Value, res.Facets[search.FacetPeople][1].Value
	both := func(d *doc) bool { return slices.Contains(d.people, a) && slices.Contains(d.people, b) }
	either := func(d *doc) bool { return slices.Contains(d.people, a) || slices.Contains(d.people, b) }
	for _, mode := range []string{search.ModeLexical, search.ModeHybrid} {
		for _, c := range []struct {
			op   string
			want pred
		}{{"", either}, {"or", either}, {"and", both}} {
			r := search.Request{Query: "president", Mode: mode, Filters: map[string][]string{search.FilterPerson: {a, b}}}
			if c.op != "" {
				r.FilterOps = map[string]string{search.FilterPerson: c.op}
			}
			got, err := f.eng.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if want := f.count(all(c.want, word("president"))); got.Total != want {
				t.Errorf("%s person_op=%q %s, %s: total %d, want %d", mode, c.op, a, b, got.Total, want)
			}
		}
	}
}
