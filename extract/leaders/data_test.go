package leaders

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The tests in this file validate leaders.tsv and leader_office.tsv as data:
// consistency, coverage and known facts. They use a fixed "today" so that
// they do not start failing as time passes; bump it with the data.

// dataToday is the date the data is complete up to (see README.md).
var dataToday = date("2026-11-27")

// coverageStart is where coverage is required from, unless an office starts
// later (officeStart).
var coverageStart = date("1980-01-01")

// maxGap is the longest vacancy tolerated without an allowlist entry: short
// interregna (an acting holder not worth a row) are normal.
const maxGap = 60 * 24 * time.Hour

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// effKey is a coverage series: head_of_state and head_of_government are
// covered by their own rows and by head_of_state_and_government rows.
type effKey struct{ country, role string }

func (k effKey) String() string { return k.country + "/" + k.role }

// officeStart lists series whose coverage starts after 1980-01-01 because
// the office or the state did not exist before.
var officeStart = map[string]string{
	"Russia/head_of_state":         "1991-12-26", // Soviet Union before
	"Russia/head_of_government":    "1991-12-26",
	"Ukraine/head_of_state":        "1991-08-24", // independence
	"Ukraine/head_of_government":   "1991-08-24",
	"Belarus/head_of_state":        "1991-08-25", // independence
	"Belarus/head_of_government":   "1991-08-25",
	"European Union/head_of_state": "2009-12-01", // permanent European Council president
	"Euro area/central_bank":       "1998-06-01", // ECB founded
	"Afghanistan/supreme_leader":   "1996-09-27", // Taliban take Kabul
}

// officeEnd lists series that end before today: the office was abolished or
// the state ceased to exist, or (Fed) the data does not know the successor.
var officeEnd = map[string]string{
	"Soviet Union/head_of_state":      "1991-12-26",
	"Soviet Union/head_of_government": "1991-12-26",
	"Soviet Union/party_leader":       "1991-08-24", // Gorbachev resigns; party suspended
	"China/supreme_leader":            "1989-11-09", // Deng leaves his last post
	"Afghanistan/supreme_leader":      "2001-12-07", // Taliban lose Kandahar
	"Afghanistan/party_leader":        "1992-04-16",
	"Poland/party_leader":             "1990-01-29", // party dissolved
	"Hungary/party_leader":            "1989-10-07", // party dissolved
	"Iran/head_of_government":         "1989-08-03", // office abolished; presidents are both from then on
	"United States/central_bank":      "2026-05-16", // Powell's term as chair ends; successor not in the data
}

// allowedGaps are vacancies longer than maxGap that are real, keyed by
// series and the first vacant day.
var allowedGaps = map[string]string{
	"North Korea/head_of_state 1994-07-08":      "Kim Il-sung made Eternal President; no head of state until 1998",
	"Iraq/head_of_state 2003-04-09":             "US-led occupation; Governing Council with rotating presidency",
	"Iraq/head_of_government 2003-04-09":        "US-led occupation",
	"Iran/head_of_government 1980-01-01":        "Revolutionary Council governs until Rajai's appointment",
	"Pakistan/head_of_government 1988-05-29":    "Zia dismisses Junejo and rules without a prime minister",
	"Afghanistan/head_of_government 1992-04-16": "civil war; mujahideen and Taliban prime ministers not listed; Karzai is both from 2001",
}

// sharedAliases are names that genuinely belong to several people in the
// data. Lookup returns all of them; LookupAt narrows by date.
var sharedAliases = []string{
	"bush", "george bush", "trudeau", "gandhi", "sharif", "castro", "assad",
	"aquino", "marcos", "kirchner", "herzog", "hu", "visco", "stoltenberg",
}

// stopAliases are words that must never be single-word aliases: they are
// common English words or given names and would fire on ordinary text.
var stopAliases = []string{
	"may", "major", "brown", "hunt", "snow", "darling", "king", "queen", "ban",
	"begin", "sharon", "moon", "park", "lee", "kim", "li", "wang", "chen",
	"singh", "khan", "martin", "wilson", "clark", "turner", "baker", "costa",
	"miller", "regan", "fox", "franco", "prem", "anand", "president", "premier",
	"chancellor", "leader", "mansour", "said", "will", "bill", "rice", "mer",
}

func loadT(tb testing.TB) *Dataset {
	tb.Helper()
	d, err := Load()
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return d
}

// series groups the terms by coverage series, sorted by start.
func series(d *Dataset) map[effKey][]Term {
	out := map[effKey][]Term{}
	for _, t := range d.terms {
		switch t.Role {
		case RoleHeadOfStateAndGovernment:
			out[effKey{t.Country, RoleHeadOfState}] = append(out[effKey{t.Country, RoleHeadOfState}], t)
			out[effKey{t.Country, RoleHeadOfGovernment}] = append(out[effKey{t.Country, RoleHeadOfGovernment}], t)
		default:
			k := effKey{t.Country, t.Role}
			out[k] = append(out[k], t)
		}
	}
	for _, ts := range out {
		sort.SliceStable(ts, func(i, j int) bool { return ts[i].Start.Before(ts[j].Start) })
	}
	return out
}

func fmtTerm(t Term) string {
	end := "now"
	if !t.End.IsZero() {
		end = t.End.Format(time.DateOnly)
	}
	return fmt.Sprintf("%s (%s, %s..%s)", t.Person, t.Office, t.Start.Format(time.DateOnly), end)
}

func TestDataDates(t *testing.T) {
	d := loadT(t)
	for _, tm := range d.terms {
		if tm.Start.After(dataToday) {
			t.Errorf("%s starts after %s", fmtTerm(tm), dataToday.Format(time.DateOnly))
		}
		if !tm.End.IsZero() && tm.End.After(dataToday) {
			t.Errorf("%s ends in the future: leave end empty for current terms", fmtTerm(tm))
		}
		if !tm.End.IsZero() && tm.End.Before(coverageStart) {
			t.Errorf("%s ended before 1980: out of scope", fmtTerm(tm))
		}
		if strings.Contains(tm.Office, "  ") || strings.Contains(tm.Person, "  ") {
			t.Errorf("%s: double space", fmtTerm(tm))
		}
	}
}

func TestDataNoOverlaps(t *testing.T) {
	d := loadT(t)
	for k, ts := range series(d) {
		for i := 1; i < len(ts); i++ {
			prev, cur := ts[i-1], ts[i]
			if prev.End.IsZero() || prev.End.After(cur.Start) {
				t.Errorf("%s: %s overlaps %s", k, fmtTerm(prev), fmtTerm(cur))
			}
		}
	}
}

func TestDataCoverage(t *testing.T) {
	d := loadT(t)
	used := map[string]bool{}
	for k, ts := range series(d) {
		from := coverageStart
		if s, ok := officeStart[k.String()]; ok {
			from = date(s)
		}
		to := dataToday
		if s, ok := officeEnd[k.String()]; ok {
			to = date(s)
			used["end "+k.String()] = true
		}
		// Walk the series from `from`, reporting vacancies longer than maxGap.
		cursor := from
		check := func(gapEnd time.Time) {
			if gapEnd.Sub(cursor) <= maxGap {
				return
			}
			id := k.String() + " " + cursor.Format(time.DateOnly)
			if _, ok := allowedGaps[id]; ok {
				used[id] = true
				return
			}
			t.Errorf("%s: vacant from %s to %s", k, cursor.Format(time.DateOnly), gapEnd.Format(time.DateOnly))
		}
		for _, tm := range ts {
			if !tm.End.IsZero() && !tm.End.After(cursor) {
				continue
			}
			if tm.Start.After(to) {
				break
			}
			if tm.Start.After(cursor) {
				check(tm.Start)
			}
			if tm.End.IsZero() {
				cursor = to
				break
			}
			if tm.End.After(cursor) {
				cursor = tm.End
			}
		}
		if cursor.Before(to) {
			check(to)
		}
		last := ts[len(ts)-1]
		if _, ended := officeEnd[k.String()]; !ended && !last.End.IsZero() {
			t.Errorf("%s: last term %s has an end; add the successor or an officeEnd entry", k, fmtTerm(last))
		}
	}
	for id := range allowedGaps {
		if !used[id] {
			// Allowlist entries for series that start later or are complete
			// are harmless, but stale ones hide nothing and confuse readers.
			t.Logf("allowedGaps entry %q not needed", id)
		}
	}
}

func TestDataAliases(t *testing.T) {
	d := loadT(t)
	// Canonical names must not collide after folding.
	byFold := map[string]string{}
	for _, p := range d.People() {
		f := Fold(p)
		if q, ok := byFold[f]; ok {
			t.Errorf("persons %q and %q fold to the same name %q", p, q, f)
		}
		byFold[f] = p
	}
	for name, ps := range d.names {
		if len(ps) > 1 && !slices.Contains(sharedAliases, name) {
			t.Errorf("name %q is shared by %q; make it unique or add it to sharedAliases", name, ps)
		}
	}
	for _, s := range sharedAliases {
		if len(d.names[s]) < 2 {
			t.Errorf("sharedAliases entry %q names %q: remove it", s, d.names[s])
		}
	}
	for _, tm := range d.terms {
		for _, a := range tm.Aliases {
			if slices.Contains(stopAliases, Fold(a)) {
				t.Errorf("%s: alias %q is a common word or given name", tm.Person, a)
			}
			if Fold(a) == Fold(tm.Person) {
				t.Errorf("%s: alias %q repeats the canonical name", tm.Person, a)
			}
			if len([]rune(Fold(a))) < 2 {
				t.Errorf("%s: alias %q too short", tm.Person, a)
			}
		}
	}
}

func TestDataRowsHaveAliasesOnce(t *testing.T) {
	// Each alias should be written on one row of its person only: the loader
	// merges them, and repeating them invites drift.
	seen := map[string]int{}
	for _, tm := range parseRaw(t) {
		for _, a := range tm.Aliases {
			seen[tm.Person+"\x00"+a]++
		}
	}
	for k, n := range seen {
		if n > 1 {
			p, a, _ := strings.Cut(k, "\x00")
			t.Errorf("%s: alias %q written on %d rows", p, a, n)
		}
	}
}

// parseRaw returns the rows as written, before aliases are merged.
func parseRaw(tb testing.TB) []Term {
	tb.Helper()
	f, err := os.Open("leaders.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	ts, err := parseTerms(f)
	if err != nil {
		tb.Fatal(err)
	}
	return ts
}

func TestDataLeaderOffices(t *testing.T) {
	d := loadT(t)
	for _, c := range d.Countries() {
		if len(d.leader[c]) == 0 {
			t.Errorf("country %q has no row in leader_office.tsv", c)
		}
	}
	// Every month in every country's window has a leader, except during the
	// documented vacancies of all its offices.
	vacant := map[string][2]string{
		"Iraq": {"2003-04-09", "2004-06-28"},
	}
	for _, c := range d.Countries() {
		first := dataToday
		last := time.Time{}
		for _, tm := range d.terms {
			if tm.Country != c {
				continue
			}
			first = minTime(first, tm.Start)
			end := tm.End
			if end.IsZero() {
				end = dataToday
			}
			if end.After(last) {
				last = end
			}
		}
		first = maxTime(first, coverageStart)
		for at := first; at.Before(last); at = at.AddDate(0, 1, 0) {
			if _, ok := d.Leader(c, at); ok {
				continue
			}
			if v, ok := vacant[c]; ok && !at.Before(date(v[0])) && at.Before(date(v[1])) {
				continue
			}
			t.Errorf("Leader(%q, %s) found nobody", c, at.Format(time.DateOnly))
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TestDataREADME checks that README.md lists exactly the data's countries and
// that its uncertain-date entries name existing rows.
func TestDataREADME(t *testing.T) {
	d := loadT(t)
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	_, countries, ok := strings.Cut(readme, "<!-- countries -->")
	if !ok {
		t.Fatal("README.md has no <!-- countries --> marker")
	}
	countries, _, _ = strings.Cut(countries, "<!-- /countries -->")
	var listed []string
	for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(countries, -1) {
		listed = append(listed, m[1])
	}
	sort.Strings(listed)
	if got := d.Countries(); !slices.Equal(listed, got) {
		t.Errorf("README countries = %q\nwant %q", listed, got)
	}
	_, uncertain, ok := strings.Cut(readme, "<!-- uncertain -->")
	if !ok {
		t.Fatal("README.md has no <!-- uncertain --> marker")
	}
	uncertain, _, _ = strings.Cut(uncertain, "<!-- /uncertain -->")
	re := regexp.MustCompile(`(?m)^- (.+?), (.+?) from (\d{4}-\d{2}-\d{2})`)
	n := 0
	for _, m := range re.FindAllStringSubmatch(uncertain, -1) {
		n++
		found := false
		for _, tm := range d.Terms(m[1]) {
			if tm.Office == m[2] && tm.Start.Format(time.DateOnly) == m[3] {
				found = true
			}
		}
		if !found {
			t.Errorf("README uncertain entry %q matches no row (person, office, start)", m[0])
		}
	}
	if n == 0 {
		t.Error("README uncertain list is empty or unparsable")
	}
}
