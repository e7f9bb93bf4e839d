package leaders

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const header = "person\tcountry\toffice\trole\tstart\tend\taliases\n"

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		line, col  int
		field, msg string
	}{
		{"bad header", "person\tcountry\n", 1, 1, "", "header"},
		{"bad start", header + "A\tX\tO\thead_of_state\t2001-13-01\t\t\n", 2, 21, "start", "parse date"},
		{"bad end", header + "# c\nA\tX\tO\thead_of_state\t2001-01-01\tsoon\t\n", 3, 32, "end", "parse date"},
		{"end before start", header + "A\tX\tO\thead_of_state\t2001-01-01\t2000-01-01\n", 2, 32, "end", "not after start"},
		{"unknown role", header + "A\tX\tO\tpresident\t2001-01-01\t\t\n", 2, 7, "role", "unknown role"},
		{"empty person", header + "\tX\tO\thead_of_state\t2001-01-01\t\t\n", 2, 1, "person", "empty"},
		{"few fields", header + "A\tX\tO\n", 2, 5, "", "3 fields"},
		{"empty alias", header + "A\tX\tO\thead_of_state\t2001-01-01\t\tB||C\n", 2, 33, "aliases", "alias"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want *ParseError", err)
			}
			if pe.Line != tc.line || pe.Column != tc.col || pe.Field != tc.field || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Parse error = %q (line %d col %d field %q), want line %d col %d field %q containing %q",
					err, pe.Line, pe.Column, pe.Field, tc.line, tc.col, tc.field, tc.msg)
			}
		})
	}
}

func TestParseLeaderOfficesErrors(t *testing.T) {
	terms := header + "A\tX\tO\thead_of_state\t2001-01-01\t\t\n"
	for _, in := range []string{
		"country\trole\tfrom\tto\nY\thead_of_state\t\t\n",
		"country\trole\tfrom\tto\nX\tking\t\t\n",
		"country\trole\tfrom\tto\nX\thead_of_state\t2001-01-01\t2000-01-01\n",
		"country\trole\tfrom\tto\nX\thead_of_state\t\t2002-01-01\nX\thead_of_government\t2001-01-01\t\n",
	} {
		_, err := ParseWithLeaderOffices(strings.NewReader(terms), strings.NewReader(in))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 2 && pe.Line != 3 {
			t.Errorf("ParseWithLeaderOffices(%q) error = %v, want a *ParseError on line 2 or 3", in, err)
		}
	}
}

func TestParseMergesAliases(t *testing.T) {
	in := header +
		"Ann Lee\tX\tPresident of X\thead_of_state\t2000-01-01\t2004-01-01\tLee Ann|A. Lee\n" +
		"Bob Roe\tX\tPresident of X\thead_of_state\t2004-01-01\t2008-01-01\n" +
		"Ann Lee\tX\tPresident of X\thead_of_state\t2008-01-01\t\tAnnie Lee\n"
	d, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Lee Ann", "A. Lee", "Annie Lee"}
	for _, tm := range d.Terms("Ann Lee") {
		if diff := cmp.Diff(want, tm.Aliases); diff != "" {
			t.Errorf("aliases of %s mismatch (-want +got):\n%s", fmtTerm(tm), diff)
		}
	}
	if got, _ := d.Holder("x", RoleHeadOfState, date("2010-05-05")); got.Person != "Ann Lee" {
		t.Errorf("Holder with lower-case country = %q, want Ann Lee", got.Person)
	}
	// Without a leader_office table Leader falls back to the head of state.
	if got, ok := d.Leader("X", date("2005-01-01")); !ok || got.Person != "Bob Roe" {
		t.Errorf("Leader = %q, %v; want Bob Roe", got.Person, ok)
	}
	if got := d.Lookup("annie lee"); !cmp.Equal(got, []string{"Ann Lee"}) {
		t.Errorf("Lookup(annie lee) = %q", got)
	}
}

func TestHolderHalfOpen(t *testing.T) {
	d := loadT(t)
	// Times of day and zones do not matter: the calendar day of at counts.
	late := time.Date(2017, 1, 19, 23, 59, 0, 0, time.UTC)
	if got, _ := d.Holder("United States", RoleHeadOfState, late); got.Person != "Barack Obama" {
		t.Errorf("late 2017-01-19 = %s, want Barack Obama", got.Person)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	if got, _ := d.Holder("United States", RoleHeadOfState, time.Date(2017, 1, 20, 1, 0, 0, 0, tokyo)); got.Person != "Donald Trump" {
		t.Errorf("2017-01-20 JST = %s, want Donald Trump", got.Person)
	}
	if _, ok := d.Holder("Atlantis", RoleHeadOfState, late); ok {
		t.Error("Holder found a holder for an unknown country")
	}
	if _, ok := d.Holder("European Union", RoleHeadOfState, date("2005-01-01")); ok {
		t.Error("Holder found a European Council president before the office existed")
	}
	// Exact role wins over head_of_state_and_government; the latter fills in.
	if got, _ := d.Holder("Saudi Arabia", RoleHeadOfGovernment, date("2010-01-01")); got.Person != "Abdullah bin Abdulaziz" {
		t.Errorf("Saudi head of government 2010 = %s", got.Person)
	}
	if got, _ := d.Holder("United States", RoleHeadOfStateAndGovernment, date("2010-01-01")); got.Person != "Barack Obama" {
		t.Errorf("US head_of_state_and_government 2010 = %s", got.Person)
	}
	if got, ok := d.Holder("Germany", RoleHeadOfStateAndGovernment, date("2010-01-01")); ok {
		t.Errorf("Germany has no head_of_state_and_government, got %s", got.Person)
	}
}

func TestOffices(t *testing.T) {
	d := loadT(t)
	tests := []struct {
		person, at string
		want       []string
	}{
		{"Donald Trump", "2016-06-01", nil},
		{"Donald Trump", "2018-06-01", []string{"President of the United States"}},
		{"Vladimir Putin", "2010-01-01", []string{"Chairman of the Government of Russia"}},
		{"Mark Carney", "2010-01-01", []string{"Governor of the Bank of Canada"}},
		{"Mark Carney", "2025-06-01", []string{"Prime Minister of Canada"}},
		{"Xi Jinping", "2012-12-01", []string{"General Secretary of the Chinese Communist Party"}},
		{"Xi Jinping", "2019-01-01", []string{"General Secretary of the Chinese Communist Party", "President of China"}},
		{"Janet Yellen", "2021-06-01", []string{"Secretary of the Treasury"}},
		{"Nobody", "2021-06-01", nil},
	}
	for _, tc := range tests {
		var got []string
		for _, tm := range d.Offices(tc.person, date(tc.at)) {
			got = append(got, tm.Office)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Offices(%q, %s) mismatch (-want +got):\n%s", tc.person, tc.at, diff)
		}
	}
}

func TestLookup(t *testing.T) {
	d := loadT(t)
	tests := []struct {
		name string
		want []string
	}{
		{"Trump", []string{"Donald Trump"}},
		{"donald j. trump", []string{"Donald Trump"}},
		{"ERDOGAN", []string{"Recep Tayyip Erdoğan"}},
		{"Recep Tayyip Erdogan", []string{"Recep Tayyip Erdoğan"}},
		{"Kim Jong Un", []string{"Kim Jong-un"}},
		{"Lech Walesa", []string{"Lech Wałęsa"}},
		{"Putin", []string{"Vladimir Putin"}},
		{"Xi", []string{"Xi Jinping"}},
		{"George H.W. Bush", []string{"George H. W. Bush"}},
		{"Bush", []string{"George H. W. Bush", "George W. Bush"}},
		{"Zelensky", []string{"Volodymyr Zelenskyy"}},
		{"Theresa May", []string{"Theresa May"}},
		{"May", nil},
		{"", nil},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, d.Lookup(tc.name)); diff != "" {
			t.Errorf("Lookup(%q) mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
	if got := d.LookupAt("Bush", date("1990-01-01")); !cmp.Equal(got, []string{"George H. W. Bush"}) {
		t.Errorf("LookupAt(Bush, 1990) = %q", got)
	}
	if got := d.LookupAt("Bush", date("2015-01-01")); len(got) != 2 {
		t.Errorf("LookupAt(Bush, 2015) = %q, want both (neither in office)", got)
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Recep Tayyip Erdoğan": "recep tayyip erdogan",
		"Lech Wałęsa":          "lech walesa",
		"Kim Jong-un":          "kim jong un",
		"George H.W. Bush":     "george h w bush",
		"  O’Neill ":           "oneill",
		"Nguyễn Phú Trọng":     "nguyen phu trong",
		"Đỗ Mười":              "do muoi",
		"Gerhard Schröder":     "gerhard schroder",
		"İhsan Çağlayangil":    "ihsan caglayangil",
		"Yıldırım":             "yildirim",
	}
	for in, want := range tests {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoleFor(t *testing.T) {
	tests := []struct {
		title, country, want string
		ok                   bool
	}{
		{"President", "", RoleHeadOfState, true},
		{"prime minister", "", RoleHeadOfGovernment, true},
		{"Premier", "", RoleHeadOfGovernment, true},
		{"Chancellor", "Germany", RoleHeadOfGovernment, true},
		{"Chancellor", "United Kingdom", RoleFinanceMinister, true},
		{"Chancellor of the Exchequer", "", RoleFinanceMinister, true},
		{"Fed Chairman", "", RoleCentralBank, true},
		{"treasury secretary", "", RoleFinanceMinister, true},
		{"central bank chief", "", RoleCentralBank, true},
		{"finance minister", "", RoleFinanceMinister, true},
		{"Secretary-General", "", RoleSecretaryGeneral, true},
		{"leader", "", RoleLeader, true},
		{"leader", "Iran", RoleSupremeLeader, true},
		{"acting president", "", RoleHeadOfState, true},
		{"Supreme Leader", "", RoleSupremeLeader, true},
		{"General Secretary", "", RolePartyLeader, true},
		{"president", "Euro area", RoleCentralBank, true},
		{"vice president", "", "", false},
		{"former president", "", "", false},
		{"governor", "", "", false},
	}
	for _, tc := range tests {
		got, ok := RoleForCountry(tc.title, tc.country)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RoleForCountry(%q, %q) = %q, %v; want %q, %v", tc.title, tc.country, got, ok, tc.want, tc.ok)
		}
	}
	// Every role the table produces is a data role or RoleLeader.
	for title, r := range titleRoles {
		if r != RoleLeader && !strings.Contains(strings.Join(Roles(), " "), r) {
			t.Errorf("title %q maps to unknown role %q", title, r)
		}
	}
}

// answers is what a Dataset says about one date: every country's leader
// and head of state, and the people two ambiguous names may mean.
type answers struct {
	Leaders, Heads map[string]Term
	Lookups        map[string][]string
}

func answersAt(d *Dataset, at time.Time) answers {
	a := answers{Leaders: map[string]Term{}, Heads: map[string]Term{}, Lookups: map[string][]string{}}
	for _, c := range d.Countries() {
		if tm, ok := d.Leader(c, at); ok {
			a.Leaders[c] = tm
		}
		if tm, ok := d.Holder(c, RoleHeadOfState, at); ok {
			a.Heads[c] = tm
		}
	}
	for _, name := range []string{"Bush", "Clinton"} {
		a.Lookups[name] = d.Lookup(name)
		a.Lookups[name+"@"] = d.LookupAt(name, at)
	}
	return a
}

// TestConcurrentUse: goroutines querying one Dataset at once get the
// answers a single goroutine gets.
func TestConcurrentUse(t *testing.T) {
	d := loadT(t)
	const goroutines, repeats = 8, 3
	at := func(i int) time.Time { return date("1985-01-01").AddDate(i*5, 0, 0) }
	want := make([]answers, goroutines)
	for i := range want {
		want[i] = answersAt(d, at(i))
		// Empty answers would agree whatever the code did.
		if len(want[i].Leaders) < 30 || len(want[i].Heads) < 30 || len(want[i].Lookups["Bush"]) == 0 {
			t.Fatalf("at %s: %d leaders, %d heads of state, Bush = %q; want at least 30, 30 and one",
				at(i).Format(time.DateOnly), len(want[i].Leaders), len(want[i].Heads), want[i].Lookups["Bush"])
		}
	}
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() {
			for range repeats {
				if diff := cmp.Diff(want[i], answersAt(d, at(i))); diff != "" {
					t.Errorf("at %s, concurrent answers differ from sequential (-want +got):\n%s", at(i).Format(time.DateOnly), diff)
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzParse(f *testing.F) {
	f.Add(header + "A\tX\tO\thead_of_state\t2001-01-01\t\tB|C\n")
	f.Add(header + "# x\nA\tX\tO\thead_of_state\t2001-01-01\t2002-01-01\n")
	f.Fuzz(func(t *testing.T, in string) {
		d, err := Parse(strings.NewReader(in))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		for _, tm := range d.All() {
			if !tm.End.IsZero() && !tm.Start.Before(tm.End) {
				t.Fatalf("accepted term with end before start: %+v", tm)
			}
			if got, ok := d.Holder(tm.Country, tm.Role, tm.Start); !ok || got.Start.After(tm.Start) {
				t.Fatalf("Holder at a term's start found %+v, %v", got, ok)
			}
		}
	})
}

func BenchmarkHolder(b *testing.B) {
	d := loadT(b)
	at := date("2019-06-01")
	b.ReportAllocs()
	for b.Loop() {
		d.Holder("United States", RoleHeadOfState, at)
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleDataset_Holder() {
	d, err := Load()
	if err != nil {
		fmt.Println(err)
		return
	}
	at := time.Date(1987, 10, 19, 0, 0, 0, 0, time.UTC)
	role, _ := RoleFor("President")
	t, _ := d.Holder("United States", role, at)
	fmt.Println(t.Person, "-", t.Office)
	role, _ = RoleFor("Fed Chairman")
	t, _ = d.Holder("United States", role, time.Date(2007, 8, 9, 0, 0, 0, 0, time.UTC))
	fmt.Println(t.Person)
	t, _ = d.Leader("Soviet Union", at)
	fmt.Println(t.Person, "-", t.Office)
	fmt.Println(len(d.Offices("Donald Trump", time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC))),
		len(d.Offices("Donald Trump", time.Date(2018, 6, 1, 0, 0, 0, 0, time.UTC))))
	// Output:
	// Ronald Reagan - President of the United States
	// Ben Bernanke
	// Mikhail Gorbachev - General Secretary of the Communist Party of the Soviet Union
	// 0 1
}
