package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/newsdex/newsdex/search"
)

// The research routes: GET /v1/timeline (attention over time),
// GET /v1/facets/{name} (one facet, every value) and GET /v1/terms
// (significant terms). All three describe the match set /v1/search's
// total counts, defined by the set parameters below.

// researcher is what the research routes need from the engine. It is an
// optional extension of searcher, checked by a type assertion, so fakes
// of the other routes need not implement it.
type researcher interface {
	Timeline(ctx context.Context, tr search.TimelineRequest) (*search.Timeline, error)
	FacetValues(ctx context.Context, facet string, r search.Request, size int) (*search.FacetList, error)
	Terms(ctx context.Context, r search.Request, o search.TermsOptions) (*search.SignificantTerms, error)
}

var _ researcher = (*search.Engine)(nil)

// setParams are the parameters that define a match set: the query and
// the filters of /v1/search.
var setParams = append(append([]string{"q", "op"}, filterParams()...), "from", "to", "collapse")

// Parameters of each research route.
var (
	timelineParams  = append(slices.Clone(setParams), "label", "interval", "split", "split_size", "format")
	facetListParams = append(slices.Clone(setParams), "size", "format")
	termsParams     = append(slices.Clone(setParams), "size", "sample", "min_count")
)

// Output formats of the timeline and facet lists.
const (
	formatJSON = "json"
	formatCSV  = "csv"
)

// checkParams refuses parameters outside allowed and repeated ones but
// those of repeatable.
func checkParams(v url.Values, allowed, repeatable []string) error {
	for name, vals := range v {
		if !slices.Contains(allowed, name) {
			return &search.ParamError{Param: paramName(name), Pos: -1, Msg: "unknown parameter, want one of " + strings.Join(allowed, ", ")}
		}
		if len(vals) > 1 && !slices.Contains(repeatable, name) && !slices.Contains(search.FilterNames, name) {
			return &search.ParamError{Param: name, Pos: -1, Msg: "given more than once"}
		}
	}
	return nil
}

// setRequest decodes the set parameters of v with search.ParseValues, the
// decoder of /v1/search, so both read them alike.
func setRequest(v url.Values) (search.Request, error) {
	sv := url.Values{}
	for _, name := range setParams {
		if vals, ok := v[name]; ok {
			sv[name] = vals
		}
	}
	return search.ParseValues(sv)
}

// intParam reads an optional integer parameter (0 when absent).
func intParam(v url.Values, name string) (int, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, &search.ParamError{Param: name, Pos: -1, Msg: "not an integer: " + quoteParam(s)}
	}
	if n == 0 {
		return 0, &search.ParamError{Param: name, Pos: -1, Msg: "must be at least 1"}
	}
	return n, nil
}

// formatParam reads format: json (the default) or csv.
func formatParam(v url.Values) (string, error) {
	switch f := v.Get("format"); f {
	case "", formatJSON:
		return formatJSON, nil
	case formatCSV:
		return formatCSV, nil
	default:
		return "", &search.ParamError{Param: "format", Pos: -1, Msg: "unknown format " + quoteParam(f) + ", want json or csv"}
	}
}

// researcherOf returns the engine's research extension, or answers 503.
func (s *Server) researcherOf(c *gin.Context) (researcher, bool) {
	rs, ok := s.search.(researcher)
	if !ok {
		s.fail(c, refuse(errUnavailable, "this server's search engine does not serve %s", c.FullPath()))
	}
	return rs, ok
}

func (s *Server) handleTimeline(c *gin.Context) {
	rs, ok := s.researcherOf(c)
	if !ok {
		return
	}
	tr, format, err := parseTimeline(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.SearchTimeout)
	defer cancel()
	start := time.Now()
	res, err := rs.Timeline(ctx, tr)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.searchDone("timeline", time.Since(start))
	c.Set(resultsKey, len(res.Series))
	if format == formatJSON {
		c.JSON(http.StatusOK, res)
		return
	}
	rows := [][]string{{"q", "label", "split", "value", "total", "key", "from", "to", "count", "all", "share"}}
	for _, sr := range res.Series {
		for _, b := range sr.Buckets {
			rows = append(rows, []string{sr.Q, sr.Label, sr.Split, sr.Value, strconv.FormatUint(sr.Total, 10), b.Key, b.From, b.To,
				strconv.Itoa(b.Count), strconv.Itoa(b.All), strconv.FormatFloat(b.Share, 'g', -1, 64)})
		}
	}
	writeCSV(c, "timeline.csv", rows)
}

// parseTimeline reads the parameters of /v1/timeline.
func parseTimeline(c *gin.Context) (search.TimelineRequest, string, error) {
	var tr search.TimelineRequest
	v, err := query(c)
	if err != nil {
		return tr, "", err
	}
	if err := checkParams(v, timelineParams, []string{"q", "label"}); err != nil {
		return tr, "", err
	}
	format, err := formatParam(v)
	if err != nil {
		return tr, "", err
	}
	base := url.Values{}
	for k, vals := range v {
		if k != "q" {
			base[k] = vals
		}
	}
	if tr.Filters, err = setRequest(base); err != nil {
		return tr, "", err
	}
	tr.Queries, tr.Labels = v["q"], v["label"]
	tr.Interval, tr.Split = v.Get("interval"), v.Get("split")
	if tr.SplitSize, err = intParam(v, "split_size"); err != nil {
		return tr, "", err
	}
	return tr, format, nil
}

func (s *Server) handleFacetList(c *gin.Context) {
	rs, ok := s.researcherOf(c)
	if !ok {
		return
	}
	v, err := query(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := checkParams(v, facetListParams, nil); err != nil {
		s.fail(c, err)
		return
	}
	format, err := formatParam(v)
	if err != nil {
		s.fail(c, err)
		return
	}
	size, err := intParam(v, "size")
	if err != nil {
		s.fail(c, err)
		return
	}
	req, err := setRequest(v)
	if err != nil {
		s.fail(c, err)
		return
	}
	name := c.Param("name")
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.SearchTimeout)
	defer cancel()
	start := time.Now()
	res, err := rs.FacetValues(ctx, name, req, size)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.searchDone("facets", time.Since(start))
	c.Set(resultsKey, len(res.Values))
	if format == formatJSON {
		c.JSON(http.StatusOK, res)
		return
	}
	rows := [][]string{{"facet", "value", "count", "office"}}
	for _, fv := range res.Values {
		rows = append(rows, []string{res.Facet, fv.Value, strconv.Itoa(fv.Count), fv.Office})
	}
	writeCSV(c, res.Facet+".csv", rows)
}

func (s *Server) handleTerms(c *gin.Context) {
	rs, ok := s.researcherOf(c)
	if !ok {
		return
	}
	v, err := query(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := checkParams(v, termsParams, nil); err != nil {
		s.fail(c, err)
		return
	}
	var o search.TermsOptions
	for _, p := range []struct {
		name string
		dst  *int
	}{{"size", &o.Size}, {"sample", &o.Sample}, {"min_count", &o.MinCount}} {
		if *p.dst, err = intParam(v, p.name); err != nil {
			s.fail(c, err)
			return
		}
	}
	req, err := setRequest(v)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.SearchTimeout)
	defer cancel()
	start := time.Now()
	res, err := rs.Terms(ctx, req, o)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.searchDone("terms", time.Since(start))
	c.Set(resultsKey, len(res.Terms))
	c.JSON(http.StatusOK, res)
}

// writeCSV answers with rows as a CSV attachment named file. The rows are
// built in full first, so an error never arrives after a 200.
func writeCSV(c *gin.Context, file string, rows [][]string) {
	c.Header("Content-Disposition", `attachment; filename="`+file+`"`)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	// A write error is a client gone; there is no one left to answer.
	_ = w.WriteAll(rows)
}
