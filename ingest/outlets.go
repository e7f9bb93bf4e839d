package ingest

import (
	"bufio"
	_ "embed"
	"net/url"
	"strings"
	"sync"

	"github.com/newsdex/newsdex"
)

// outletsTSV is the canonical outlet table (data/outlets.tsv).
//
//go:embed data/outlets.tsv
var outletsTSV string

// outletTable maps folded publisher variants and domains to canonical
// outlet names.
type outletTable struct {
	byName   map[string]string // foldOutlet(variant) → canonical
	byDomain map[string]string // host without "www." → canonical
}

// loadOutlets parses outletsTSV; it is built once, on first use, and only
// read afterwards (the data is constant, so this is no mutable state).
var loadOutlets = sync.OnceValue(func() *outletTable {
	t := &outletTable{byName: map[string]string{}, byDomain: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(outletsTSV))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		canon := f[0]
		t.byName[foldOutlet(canon)] = canon
		if len(f) > 1 {
			for _, v := range strings.Split(f[1], "|") {
				if v = strings.TrimSpace(v); v != "" {
					t.byName[foldOutlet(v)] = canon
				}
			}
		}
		if len(f) > 2 {
			for _, d := range strings.Split(f[2], "|") {
				if d = strings.TrimSpace(d); d != "" {
					t.byDomain[strings.ToLower(d)] = canon
				}
			}
		}
	}
	return t
})

// foldOutlet is the lookup form of a publisher name: lower case, without a
// leading "the", a trailing ".com" or punctuation other than inner
// hyphens, spaces collapsed.
func foldOutlet(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "the ")
	s = strings.TrimSuffix(s, ".com")
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '!' || r == '.' || r == ',' || r == '\'' || r == '’':
			continue
		case r == ' ' || r == '\t':
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sectionSuffixes are the ways publisher fields append a section: the
// section they mean comes second. Longer forms come first.
var sectionSuffixes = []struct{ suffix, section string }{
	{" - opinion/editorial", "Opinion"},
	{" editorial board", "Opinion"},
	{" (opinion)", "Opinion"},
	{" - opinion", "Opinion"},
	{" - editorial", "Opinion"},
	{" opinion", "Opinion"},
	{" editorial", "Opinion"},
	{" (online news)", "News"},
	{" (web news)", "News"},
	{" online news", "News"},
	{" (news)", "News"},
	{" - news", "News"},
	{" (online)", "News"},
}

// splitSection cuts a section suffix off a publisher field: "New York
// Times - Opinion" → ("New York Times", "Opinion").
func splitSection(publisher string) (name, section string) {
	l := strings.ToLower(publisher)
	for _, s := range sectionSuffixes {
		if strings.HasSuffix(l, s.suffix) && len(l) > len(s.suffix) {
			return strings.TrimSpace(publisher[:len(publisher)-len(s.suffix)]), s.section
		}
	}
	return publisher, ""
}

// CanonicalOutlet returns the canonical outlet of a publisher field and
// the section it names, if any: "New York Times - Opinion" → ("The New
// York Times", "Opinion"), "Fox Online News" → ("Fox News", "News"). A
// publisher that is not in the table but whose articleURL is on a known
// outlet's domain (a columnist, "Guest Writer - Left") gives that outlet;
// known is false then and when nothing is known, and outlet is the
// publisher without its section.
func CanonicalOutlet(publisher, articleURL string) (outlet, section string, known bool) {
	t := loadOutlets()
	name, section := splitSection(strings.TrimSpace(publisher))
	if canon, ok := t.byName[foldOutlet(name)]; ok {
		return canon, section, true
	}
	if u, err := url.Parse(articleURL); err == nil && u.Host != "" {
		host := strings.ToLower(u.Hostname())
		for _, p := range []string{"www.", "amp.", "mobile.", "m."} {
			host = strings.TrimPrefix(host, p)
		}
		for h := host; h != ""; {
			if canon, ok := t.byDomain[h]; ok {
				return canon, section, false
			}
			_, rest, ok := strings.Cut(h, ".")
			if !ok || !strings.Contains(rest, ".") {
				break
			}
			h = rest
		}
	}
	return name, section, false
}

// canonicalizeOutlet applies CanonicalOutlet to a: the outlet becomes the
// canonical name, the section goes to Labels["section"] and a changed
// publisher value is kept in Labels["publisher"] for audit. An article
// with no outlet gets the one its URL's domain names, if any
// (Labels["outlet_from"] = url). A publisher
// that is a person or a guest slot on a known outlet's site ("Ben
// Shapiro" on nationalreview.com) is added to Authors.
func canonicalizeOutlet(a *newsdex.Article) {
	if a.Outlet == "" {
		// An article without a publisher on a known outlet's site is
		// that outlet's (a Wikinews export names none).
		if outlet, _, _ := CanonicalOutlet("", a.URL); outlet != "" {
			a.Outlet = outlet
			if a.Labels == nil {
				a.Labels = map[string][]string{}
			}
			a.Labels["outlet_from"] = []string{"url"}
		}
		return
	}
	raw := a.Outlet
	outlet, section, known := CanonicalOutlet(raw, a.URL)
	if outlet == raw && section == "" {
		return
	}
	if a.Labels == nil {
		a.Labels = map[string][]string{}
	}
	a.Labels["publisher"] = []string{raw}
	if section != "" {
		a.Labels["section"] = []string{section}
	}
	name, _ := splitSection(raw)
	if !known && outlet != name && len(a.Authors) == 0 && !strings.HasPrefix(strings.ToLower(name), "guest writer") {
		a.Authors = []string{name}
	}
	if !known && strings.HasPrefix(strings.ToLower(name), "guest writer") && section == "" {
		a.Labels["section"] = []string{"Opinion"}
	}
	a.Outlet = outlet
}

// OutletNames returns the canonical outlet names of the table, in no
// particular order.
func OutletNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range loadOutlets().byName {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
