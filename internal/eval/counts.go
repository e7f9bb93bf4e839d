package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// The counts check runs issue 15's match-set contract at corpus scale (the
// engine's own tests run it on the gold fixture): for each query and mode,
// total, the published histogram and the outlets facet describe one set; a
// facet value or a month taken as a filter gives the count it showed; a
// walk by cursor and by page lists total + related hits, each once, and
// ends; sort=date lists exactly the match set (with count=related, the
// related hits too), in date order; and the default operator is AND.
//
// A failed check is reported, never worked around: it is the engine's bug.

// Sizes of the counts check.
const (
	// CountsPageSize is the page size of every walk.
	CountsPageSize = 100
	// CountsFacetSize is the facet size of the first request: the
	// largest the engine accepts, so that a facet's sum can be compared
	// with total whenever the set has at most that many values.
	CountsFacetSize = search.MaxFacetSize
	// countsClicks is how many top values of each facet are clicked.
	countsClicks = 5
	// countsMonths is how many months of the histogram are clicked.
	countsMonths = 3
	// maxWalkRequests stops a walk whose cursor never ends (a loop would
	// otherwise run until the context ends).
	maxWalkRequests = 1000
)

// Searcher answers one search request; *search.Engine implements it.
type Searcher interface {
	Search(ctx context.Context, r search.Request) (*search.Results, error)
}

// CountQuery is one query of the counts check.
type CountQuery struct {
	Query string `json:"q"`
	// From and To bound the published date (YYYY-MM-DD, inclusive); ""
	// leaves that side open.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Sort is the order of the date check: search.SortDate (the default)
	// or search.SortDateAsc.
	Sort string `json:"sort,omitempty"`
	// Same lists queries whose match set must equal this query's (with
	// Same.Op), in lexical and hybrid mode.
	Same []SameSet `json:"same,omitempty"`
	// Titles is how many titles of the date list the report shows.
	Titles int `json:"titles,omitempty"`
}

// SameSet says that the query's match set under Op ("" is the default
// operator) equals the match set of Query under the default operator.
type SameSet struct {
	Op    string `json:"op,omitempty"`
	Query string `json:"q"`
}

// Label is the query as a row of the report names it.
func (q CountQuery) Label() string {
	s := q.Query
	if q.From != "" || q.To != "" {
		s += fmt.Sprintf(" [%s..%s]", q.From, q.To)
	}
	if q.Sort != "" && q.Sort != search.SortDate {
		s += " sort=" + q.Sort
	}
	return s
}

// CountQueries returns the queries `newsdex eval counts` checks: those of
// issue 15, then news queries short and long over the mix's sources
// (AllSides 2012–2022, Reuters 1987, Wikinews 2019–2020).
func CountQueries() []CountQuery {
	return []CountQuery{
		{Query: "impeachment", From: "2017-01-01"},
		{Query: "putin", From: "1987-03-01", To: "1987-03-31"},
		{Query: "impeachment", From: "2019-09-01", To: "2019-09-30", Sort: search.SortDateAsc, Titles: 3},
		{Query: "Xi Jinping meeting Putin"},
		{Query: "trump"},
		{Query: "putin xi", Same: []SameSet{{Query: "putin AND xi"}, {Op: search.OpOr, Query: "putin OR xi"}}},
		{Query: "(Putin OR Kremlin) AND (sanctions NEAR/5 oil)"},
		{Query: "author:haberman"},
		{Query: "brexit"},
		{Query: "climate change"},
		{Query: "oil prices"},
		{Query: "coronavirus vaccine"},
		{Query: "\"supreme court\" abortion"},
		{Query: "north korea missile test"},
		{Query: "opec production cuts", From: "1987-01-01", To: "1987-12-31"},
		{Query: "china trade war tariffs on american soybeans"},
		{Query: "claims of election fraud in georgia after the presidential vote"},
		{Query: "wheat exports to the soviet union"},
		{Query: "hurricane"},
		{Query: "federal reserve raises interest rates to fight inflation"},
	}
}

// Check is one verdict of the counts check.
type Check struct {
	Name string `json:"name"`
	// Pass is false for a failure; a skipped check passes and says why
	// in Detail.
	Pass    bool   `json:"pass"`
	Skipped bool   `json:"skipped,omitempty"`
	Detail  string `json:"detail"`
}

// Walk is what a walk through a list saw.
type Walk struct {
	// Seen counts the hits returned, Repeats those returned before.
	Seen     int `json:"seen"`
	Repeats  int `json:"repeats"`
	Errors   int `json:"errors"`
	Requests int `json:"requests"`
	// Pages counts the non-empty pages of a page walk.
	Pages int `json:"pages,omitempty"`
	// Match counts the hits by Hit.Match.
	Match map[string]int `json:"match"`
	// Err is the first error, or why the walk stopped early.
	Err string `json:"error,omitempty"`
}

// CountRow is the check of one query in one mode.
type CountRow struct {
	Query   string  `json:"query"`
	Mode    string  `json:"mode"`
	Total   uint64  `json:"total"`
	Related uint64  `json:"related"`
	Capped  bool    `json:"capped,omitempty"`
	Floor   float64 `json:"floor,omitempty"`
	// HistSum and OutletSum add up the published histogram and the
	// outlets facet; Outlets counts the outlet buckets.
	HistSum   int `json:"histogram_sum"`
	OutletSum int `json:"outlets_sum"`
	Outlets   int `json:"outlets"`
	// Clicks counts the facet values and months taken as filters,
	// ClickMismatches those whose filtered total differs from the count.
	Clicks          int      `json:"clicks"`
	ClickMismatches int      `json:"click_mismatches"`
	Cursor          Walk     `json:"cursor_walk"`
	Pages           Walk     `json:"page_walk"`
	Date            Walk     `json:"date_list"`
	DateRelated     Walk     `json:"date_list_related"`
	Titles          []string `json:"titles,omitempty"`
	Seconds         float64  `json:"seconds"`
	Checks          []Check  `json:"checks"`
	Failed          int      `json:"failed"`
}

func (r *CountRow) add(c Check) {
	r.Checks = append(r.Checks, c)
	if !c.Pass {
		r.Failed++
	}
}

func (r *CountRow) check(name string, pass bool, format string, args ...any) {
	r.add(Check{Name: name, Pass: pass, Detail: fmt.Sprintf(format, args...)})
}

func (r *CountRow) skip(name, format string, args ...any) {
	r.add(Check{Name: name, Pass: true, Skipped: true, Detail: fmt.Sprintf(format, args...)})
}

// CountsReport is the result of CheckCounts.
type CountsReport struct {
	Commit string    `json:"commit,omitempty"`
	Date   time.Time `json:"date"`
	// About describes the index checked.
	About   string     `json:"about"`
	Docs    uint64     `json:"docs"`
	Index   float64    `json:"index_s"`
	Rows    []CountRow `json:"rows"`
	Passed  int        `json:"passed"`
	Failed  int        `json:"failed"`
	Skipped int        `json:"skipped"`
	Seconds float64    `json:"seconds"`
}

// CheckCounts checks every query in every mode against s, calling done
// (if not nil) after each row. A failed request is a failed check, not an
// error; only the end of ctx stops it early.
func CheckCounts(ctx context.Context, s Searcher, qs []CountQuery, modes []string, done func(*CountRow)) (*CountsReport, error) {
	rep := &CountsReport{Date: time.Now().UTC().Truncate(time.Second)}
	start := time.Now()
	for _, q := range qs {
		for _, mode := range modes {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			row, err := checkQuery(ctx, s, q, mode)
			if err != nil {
				return nil, err
			}
			for _, c := range row.Checks {
				switch {
				case !c.Pass:
					rep.Failed++
				case c.Skipped:
					rep.Skipped++
				default:
					rep.Passed++
				}
			}
			rep.Rows = append(rep.Rows, *row)
			if done != nil {
				done(row)
			}
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// request returns q's base request in mode.
func (q CountQuery) request(mode string) (search.Request, error) {
	r := search.Request{Query: q.Query, Mode: mode, Snippets: -1}
	var err error
	if q.From != "" {
		if r.From, err = search.ParseDate("from", q.From); err != nil {
			return r, err
		}
	}
	if q.To != "" {
		if r.To, err = search.ParseDate("to", q.To); err != nil {
			return r, err
		}
	}
	return r, nil
}

// facetFilters maps the facets a click takes as a filter to their filter.
var facetFilters = []struct{ facet, filter string }{
	{search.FacetOutlets, search.FilterOutlet},
	{search.FacetPeople, search.FilterPerson},
	{search.FacetPlaces, search.FilterPlace},
}

func checkQuery(ctx context.Context, s Searcher, q CountQuery, mode string) (*CountRow, error) {
	start := time.Now()
	row := &CountRow{Query: q.Label(), Mode: mode}
	defer func() { row.Seconds = time.Since(start).Seconds() }()
	base, err := q.request(mode)
	if err != nil {
		row.check("request", false, "%v", err)
		return row, nil
	}

	first := base
	first.FacetSize = CountsFacetSize
	res, err := s.Search(ctx, first)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		row.check("search", false, "%v", err)
		return row, nil
	}
	row.Total, row.Related, row.Capped, row.Floor = res.Total, res.Related, res.Capped, res.Floor
	listed := int(res.Total + res.Related)
	if res.Mode != mode {
		row.check("mode", false, "asked %s, answered %s", mode, res.Mode)
	}
	if mode == search.ModeSemantic {
		row.check("cap", res.Total <= search.MaxSemantic && (!res.Capped || res.Total == search.MaxSemantic),
			"total %d, capped %v, cap %d", res.Total, res.Capped, search.MaxSemantic)
	}
	checkSums(row, res)
	if err := checkClicks(ctx, s, row, base, res); err != nil {
		return nil, err
	}

	walk := base
	walk.Facets = []string{}
	walk.Size = CountsPageSize
	var ids []string
	row.Cursor, _ = walkCursor(ctx, s, walk)
	row.check("cursor walk", row.Cursor.Errors == 0 && row.Cursor.Err == "" && row.Cursor.Repeats == 0 && row.Cursor.Seen == listed,
		"seen %d, want total+related %d; repeats %d, errors %d %s", row.Cursor.Seen, listed, row.Cursor.Repeats, row.Cursor.Errors, row.Cursor.Err)
	if mode != search.ModeSemantic {
		// In lexical and hybrid mode the list is the match set (all)
		// followed or mixed with related hits (partial, semantic).
		all := row.Cursor.Match[search.MatchAll]
		row.check("cursor match", all == int(res.Total) && row.Cursor.Seen-all == int(res.Related),
			"match=all %d, want total %d; partial+semantic %d, want related %d", all, res.Total, row.Cursor.Seen-all, res.Related)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	checkPages(ctx, s, row, walk, listed)

	dateSort := q.Sort
	if dateSort == "" {
		dateSort = search.SortDate
	}
	date := walk
	date.Sort = dateSort
	var hits []search.Hit
	row.Date, hits = walkCursor(ctx, s, date)
	row.check("date list", row.Date.Errors == 0 && row.Date.Err == "" && row.Date.Repeats == 0 && row.Date.Seen == int(res.Total),
		"sort=%s listed %d, want total %d; repeats %d, errors %d %s", dateSort, row.Date.Seen, res.Total, row.Date.Repeats, row.Date.Errors, row.Date.Err)
	if mode != search.ModeSemantic {
		n := row.Date.Match[search.MatchAll]
		row.check("date match", n == len(hits), "sort=%s: %d of %d hits match=all (%v)", dateSort, n, len(hits), row.Date.Match)
	}
	if bad := dateOrderBreak(hits, dateSort == search.SortDateAsc); bad >= 0 {
		row.check("date order", false, "sort=%s: hit %d (%s %s) after %s", dateSort, bad, hits[bad].ID, hits[bad].Published, hits[bad-1].Published)
	} else {
		row.check("date order", true, "sort=%s: %d hits in order", dateSort, len(hits))
	}
	for _, h := range hits[:min(q.Titles, len(hits))] {
		row.Titles = append(row.Titles, h.Published+" "+h.Outlet+": "+h.Title)
	}
	date.Count = search.CountRelated
	row.DateRelated, _ = walkCursor(ctx, s, date)
	row.check("date list related", row.DateRelated.Errors == 0 && row.DateRelated.Err == "" && row.DateRelated.Repeats == 0 && row.DateRelated.Seen == listed,
		"sort=%s count=related listed %d, want total+related %d; repeats %d, errors %d %s",
		dateSort, row.DateRelated.Seen, listed, row.DateRelated.Repeats, row.DateRelated.Errors, row.DateRelated.Err)

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if mode != search.ModeSemantic {
		ids = idsOf(hits)
		for _, same := range q.Same {
			checkSame(ctx, s, row, q, same, date, ids)
		}
	}
	return row, nil
}

// checkSums checks that the published histogram and the outlets facet add
// up to total. An article without a date is in no month, and one without
// an outlet in no outlet bucket: the results count those in
// facets_missing, which the sums include.
func checkSums(row *CountRow, res *search.Results) {
	row.HistSum = res.FacetsMissing[search.FacetPublished]
	for _, b := range res.Facets[search.FacetPublished] {
		row.HistSum += b.Count
	}
	outlets := res.Facets[search.FacetOutlets]
	row.Outlets = len(outlets)
	row.OutletSum = res.FacetsMissing[search.FacetOutlets]
	for _, b := range outlets {
		row.OutletSum += b.Count
	}
	row.check("histogram sum", row.HistSum == int(res.Total), "published histogram sums to %d over %d buckets, total %d",
		row.HistSum, len(res.Facets[search.FacetPublished]), res.Total)
	if row.Outlets >= CountsFacetSize && row.OutletSum < int(res.Total) {
		// More outlets than fit: the buckets shown cannot add up to
		// total, only stay under it.
		row.skip("outlets sum", "more outlets than facet_size %d: the top %d sum to %d of total %d", CountsFacetSize, row.Outlets, row.OutletSum, res.Total)
		return
	}
	row.check("outlets sum", row.OutletSum == int(res.Total), "outlets facet sums to %d over %d values, total %d", row.OutletSum, row.Outlets, res.Total)
}

// checkClicks takes the top values of the outlets, people and places
// facets and the largest months of the histogram as filters, each in
// turn, and checks that the filtered total is the count shown.
func checkClicks(ctx context.Context, s Searcher, row *CountRow, base search.Request, res *search.Results) error {
	if base.Mode == search.ModeSemantic && res.Capped {
		row.skip("facet clicks", "semantic set capped at %d: a click need not reproduce the count", search.MaxSemantic)
		return nil
	}
	type click struct {
		label string
		req   search.Request
		want  int
	}
	var clicks []click
	for _, ff := range facetFilters {
		for _, b := range res.Facets[ff.facet][:min(countsClicks, len(res.Facets[ff.facet]))] {
			r := base
			r.Filters = map[string][]string{ff.filter: {b.Value}}
			clicks = append(clicks, click{ff.filter + "=" + b.Value, r, b.Count})
		}
	}
	months := slices.Clone(res.Facets[search.FacetPublished])
	slices.SortStableFunc(months, func(a, b search.Bucket) int { return b.Count - a.Count })
	for _, b := range months[:min(countsMonths, len(months))] {
		from, err1 := time.Parse(time.DateOnly, b.From)
		to, err2 := time.Parse(time.DateOnly, b.To)
		if err := errors.Join(err1, err2); err != nil {
			row.check("click month "+b.Key, false, "bucket %+v has no date range: %v", b, err)
			continue
		}
		r := base
		// The bucket is [From, To); the request's To is inclusive, and
		// the query's own range still applies.
		to = to.AddDate(0, 0, -1)
		if base.From.IsZero() || from.After(base.From) {
			r.From = from
		}
		if base.To.IsZero() || to.Before(base.To) {
			r.To = to
		}
		clicks = append(clicks, click{"month=" + b.Key, r, b.Count})
	}
	for _, c := range clicks {
		c.req.Facets = []string{}
		c.req.Size = 1
		got, err := s.Search(ctx, c.req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			row.Clicks++
			row.ClickMismatches++
			row.check("click "+c.label, false, "%v", err)
			continue
		}
		row.Clicks++
		if int(got.Total) != c.want {
			row.ClickMismatches++
			row.check("click "+c.label, false, "facet showed %d, the filter gives total %d", c.want, got.Total)
		}
	}
	row.check("facet clicks", row.ClickMismatches == 0, "%d of %d clicks give the count shown", row.Clicks-row.ClickMismatches, row.Clicks)
	return nil
}

// walkCursor follows next_cursor from r to the end of the list and returns
// what it saw and the hits (each once, in list order).
func walkCursor(ctx context.Context, s Searcher, r search.Request) (Walk, []search.Hit) {
	w := Walk{Match: map[string]int{}}
	seen := map[string]bool{}
	var hits []search.Hit
	for {
		if w.Requests == maxWalkRequests {
			w.Err = fmt.Sprintf("no end after %d requests", maxWalkRequests)
			break
		}
		w.Requests++
		res, err := s.Search(ctx, r)
		if err != nil {
			w.Errors++
			w.Err = fmt.Sprintf("after %d hits: %v", w.Seen, err)
			break
		}
		for _, h := range res.Hits {
			w.Seen++
			if seen[h.ID] {
				w.Repeats++
				continue
			}
			seen[h.ID] = true
			w.Match[h.Match]++
			hits = append(hits, h)
		}
		if res.NextCursor == "" {
			break
		}
		if len(res.Hits) == 0 {
			w.Err = fmt.Sprintf("empty page with a next cursor after %d hits", w.Seen)
			break
		}
		r.Cursor = res.NextCursor
	}
	return w, hits
}

// checkPages walks r's list by page number until a short page or the
// deepest page the engine serves, and checks that the pages hold listed
// hits, each once, that the page after the last is empty and that the
// count of pages is the one total + related implies.
func checkPages(ctx context.Context, s Searcher, row *CountRow, r search.Request, listed int) {
	w := Walk{Match: map[string]int{}}
	seen := map[string]bool{}
	last := 0 // the last page walked
	short := false
	for p := 1; p*r.Size <= search.MaxPageDepth; p++ {
		r.Page = p
		w.Requests++
		last = p
		res, err := s.Search(ctx, r)
		if err != nil {
			w.Errors++
			w.Err = fmt.Sprintf("page %d: %v", p, err)
			break
		}
		if len(res.Hits) > 0 {
			w.Pages++
		}
		for _, h := range res.Hits {
			w.Seen++
			if seen[h.ID] {
				w.Repeats++
				continue
			}
			seen[h.ID] = true
			w.Match[h.Match]++
		}
		if len(res.Hits) < r.Size {
			short = true
			break
		}
	}
	row.Pages = w
	reach := min(listed, search.MaxPageDepth)
	row.check("page walk", w.Errors == 0 && w.Repeats == 0 && w.Seen == reach,
		"seen %d in %d pages, want %d (total+related %d, depth limit %d); repeats %d, errors %d %s",
		w.Seen, w.Pages, reach, listed, search.MaxPageDepth, w.Repeats, w.Errors, w.Err)
	if w.Errors > 0 {
		return
	}
	want := (reach + r.Size - 1) / r.Size
	row.check("page count", w.Pages == want, "%d non-empty pages of %d, want ceil(%d/%d) = %d", w.Pages, r.Size, reach, r.Size, want)
	switch {
	case !short:
		row.skip("page after last", "the walk stopped at the depth limit (page %d of size %d)", last, r.Size)
	case w.Seen > 0 && last == w.Pages && (last+1)*r.Size <= search.MaxPageDepth:
		// The walk ended on a short, non-empty page: ask for the next.
		r.Page = last + 1
		res, err := s.Search(ctx, r)
		switch {
		case err != nil:
			row.check("page after last", false, "page %d: %v", r.Page, err)
		default:
			row.check("page after last", len(res.Hits) == 0, "page %d holds %d hits, want 0", r.Page, len(res.Hits))
		}
	default:
		// The walk ended on an empty page, itself the page after the last.
		row.check("page after last", true, "page %d is empty", last)
	}
}

// dateOrderBreak returns the index of the first hit out of date order
// (newest first, or oldest first with asc; hits without a date last), or
// -1 when they are in order.
func dateOrderBreak(hits []search.Hit, asc bool) int {
	for i := 1; i < len(hits); i++ {
		a, b := hits[i-1].Published, hits[i].Published
		switch {
		case b == "":
			continue
		case a == "":
			return i
		case asc && b < a, !asc && b > a:
			return i
		}
	}
	return -1
}

func idsOf(hits []search.Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

// checkSame checks that q's match set under same.Op (listed by date in
// date, whose ids are ids when same.Op is the default) equals the match set
// of same.Query.
func checkSame(ctx context.Context, s Searcher, row *CountRow, q CountQuery, same SameSet, date search.Request, ids []string) {
	name := fmt.Sprintf("same set op=%s %q", orDefault(same.Op), same.Query)
	date.Count = ""
	if same.Op != "" {
		date.Op = same.Op
		w, hits := walkCursor(ctx, s, date)
		if w.Err != "" {
			row.check(name, false, "%q op=%s: %s", q.Query, same.Op, w.Err)
			return
		}
		ids = idsOf(hits)
	}
	other := date
	other.Query, other.Op = same.Query, ""
	w, hits := walkCursor(ctx, s, other)
	if w.Err != "" {
		row.check(name, false, "%q: %s", same.Query, w.Err)
		return
	}
	onlyA, onlyB := setDiff(ids, idsOf(hits))
	row.check(name, len(onlyA) == 0 && len(onlyB) == 0, "%q op=%s: %d articles, %q: %d; %d only in the first %v, %d only in the second %v",
		q.Query, orDefault(same.Op), len(ids), same.Query, len(hits), len(onlyA), head(onlyA, 3), len(onlyB), head(onlyB, 3))
}

func orDefault(op string) string {
	if op == "" {
		return "default"
	}
	return op
}

func head(s []string, n int) []string { return s[:min(n, len(s))] }

// setDiff returns the members of a not in b and of b not in a, sorted.
func setDiff(a, b []string) (onlyA, onlyB []string) {
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, x := range a {
		inA[x] = true
	}
	for _, x := range b {
		inB[x] = true
		if !inA[x] {
			onlyB = append(onlyB, x)
		}
	}
	for _, x := range a {
		if !inB[x] {
			onlyA = append(onlyA, x)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return onlyA, onlyB
}

// WriteCountsRow prints a row's failed checks as soon as it is done, for
// a run that takes minutes.
func WriteCountsRow(w io.Writer, r *CountRow) {
	fmt.Fprintf(w, "%-50s %-8s total %6d related %5d  %5.1fs  %d failed\n", trunc(r.Query, 50), r.Mode, r.Total, r.Related, r.Seconds, r.Failed)
}

// WriteCounts prints the report: one row per query and mode, the failed
// checks in full, the titles asked for and the summary line.
func WriteCounts(w io.Writer, rep *CountsReport) {
	fmt.Fprintf(w, "\n%s: %d articles (index %.1fs)\n", rep.About, rep.Docs, rep.Index)
	fmt.Fprintf(w, "walks of %d hits a page; facets of up to %d values; clicks: top %d outlets, people and places and the %d largest months\n",
		CountsPageSize, CountsFacetSize, countsClicks, countsMonths)
	fmt.Fprintln(w, "hist/outlets: facet sums (! differs from total, + more outlets than fit); clicks: matching/clicked;")
	fmt.Fprintln(w, "cursor, pages: hits seen/repeats/errors (pages: and pages); date: sort=date hits (date_asc where the query asks), +rel with count=related;")
	fmt.Fprintln(w, "same: match sets equal to the query's as written otherwise (passed/checked)")
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "query\tmode\ttotal\trelated\tcap\tfloor\thist\toutlets\tclicks\tcursor\tpages\tdate\tdate+rel\tsame\tsecs\tfailed\t")
	for i := range rep.Rows {
		r := &rep.Rows[i]
		failed := map[string]bool{}
		for _, c := range r.Checks {
			if !c.Pass {
				failed[c.Name] = true
			}
		}
		mark := func(s string, names ...string) string {
			for _, n := range names {
				if failed[n] {
					return s + "!"
				}
			}
			return s
		}
		outlets := fmt.Sprint(r.OutletSum)
		if r.Outlets >= CountsFacetSize {
			outlets += "+"
		}
		same, sameOK := 0, 0
		for _, c := range r.Checks {
			if strings.HasPrefix(c.Name, "same set") {
				same++
				if c.Pass {
					sameOK++
				}
			}
		}
		sameCell := "-"
		if same > 0 {
			sameCell = fmt.Sprintf("%d/%d", sameOK, same)
			if sameOK < same {
				sameCell += "!"
			}
		}
		capped, floor := "-", "-"
		if r.Capped {
			capped = "yes"
		}
		if r.Floor != 0 {
			floor = fmt.Sprintf("%.3f", r.Floor)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%d\t\n",
			trunc(r.Query, 48), r.Mode, r.Total, r.Related, mark(capped, "cap"), floor,
			mark(fmt.Sprint(r.HistSum), "histogram sum"), mark(outlets, "outlets sum"),
			mark(fmt.Sprintf("%d/%d", r.Clicks-r.ClickMismatches, r.Clicks), "facet clicks"),
			mark(walkCell(r.Cursor), "cursor walk", "cursor match"),
			mark(walkCell(r.Pages)+fmt.Sprintf(" %dp", r.Pages.Pages), "page walk", "page count", "page after last"),
			mark(fmt.Sprint(r.Date.Seen), "date list", "date match", "date order"),
			mark(fmt.Sprint(r.DateRelated.Seen), "date list related"), sameCell,
			r.Seconds, r.Failed)
	}
	tw.Flush()
	var fails, skips []string
	for _, r := range rep.Rows {
		for _, c := range r.Checks {
			line := fmt.Sprintf("  %s | %s | %s: %s", r.Query, r.Mode, c.Name, c.Detail)
			switch {
			case !c.Pass:
				fails = append(fails, line)
			case c.Skipped:
				skips = append(skips, line)
			}
		}
	}
	if len(fails) > 0 {
		fmt.Fprintf(w, "\nfailed checks (%d):\n%s\n", len(fails), strings.Join(fails, "\n"))
	}
	if len(skips) > 0 {
		fmt.Fprintf(w, "\nskipped checks (%d):\n%s\n", len(skips), strings.Join(skips, "\n"))
	}
	for _, r := range rep.Rows {
		if len(r.Titles) > 0 {
			fmt.Fprintf(w, "\nfirst %d of %q in %s:\n  %s\n", len(r.Titles), r.Query, r.Mode, strings.Join(r.Titles, "\n  "))
		}
	}
	fmt.Fprintf(w, "\ncounts: %d checks passed, %d failed, %d skipped over %d rows in %.1fs\n", rep.Passed, rep.Failed, rep.Skipped, len(rep.Rows), rep.Seconds)
}

func walkCell(w Walk) string { return fmt.Sprintf("%d/%d/%d", w.Seen, w.Repeats, w.Errors) }

func trunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// CountsIndex returns an index of the collection c and the folder the
// caller removes after closing it ("" for none). With keep "", the index
// is built in a fresh temporary folder. Otherwise it lives in keep/index:
// opened as it is when an earlier run left it there (the caller says
// which collection it holds), else built there and left for the next run.
// Indexing goes through the pipeline of `newsdex index`, as Measure's does,
// with o.Embedder's embeddings.
func CountsIndex(ctx context.Context, c *Collection, o Options, keep string) (*index.Index, string, error) {
	if keep != "" {
		if dir := filepath.Join(keep, "index"); index.Exists(dir) {
			ix, err := index.Open(dir)
			return ix, "", err
		}
		if err := os.MkdirAll(keep, 0o755); err != nil {
			return nil, "", fmt.Errorf("eval counts: %w", err)
		}
		ix, err := build(ctx, c, o, keep)
		return ix, "", err
	}
	tmp, err := os.MkdirTemp(o.TempDir, "newsdex-counts-")
	if err != nil {
		return nil, "", fmt.Errorf("eval counts: %w", err)
	}
	ix, err := build(ctx, c, o, tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, "", err
	}
	return ix, tmp, nil
}
