package leaders

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// leaderColumns are the columns of leader_office.tsv, in order.
var leaderColumns = []string{"country", "role", "from", "to"}

// parseLeaderOffices reads leader_office.tsv: per country, which role is
// "the leader" over a date range. Countries must exist in d.
func parseLeaderOffices(r io.Reader, d *Dataset) (map[string][]leaderRule, error) {
	const file = "leader_office.tsv"
	cr := newTSVReader(r)
	if err := readHeader(cr, file, leaderColumns); err != nil {
		return nil, err
	}
	out := map[string][]leaderRule{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, wrapCSV(file, err)
		}
		fail := func(field int, err error) error {
			line, col := cr.FieldPos(min(field, len(rec)-1))
			name := ""
			if field < len(leaderColumns) {
				name = leaderColumns[field]
			}
			return &ParseError{File: file, Line: line, Column: col, Field: name, Err: err}
		}
		for len(rec) < len(leaderColumns) && len(rec) >= 2 {
			rec = append(rec, "") // trailing empty dates may be stripped
		}
		if len(rec) != len(leaderColumns) {
			return nil, fail(len(leaderColumns), fmt.Errorf("row has %d fields, want 2 to 4", len(rec)))
		}
		country := rec[0]
		if _, ok := d.countries[strings.ToLower(country)]; !ok || d.canonicalCountry(country) != country {
			return nil, fail(0, fmt.Errorf("unknown country %q (not in leaders.tsv)", country))
		}
		rule := leaderRule{role: rec[1]}
		if !slices.Contains(roles, rule.role) {
			return nil, fail(1, fmt.Errorf("unknown role %q", rule.role))
		}
		for i, dst := range []*time.Time{&rule.from, &rule.to} {
			if rec[2+i] == "" {
				continue
			}
			if *dst, err = time.Parse(dateLayout, rec[2+i]); err != nil {
				return nil, fail(2+i, fmt.Errorf("parse date %q: %w", rec[2+i], err))
			}
		}
		if !rule.from.IsZero() && !rule.to.IsZero() && !rule.from.Before(rule.to) {
			return nil, fail(3, fmt.Errorf("to %s is not after from %s", rec[3], rec[2]))
		}
		for _, o := range out[country] {
			if overlaps(o, rule) {
				return nil, fail(2, fmt.Errorf("range overlaps another %s row", country))
			}
		}
		out[country] = append(out[country], rule)
	}
	return out, nil
}

// overlaps reports whether two half-open ranges with open (zero) bounds meet.
func overlaps(a, b leaderRule) bool {
	aEndsBeforeB := !a.to.IsZero() && !b.from.IsZero() && !a.to.After(b.from)
	bEndsBeforeA := !b.to.IsZero() && !a.from.IsZero() && !b.to.After(a.from)
	return !aEndsBeforeB && !bEndsBeforeA
}

// defaultLeaderRoles is the order tried when a country has no rule for a date
// or its chosen office is vacant: an executive head of state and government,
// then the head of government, then the head of state.
var defaultLeaderRoles = []string{RoleHeadOfStateAndGovernment, RoleHeadOfGovernment, RoleHeadOfState}

// Leader returns the term of the country's leader on the day of at: the
// holder of the office that leader_office.tsv names for that country and
// date (President of Russia, Prime Minister of the United Kingdom, Chancellor
// of Germany, Supreme Leader of Iran, General Secretary in the Soviet Union
// before 1990...). When the country has no rule for the date, or the named
// office is vacant that day, it tries the default order: head of state and
// government, head of government, head of state. It reports false when none
// of these is held.
func (d *Dataset) Leader(country string, at time.Time) (Term, bool) {
	country = d.canonicalCountry(country)
	day := dayOf(at)
	for _, r := range d.leader[country] {
		if (r.from.IsZero() || !day.Before(r.from)) && (r.to.IsZero() || day.Before(r.to)) {
			if t, ok := d.Holder(country, r.role, day); ok {
				return t, true
			}
			break
		}
	}
	for _, role := range defaultLeaderRoles {
		if t, ok := d.holder(country, role, day); ok {
			return t, true
		}
	}
	return Term{}, false
}
