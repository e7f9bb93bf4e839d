// Package leaders is the dataset of heads of state and government, finance
// ministers and central-bank heads (1980 to today) that the extract stage uses
// to resolve role phrases by date ("the U.S. president" in 1987 is Ronald
// Reagan) and to decide who was a leader on an article's date.
//
// The data lives in leaders.tsv (one row per term of office) and
// leader_office.tsv (which office counts as "the leader" of each country),
// both embedded in the binary; README.md documents the format, the coverage
// and the editorial choices.
package leaders

import (
	"bytes"
	_ "embed" // the data files are embedded
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"
)

// Roles are the functional categories that role phrases map onto (see
// RoleFor). A term has exactly one role.
const (
	// RoleHeadOfState is a president, monarch or other head of state who is
	// not also the head of government.
	RoleHeadOfState = "head_of_state"
	// RoleHeadOfGovernment is a prime minister, premier or chancellor.
	RoleHeadOfGovernment = "head_of_government"
	// RoleHeadOfStateAndGovernment is an executive president (United States)
	// or absolute monarch; Holder matches it for both RoleHeadOfState and
	// RoleHeadOfGovernment.
	RoleHeadOfStateAndGovernment = "head_of_state_and_government"
	// RoleFinanceMinister is a finance, treasury or economy minister.
	RoleFinanceMinister = "finance_minister"
	// RoleCentralBank is a central-bank governor, president or chair.
	RoleCentralBank = "central_bank"
	// RoleSupremeLeader is a leader above the state offices: Iran's Supreme
	// Leader, North Korea's leader, the Taliban's emir, China's paramount
	// leader Deng Xiaoping.
	RoleSupremeLeader = "supreme_leader"
	// RolePartyLeader is the head of a ruling communist party (General
	// Secretary of the CPSU, of the Chinese and Vietnamese parties, First
	// Secretary in Poland and Hungary before 1989).
	RolePartyLeader = "party_leader"
	// RoleSecretaryGeneral is the Secretary General of NATO or of the United
	// Nations.
	RoleSecretaryGeneral = "secretary_general"
	// RoleLeader is not stored in the data: it stands for "the country's
	// leader", and Holder answers it with Leader.
	RoleLeader = "leader"
)

// roles lists the roles a data row may have.
var roles = []string{
	RoleHeadOfState, RoleHeadOfGovernment, RoleHeadOfStateAndGovernment,
	RoleFinanceMinister, RoleCentralBank, RoleSupremeLeader, RolePartyLeader,
	RoleSecretaryGeneral,
}

// Roles returns the roles a term may have, in a fixed order.
func Roles() []string { return slices.Clone(roles) }

//go:embed leaders.tsv
var leadersTSV []byte

//go:embed leader_office.tsv
var leaderOfficeTSV []byte

// dateLayout is the layout of the start and end columns.
const dateLayout = time.DateOnly

// Term is one term of office: Person held Office of Country from Start
// (inclusive) to End (exclusive). On the day of a handover the successor
// holds office.
type Term struct {
	// Person is the canonical name, as Lookup and People return it.
	Person  string
	Country string
	// Office is the display title, e.g. "President of the United States".
	Office string
	// Role is one of the Role* constants except RoleLeader.
	Role  string
	Start time.Time
	// End is the zero time while the term is current.
	End time.Time
	// Aliases are the other names of Person, merged over all of Person's
	// rows, so every Term of a person carries the same list.
	Aliases []string
}

// Contains reports whether t was in force on day at (compared in UTC days).
func (t Term) Contains(at time.Time) bool {
	day := dayOf(at)
	return !day.Before(t.Start) && (t.End.IsZero() || day.Before(t.End))
}

// Current reports whether the term has no end date.
func (t Term) Current() bool { return t.End.IsZero() }

// ParseError is a syntax or value error in a data file, with the 1-based line
// and column (in bytes) where it was found.
type ParseError struct {
	File   string
	Line   int
	Column int
	// Field names the column, e.g. "start"; empty for row-level errors.
	Field string
	Err   error
}

// Error reports file, line, column, field and cause.
func (e *ParseError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %v", e.File, e.Line, e.Column, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// key identifies an office series: a country and a role.
type key struct{ country, role string }

// leaderRule says which role is "the leader" of a country from from
// (inclusive) to to (exclusive); zero bounds are open.
type leaderRule struct {
	role     string
	from, to time.Time
}

// Dataset is the loaded data. It is immutable after Load or Parse and safe
// for concurrent use.
type Dataset struct {
	terms []Term
	// byKey holds indexes into terms per (country, role), sorted by start.
	byKey map[key][]int
	// byPerson holds indexes into terms per canonical person, sorted by start.
	byPerson map[string][]int
	// names maps a folded name or alias to the canonical persons it names.
	names map[string][]string
	// countries maps a country name, canonical or lower-cased, to its
	// canonical spelling.
	countries   map[string]string
	countryList []string
	people      []string
	leader      map[string][]leaderRule
}

// Load parses the embedded leaders.tsv and leader_office.tsv.
func Load() (*Dataset, error) {
	return ParseWithLeaderOffices(bytes.NewReader(leadersTSV), bytes.NewReader(leaderOfficeTSV))
}

// Parse reads terms in the leaders.tsv format (see README.md). Leader on the
// result uses the default rule only, as no leader_office table is given.
// Errors are *ParseError values naming line and column.
func Parse(r io.Reader) (*Dataset, error) {
	return ParseWithLeaderOffices(r, nil)
}

// ParseWithLeaderOffices reads terms in the leaders.tsv format and, if
// offices is not nil, the per-country leader choice in the leader_office.tsv
// format.
func ParseWithLeaderOffices(terms, offices io.Reader) (*Dataset, error) {
	ts, err := parseTerms(terms)
	if err != nil {
		return nil, err
	}
	d := build(ts)
	if offices != nil {
		rules, err := parseLeaderOffices(offices, d)
		if err != nil {
			return nil, err
		}
		d.leader = rules
	}
	return d, nil
}

// termColumns are the columns of leaders.tsv, in order.
var termColumns = []string{"person", "country", "office", "role", "start", "end", "aliases"}

// newTSVReader returns a reader for our tab-separated files: '#' starts a
// comment line, quotes have no special meaning (names contain apostrophes).
func newTSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = '\t'
	cr.Comment = '#'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	return cr
}

// readHeader reads the header row and checks it against want.
func readHeader(cr *csv.Reader, file string, want []string) error {
	rec, err := cr.Read()
	if err != nil {
		return wrapCSV(file, fmt.Errorf("read header: %w", err))
	}
	if !slices.Equal(rec, want) {
		line, col := cr.FieldPos(0)
		return &ParseError{File: file, Line: line, Column: col,
			Err: fmt.Errorf("header is %q, want %q", rec, want)}
	}
	return nil
}

// wrapCSV turns a csv.ParseError into a ParseError so callers see one type.
func wrapCSV(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: file, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	return &ParseError{File: file, Err: err}
}

func parseTerms(r io.Reader) ([]Term, error) {
	const file = "leaders.tsv"
	cr := newTSVReader(r)
	if err := readHeader(cr, file, termColumns); err != nil {
		return nil, err
	}
	var out []Term
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
			if field < len(termColumns) {
				name = termColumns[field]
			}
			return &ParseError{File: file, Line: line, Column: col, Field: name, Err: err}
		}
		// The aliases column may be dropped when empty: editors strip
		// trailing tabs.
		if len(rec) != 6 && len(rec) != 7 {
			return nil, fail(len(termColumns), fmt.Errorf("row has %d fields, want 6 or 7", len(rec)))
		}
		for i := range 4 {
			if strings.TrimSpace(rec[i]) != rec[i] || rec[i] == "" {
				return nil, fail(i, fmt.Errorf("value %q is empty or has surrounding space", rec[i]))
			}
		}
		t := Term{Person: rec[0], Country: rec[1], Office: rec[2], Role: rec[3]}
		if !slices.Contains(roles, t.Role) {
			return nil, fail(3, fmt.Errorf("unknown role %q, want one of %s", t.Role, strings.Join(roles, ", ")))
		}
		if t.Start, err = time.Parse(dateLayout, rec[4]); err != nil {
			return nil, fail(4, fmt.Errorf("parse date %q: %w", rec[4], err))
		}
		if rec[5] != "" {
			if t.End, err = time.Parse(dateLayout, rec[5]); err != nil {
				return nil, fail(5, fmt.Errorf("parse date %q: %w", rec[5], err))
			}
			if !t.Start.Before(t.End) {
				return nil, fail(5, fmt.Errorf("end %s is not after start %s", rec[5], rec[4]))
			}
		}
		if len(rec) == 7 && rec[6] != "" {
			for a := range strings.SplitSeq(rec[6], "|") {
				if strings.TrimSpace(a) != a || a == "" {
					return nil, fail(6, fmt.Errorf("alias %q is empty or has surrounding space", a))
				}
				t.Aliases = append(t.Aliases, a)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// build indexes the terms and merges each person's aliases.
func build(ts []Term) *Dataset {
	d := &Dataset{
		terms:     ts,
		byKey:     map[key][]int{},
		byPerson:  map[string][]int{},
		names:     map[string][]string{},
		countries: map[string]string{},
	}
	aliases := map[string][]string{}
	for i, t := range ts {
		k := key{t.Country, t.Role}
		d.byKey[k] = append(d.byKey[k], i)
		d.byPerson[t.Person] = append(d.byPerson[t.Person], i)
		if _, ok := d.countries[t.Country]; !ok {
			d.countryList = append(d.countryList, t.Country)
		}
		d.countries[t.Country] = t.Country
		d.countries[strings.ToLower(t.Country)] = t.Country
		for _, a := range t.Aliases {
			if !slices.Contains(aliases[t.Person], a) {
				aliases[t.Person] = append(aliases[t.Person], a)
			}
		}
	}
	byStart := func(idx []int) {
		sort.SliceStable(idx, func(a, b int) bool { return ts[idx[a]].Start.Before(ts[idx[b]].Start) })
	}
	for _, idx := range d.byKey {
		byStart(idx)
	}
	for p, idx := range d.byPerson {
		byStart(idx)
		d.people = append(d.people, p)
		for _, i := range idx {
			ts[i].Aliases = aliases[p]
		}
		for _, n := range append([]string{p}, aliases[p]...) {
			f := Fold(n)
			if !slices.Contains(d.names[f], p) {
				d.names[f] = append(d.names[f], p)
			}
		}
	}
	sort.Strings(d.people)
	sort.Strings(d.countryList)
	for _, ps := range d.names {
		sort.Strings(ps)
	}
	return d
}

// dayOf truncates at to its calendar day, read in at's own location, as a
// UTC midnight: terms are whole days.
func dayOf(at time.Time) time.Time {
	y, m, dd := at.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// canonicalCountry returns the spelling of country used in the data,
// matching case-insensitively.
func (d *Dataset) canonicalCountry(country string) string {
	// Fast path without allocation: callers mostly pass the canonical spelling.
	if c, ok := d.countries[country]; ok {
		return c
	}
	if c, ok := d.countries[strings.ToLower(strings.TrimSpace(country))]; ok {
		return c
	}
	return country
}

// holder returns the term of exactly (country, role) in force at day.
func (d *Dataset) holder(country, role string, day time.Time) (Term, bool) {
	idx := d.byKey[key{country, role}]
	// The last term starting on or before day is the only candidate:
	// terms of one key do not overlap (checked by the data tests).
	n := sort.Search(len(idx), func(i int) bool { return d.terms[idx[i]].Start.After(day) })
	if n > 0 {
		if t := d.terms[idx[n-1]]; t.Contains(day) {
			return t, true
		}
	}
	return Term{}, false
}

// Holder returns the term of whoever held role in country on the day of at.
// Country is a name as listed in README.md, matched case-insensitively.
// RoleHeadOfState and RoleHeadOfGovernment also match
// RoleHeadOfStateAndGovernment terms (the U.S. president is both), exact
// matches first; RoleLeader is answered by Leader. It reports false when
// nobody held the role (vacancy, office not yet created, unknown country).
func (d *Dataset) Holder(country, role string, at time.Time) (Term, bool) {
	country = d.canonicalCountry(country)
	day := dayOf(at)
	switch role {
	case RoleLeader:
		return d.Leader(country, at)
	case RoleHeadOfState, RoleHeadOfGovernment:
		if t, ok := d.holder(country, role, day); ok {
			return t, true
		}
		return d.holder(country, RoleHeadOfStateAndGovernment, day)
	}
	return d.holder(country, role, day)
}

// Offices returns the terms that person (a canonical name) was serving on the
// day of at, ordered by start; nil if none.
func (d *Dataset) Offices(person string, at time.Time) []Term {
	day := dayOf(at)
	var out []Term
	for _, i := range d.byPerson[person] {
		if d.terms[i].Contains(day) {
			out = append(out, d.terms[i])
		}
	}
	return out
}

// Terms returns all terms of person (a canonical name), ordered by start; nil
// if person is unknown.
func (d *Dataset) Terms(person string) []Term {
	var out []Term
	for _, i := range d.byPerson[person] {
		out = append(out, d.terms[i])
	}
	return out
}

// All returns every term in file order.
func (d *Dataset) All() []Term { return slices.Clone(d.terms) }

// Lookup returns the canonical persons whose name or an alias equals name,
// ignoring case, diacritics, periods, apostrophes and hyphens (see Fold),
// sorted; nil if none. A name such as "Bush" can name several persons:
// LookupAt narrows by date.
func (d *Dataset) Lookup(name string) []string {
	return slices.Clone(d.names[Fold(name)])
}

// LookupAt is Lookup narrowed to the persons holding some office on the day
// of at; when none of the candidates held office then, it returns them all,
// so the caller can still tell a known name from an unknown one.
func (d *Dataset) LookupAt(name string, at time.Time) []string {
	cands := d.names[Fold(name)]
	var inOffice []string
	for _, p := range cands {
		if len(d.Offices(p, at)) > 0 {
			inOffice = append(inOffice, p)
		}
	}
	if inOffice != nil {
		return inOffice
	}
	return slices.Clone(cands)
}

// People returns all canonical names, sorted.
func (d *Dataset) People() []string { return slices.Clone(d.people) }

// Countries returns the country names used in the data, sorted.
func (d *Dataset) Countries() []string { return slices.Clone(d.countryList) }
