package search

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// opSuffix makes the parameter of a filter's operator: person_op=and.
const opSuffix = "_op"

// Values encodes r as URL query parameters; ParseValues(r.Values()) gives
// r back. Zero fields (defaults) are left out, Snippets -1 (none) is
// snippets=0, Facets empty but not nil (none) is an empty facets, and
// filters keep the order of their values.
func (r Request) Values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	num := func(k string, n int) {
		if n != 0 {
			v.Set(k, strconv.Itoa(n))
		}
	}
	set("q", r.Query)
	set("op", r.Op)
	for _, name := range FilterNames {
		for _, val := range r.Filters[name] {
			v.Add(name, val)
		}
		set(name+opSuffix, r.FilterOps[name])
	}
	if !r.From.IsZero() {
		v.Set("from", r.From.Format(time.DateOnly))
	}
	if !r.To.IsZero() {
		v.Set("to", r.To.Format(time.DateOnly))
	}
	set("sort", r.Sort)
	num("size", r.Size)
	num("page", r.Page)
	set("cursor", r.Cursor)
	if r.Snippets == -1 {
		v.Set("snippets", "0")
	} else {
		num("snippets", r.Snippets)
	}
	num("snippet_size", r.SnippetSize)
	if r.Facets != nil {
		v.Set("facets", strings.Join(r.Facets, ","))
	}
	num("facet_size", r.FacetSize)
	set("interval", r.Interval)
	set("mode", r.Mode)
	if r.Neighbours == -1 {
		v.Set("k", "0")
	} else {
		num("k", r.Neighbours)
	}
	set("count", r.Count)
	if r.Collapse != nil {
		v.Set("collapse", strconv.FormatBool(*r.Collapse))
	}
	if r.Explain {
		v.Set("explain", "true")
	}
	return v
}

// ParseValues decodes the search parameters of v (see Params) into a
// Request, reading the first value of each but the filters; bad values
// come back as *ParamError naming the parameter. Parameters that are not
// search parameters are ignored: refusing unknown or repeated parameters
// is the caller's choice (the API takes a subset for similar articles).
// Ranges are checked by Request.Normalize.
func ParseValues(v url.Values) (Request, error) {
	var r Request
	r.Query = v.Get("q")
	for _, name := range FilterNames {
		if vals := v[name]; len(vals) > 0 {
			if r.Filters == nil {
				r.Filters = map[string][]string{}
			}
			r.Filters[name] = vals
		}
		if op := v.Get(name + opSuffix); op != "" {
			if r.FilterOps == nil {
				r.FilterOps = map[string]string{}
			}
			r.FilterOps[name] = op
		}
	}
	r.Op = v.Get("op")
	var err error
	if s := v.Get("from"); s != "" {
		if r.From, err = ParseDate("from", s); err != nil {
			return r, err
		}
	}
	if s := v.Get("to"); s != "" {
		if r.To, err = ParseDate("to", s); err != nil {
			return r, err
		}
	}
	r.Sort = v.Get("sort")
	ints := []struct {
		name string
		dst  *int
	}{{"size", &r.Size}, {"page", &r.Page}, {"snippets", &r.Snippets}, {"snippet_size", &r.SnippetSize}, {"facet_size", &r.FacetSize},
		{"k", &r.Neighbours}}
	for _, p := range ints {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return r, paramErr(p.name, "not an integer: %s", quoteValue(s))
		}
		if n == 0 && (p.name == "snippets" || p.name == "k") {
			n = -1 // explicit zero: none
		}
		if n == 0 {
			return r, paramErr(p.name, "must be at least 1")
		}
		*p.dst = n
	}
	r.Cursor = v.Get("cursor")
	if f, ok := v["facets"]; ok {
		r.Facets = []string{}
		for _, name := range strings.Split(f[0], ",") {
			if name = strings.TrimSpace(name); name != "" {
				r.Facets = append(r.Facets, name)
			}
		}
	}
	r.Interval = v.Get("interval")
	r.Mode = v.Get("mode")
	r.Count = v.Get("count")
	if s := v.Get("collapse"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return r, paramErr("collapse", "want true or false, got %s", quoteValue(s))
		}
		r.Collapse = &b
	}
	if s := v.Get("explain"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return r, paramErr("explain", "want true or false, got %s", quoteValue(s))
		}
		r.Explain = b
	}
	return r, nil
}

// quoteValue quotes a parameter value for an error message, cut to 100
// bytes so a huge value is not echoed back whole.
func quoteValue(s string) string {
	if len(s) > 100 {
		s = strings.ToValidUTF8(s[:100], "") + "…"
	}
	return strconv.Quote(s)
}
