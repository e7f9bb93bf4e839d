package ingest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/newsdex/newsdex"
)

// SetFields are the article fields Options.Set may fill.
var SetFields = []string{"outlet", "language", "authors", "dateline", "published", "url"}

// ParseSet parses "field=value" pairs (one per flag use) into the map of
// Options.Set, e.g. ["outlet=Wikinews", "language=en"]. Fields must be
// among SetFields, each at most once; published must be a date parseDate
// accepts.
func ParseSet(pairs []string) (map[string]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(pairs))
	for _, pair := range pairs {
		field, value, ok := strings.Cut(pair, "=")
		field, value = strings.TrimSpace(field), strings.TrimSpace(value)
		switch {
		case !ok || field == "" || value == "":
			return nil, fmt.Errorf("ingest: bad set pair %q, want field=value", pair)
		case !slices.Contains(SetFields, field):
			return nil, fmt.Errorf("ingest: bad set pair %q: unknown field %q, want one of %s", pair, field, strings.Join(SetFields, ", "))
		}
		if _, dup := m[field]; dup {
			return nil, fmt.Errorf("ingest: bad set pair %q: field %q set twice", pair, field)
		}
		if field == "published" {
			if _, ok := parseDate(value); !ok {
				return nil, fmt.Errorf("ingest: bad set pair %q: %q is not a date, want e.g. 2019-06-01", pair, value)
			}
		}
		m[field] = value
	}
	return m, nil
}

// applySet fills the empty fields of a named in set; a value the source
// gives wins.
func applySet(a *newsdex.Article, set map[string]string) {
	for field, v := range set {
		switch field {
		case "outlet":
			if strings.TrimSpace(a.Outlet) == "" {
				a.Outlet = v
			}
		case "language":
			if strings.TrimSpace(a.Language) == "" {
				a.Language = v
			}
		case "dateline":
			if strings.TrimSpace(a.Dateline) == "" {
				a.Dateline = v
			}
		case "url":
			if strings.TrimSpace(a.URL) == "" {
				a.URL = v
			}
		case "authors":
			if len(a.Authors) == 0 {
				for _, name := range strings.Split(v, ",") {
					a.Authors = append(a.Authors, strings.TrimSpace(name))
				}
			}
		case "published":
			if a.Published.IsZero() {
				a.Published, _ = parseDate(v)
			}
		}
	}
}
