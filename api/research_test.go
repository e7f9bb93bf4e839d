package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/chunk"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// goldArticles is a slice of the Wikinews corpus (2019–2020, CC BY 2.5)
// that the extraction tests judge; the research tests index it with its
// extracted entities and outlets given in turn.
const goldArticles = "../extract/testdata/gold/articles.jsonl"

var goldOutlets = []string{"Daily Planet", "Evening Post", "Metro News"}

// goldEngine returns an engine over the gold articles.
func goldEngine(tb testing.TB) *search.Engine {
	tb.Helper()
	f, err := os.Open(goldArticles)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	x, err := extract.New()
	if err != nil {
		tb.Fatal(err)
	}
	var arts []newsdex.Article
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		var g struct{ ID, Title, URL, Published, Body string }
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			tb.Fatal(err)
		}
		pub, err := time.Parse(time.DateOnly, g.Published)
		if err != nil {
			tb.Fatalf("article %s: %v", g.ID, err)
		}
		a := newsdex.Article{ID: g.ID, Title: g.Title, URL: g.URL, Published: pub, Body: g.Body, Outlet: goldOutlets[len(arts)%len(goldOutlets)]}
		x.Extract(&a)
		a.Passages = chunk.Split(a.Body, chunk.Options{})
		arts = append(arts, a)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	ix, err := index.Open(filepath.Join(tb.TempDir(), "ix"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if err := ix.Add(context.Background(), arts); err != nil {
		tb.Fatal(err)
	}
	eng, err := search.New(ix)
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

// searchTotal is /v1/search's total for the parameters v.
func searchTotal(t *testing.T, hz *harness, v url.Values) uint64 {
	t.Helper()
	v.Set("size", "1")
	rec := hz.get("/v1/search?" + v.Encode())
	if rec.Code != http.StatusOK {
		t.Fatalf("search %s: %d %s", v.Encode(), rec.Code, rec.Body)
	}
	return decode[search.Results](t, rec).Total
}

// lastDay is the inclusive end of a bucket whose exclusive end is to.
func lastDay(t *testing.T, to string) string {
	t.Helper()
	d, err := time.Parse(time.DateOnly, to)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, -1).Format(time.DateOnly)
}

// TestTimelineCountsMatchSearch is acceptance 1 of issue 17 on the gold
// slice: per bucket, count is /v1/search's total with the bucket's dates,
// and all that of the empty query under the same filters.
func TestTimelineCountsMatchSearch(t *testing.T) {
	hz := newHarness(t, goldEngine(t), Options{})
	tests := []struct {
		name   string
		params string
		// filters are the filter parameters every series shares.
		filters url.Values
	}{
		{name: "three queries by month", params: "q=police&q=election&q=president&interval=month"},
		{name: "by week, an outlet", params: "q=police&q=government&interval=week&outlet=Daily+Planet", filters: url.Values{"outlet": {"Daily Planet"}}},
		{name: "by year, or", params: "q=storm+flood&op=or&interval=year", filters: url.Values{"op": {"or"}}},
		{name: "split by outlet", params: "q=government&split=outlet&split_size=2&interval=month"},
		{name: "auto", params: "q=police&interval=auto"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := hz.get("/v1/timeline?" + tc.params)
			if rec.Code != http.StatusOK {
				t.Fatalf("timeline: %d %s", rec.Code, rec.Body)
			}
			tl := decode[search.Timeline](t, rec)
			if len(tl.Series) == 0 {
				t.Fatal("no series")
			}
			var keys []string
			for i, s := range tl.Series {
				var ks []string
				sum := 0
				for _, b := range s.Buckets {
					ks = append(ks, b.Key)
					sum += b.Count
					v := url.Values{"q": {s.Q}, "from": {b.From}, "to": {lastDay(t, b.To)}}
					all := url.Values{"from": {b.From}, "to": {lastDay(t, b.To)}}
					for k, vals := range tc.filters {
						v[k], all[k] = vals, vals
					}
					if s.Split != "" {
						v.Add(s.Split, s.Value)
						all.Add(s.Split, s.Value)
					}
					if got := searchTotal(t, hz, v); uint64(b.Count) != got {
						t.Errorf("series %q bucket %s: count %d, /v1/search total %d", s.Label, b.Key, b.Count, got)
					}
					if got := searchTotal(t, hz, all); uint64(b.All) != got {
						t.Errorf("series %q bucket %s: all %d, match-all total %d", s.Label, b.Key, b.All, got)
					}
					if b.All > 0 && b.Share != float64(b.Count)/float64(b.All) {
						t.Errorf("series %q bucket %s: share %v of %d/%d", s.Label, b.Key, b.Share, b.Count, b.All)
					}
				}
				// Every gold article is dated: the buckets hold the set.
				if uint64(sum) != s.Total {
					t.Errorf("series %q: buckets sum to %d, total %d", s.Label, sum, s.Total)
				}
				if i == 0 {
					keys = ks
				} else if strings.Join(ks, ",") != strings.Join(keys, ",") {
					t.Errorf("series %q has buckets %v, series 1 %v", s.Label, ks, keys)
				}
				if s.Total == 0 {
					t.Errorf("series %q matches nothing: a vacuous check", s.Label)
				}
			}
		})
	}
}

// TestTimelineShape covers labels, auto, split and the CSV form.
func TestTimelineShape(t *testing.T) {
	hz := newHarness(t, goldEngine(t), Options{})
	tl := decode[search.Timeline](t, hz.get("/v1/timeline?q=police&q=election&label=Police&interval=auto"))
	if tl.Interval != "month" {
		t.Errorf("auto over two years: interval %q, want month", tl.Interval)
	}
	if len(tl.Series) != 2 || tl.Series[0].Label != "Police" || tl.Series[1].Label != "election" {
		t.Errorf("labels: %+v", tl.Series)
	}
	split := decode[search.Timeline](t, hz.get("/v1/timeline?q=&split=outlet"))
	if len(split.Series) != len(goldOutlets) {
		t.Errorf("split by outlet: %d series, want %d", len(split.Series), len(goldOutlets))
	}
	for _, s := range split.Series {
		for _, b := range s.Buckets {
			if b.Count != b.All {
				t.Errorf("split of the empty query: %s %s count %d != all %d", s.Value, b.Key, b.Count, b.All)
			}
		}
	}

	rec := hz.get("/v1/timeline?q=police&q=election&interval=year&format=csv")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "timeline.csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := decode[search.Timeline](t, hz.get("/v1/timeline?q=police&q=election&interval=year"))
	if len(rows) != 1+2*len(want.Series[0].Buckets) || rows[0][0] != "q" || rows[0][8] != "count" {
		t.Fatalf("csv rows: %v", rows)
	}
	for i, b := range want.Series[1].Buckets {
		row := rows[1+len(want.Series[0].Buckets)+i]
		if row[0] != "election" || row[5] != b.Key || row[8] != strconv.Itoa(b.Count) || row[9] != strconv.Itoa(b.All) {
			t.Errorf("csv row %v, want bucket %+v", row, b)
		}
	}
}

// TestFacetListMatchesSearch: a facet list counts what /v1/search's
// facets count, and goes past their cap.
func TestFacetListMatchesSearch(t *testing.T) {
	hz := newHarness(t, goldEngine(t), Options{})
	for _, tc := range []struct{ facet, params string }{
		{"people", "q=president"},
		{"places", "q=police"},
		{"outlets", ""},
		{"leaders", "q=government&from=2019-06-01"},
		{"cited", "q=said&outlet=Metro+News"},
	} {
		t.Run(tc.facet+"?"+tc.params, func(t *testing.T) {
			rec := hz.get("/v1/facets/" + tc.facet + "?size=10000&" + tc.params)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			fl := decode[search.FacetList](t, rec)
			res := decode[search.Results](t, hz.get("/v1/search?size=1&facet_size=100&facets="+tc.facet+"&"+tc.params))
			if fl.Total != res.Total {
				t.Errorf("total %d, /v1/search %d", fl.Total, res.Total)
			}
			got := map[string]int{}
			for _, v := range fl.Values {
				got[v.Value] = v.Count
			}
			if len(res.Facets[tc.facet]) == 0 {
				t.Fatalf("/v1/search shows no %s: a vacuous check", tc.facet)
			}
			for _, b := range res.Facets[tc.facet] {
				if got[b.Value] != b.Count {
					t.Errorf("%s %q: list %d, /v1/search %d", tc.facet, b.Value, got[b.Value], b.Count)
				}
			}
			if fl.Other != 0 {
				t.Errorf("size 10000 cut the list: other %d", fl.Other)
			}
			// A value taken as a filter finds its count.
			if tc.facet == "people" {
				v := fl.Values[0]
				if n := searchTotal(t, hz, url.Values{"q": {"president"}, "person": {v.Value}}); n != uint64(v.Count) {
					t.Errorf("person=%s: %d, list %d", v.Value, n, v.Count)
				}
			}
		})
	}
	// A small size says what it left out.
	all := decode[search.FacetList](t, hz.get("/v1/facets/people"))
	cut := decode[search.FacetList](t, hz.get("/v1/facets/people?size=2"))
	sum := func(vs []search.FacetValue) (n int) {
		for _, v := range vs {
			n += v.Count
		}
		return n
	}
	if len(cut.Values) != 2 || cut.Other != sum(all.Values)-sum(cut.Values) || cut.Other == 0 {
		t.Errorf("size=2: %d values, other %d; all values sum to %d", len(cut.Values), cut.Other, sum(all.Values))
	}
	rec := hz.get("/v1/facets/outlets?format=csv")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || rec.Code != http.StatusOK || len(rows) != 1+len(goldOutlets) || rows[0][1] != "value" {
		t.Errorf("outlets csv: %d %v %v", rec.Code, rows, err)
	}
}

// TestTermsCounts: a term's count and background are the totals of
// /v1/search for the query with the term and for the term alone.
func TestTermsCounts(t *testing.T) {
	hz := newHarness(t, goldEngine(t), Options{})
	for _, q := range []string{"police", "election", "virus"} {
		t.Run(q, func(t *testing.T) {
			rec := hz.get("/v1/terms?min_count=2&size=10&q=" + url.QueryEscape(q))
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			st := decode[search.SignificantTerms](t, rec)
			if len(st.Terms) == 0 {
				t.Fatalf("no terms: %s", rec.Body)
			}
			if want := searchTotal(t, hz, url.Values{"q": {q}}); st.Total != want || st.Sampled != int(want) {
				t.Errorf("total %d, sampled %d, /v1/search %d", st.Total, st.Sampled, want)
			}
			for i, tm := range st.Terms {
				phrase := `"` + tm.Term + `"`
				if n := searchTotal(t, hz, url.Values{"q": {q + " " + phrase}}); uint64(tm.Count) != n {
					t.Errorf("%s: count %d, /v1/search %q %d", tm.Term, tm.Count, q+" "+phrase, n)
				}
				if n := searchTotal(t, hz, url.Values{"q": {phrase}}); uint64(tm.Background) != n {
					t.Errorf("%s: background %d, /v1/search %q %d", tm.Term, tm.Background, phrase, n)
				}
				if i > 0 && tm.Score > st.Terms[i-1].Score {
					t.Errorf("%s scores above the term before it", tm.Term)
				}
				if strings.Contains(tm.Analysed, q) {
					t.Errorf("term %q holds the query's word", tm.Term)
				}
			}
		})
	}
}

// TestResearchParams: bad parameters are 400s naming the parameter.
func TestResearchParams(t *testing.T) {
	hz := newHarness(t, goldEngine(t), Options{})
	nine := strings.Repeat("q=a&", 9)
	tests := []struct{ target, param string }{
		{"/v1/timeline?" + nine, "q"},
		{"/v1/timeline?q=a&label=x&label=y", "label"},
		{"/v1/timeline?interval=hour", "interval"},
		{"/v1/timeline?split=topic", "split"},
		{"/v1/timeline?q=a&q=b&split=outlet", "split"},
		{"/v1/timeline?split=outlet&split_size=21", "split_size"},
		{"/v1/timeline?split_size=3", "split_size"},
		{"/v1/timeline?format=xml", "format"},
		{"/v1/timeline?size=3", "size"},
		{"/v1/timeline?q=a&q=(b", "q"},
		{"/v1/timeline?interval=day&interval=week", "interval"},
		{"/v1/facets/authors", "name"},
		{"/v1/facets/people?size=10001", "size"},
		{"/v1/facets/people?size=x", "size"},
		{"/v1/facets/people?sort=date", "sort"},
		{"/v1/facets/people?from=2020-13-01", "from"},
		{"/v1/terms?size=0", "size"},
		{"/v1/terms?size=201", "size"},
		{"/v1/terms?sample=5001", "sample"},
		{"/v1/terms?format=csv", "format"},
		{"/v1/terms?q=a&q=b", "q"},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			rec := hz.get(tc.target)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", rec.Code, rec.Body)
			}
			if p := decode[errorBody](t, rec).Error.Param; p != tc.param {
				t.Errorf("param %q, want %q (%s)", p, tc.param, rec.Body)
			}
		})
	}
	// A series' query error says which series.
	body := decode[errorBody](t, hz.get("/v1/timeline?q=a&q=(b")).Error.Message
	if !strings.Contains(body, "series 2") {
		t.Errorf("error %q does not name the series", body)
	}
	// Filters resolve as in /v1/search and are echoed.
	tl := decode[search.Timeline](t, hz.get("/v1/timeline?q=police&outlet=daily+planet"))
	if r := tl.FiltersResolved["outlet"]; len(r) != 1 || r[0].Value != "Daily Planet" {
		t.Errorf("filters_resolved %+v", tl.FiltersResolved)
	}
	// An engine without the research extension answers 503.
	fz := newHarness(t, &fakeSearcher{}, Options{})
	for _, target := range []string{"/v1/timeline", "/v1/facets/people", "/v1/terms"} {
		if rec := fz.get(target); rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s without the extension: %d", target, rec.Code)
		}
	}
}
