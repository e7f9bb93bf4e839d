package boiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
)

// patternCase is one case of testdata/patterns.json.
type patternCase struct {
	Name string `json:"name"`
	In   string `json:"in"`
	Want string `json:"want"`
}

func TestStripPatterns(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "patterns.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []patternCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("read testdata/patterns.json: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			// A nil model applies the patterns only.
			var m *Model
			got, changed := m.Strip("Outlet", tc.In)
			if diff := cmp.Diff(tc.Want, got); diff != "" {
				t.Errorf("Strip mismatch (-want +got):\n%s", diff)
			}
			if changed != (tc.In != tc.Want) {
				t.Errorf("Strip changed = %v, want %v", changed, tc.In != tc.Want)
			}
		})
	}
}

// outletArticles returns n synthetic articles of one outlet: each has a
// story of its own, a newsletter promo line, a share bar and a long bio
// run at the end of its last paragraph, all verbatim.
func outletArticles(outlet string, n int) []newsdex.Article {
	arts := make([]newsdex.Article, n)
	for i := range arts {
		story := fmt.Sprintf("Story %d: the council of town number %d voted %d to %d on the budget for year %d after a long debate about roads. Member %d asked for a delay of %d weeks and lost, %d council members backing the plan of ward %d.", i, i, i+3, i+1, 2000+i, i, i+2, i+4, i+5)
		quote := fmt.Sprintf("Mayor Ann Lee, Springfield Democrat, said the vote number %d was about schools and parks and nothing else at all.", i)
		arts[i] = newsdex.Article{
			ID:     fmt.Sprintf("%s-%d", outlet, i),
			Outlet: outlet,
			Body: "SHARE THIS ARTICLE Share Tweet Post Email\n\n" + story + "\n\n" + quote + "\n\n" +
				"Sign up for our daily newsletter and get the news that matters in your inbox every morning.\n\n" +
				fmt.Sprintf("The report was filed on day %d. ", i) +
				"Jane Roe is a columnist who writes about cities, budgets and the people who run them, and she is the author of three books about local government in America.",
		}
	}
	return arts
}

func TestModelClean(t *testing.T) {
	m := New(Options{Width: 1 << 16})
	arts := outletArticles("Daily Bugle", 5)
	// Another outlet's single article shares the promo: it is not
	// boilerplate there.
	other := outletArticles("Planet", 1)[0]
	for _, a := range append(arts, other) {
		m.Learn(&a)
	}
	// Learning the same article again changes nothing.
	m.Learn(&arts[0])
	m.Freeze()
	if m.Learned() != 0 || m.Keys() == 0 {
		t.Fatalf("after Freeze: learned %d, keys %d; want 0 and some", m.Learned(), m.Keys())
	}
	tests := []struct {
		name        string
		a           newsdex.Article
		want        string
		wantChanged bool
	}{
		{"recurring lines and the bio run go, the story stays", arts[2],
			"Story 2: the council of town number 2 voted 5 to 3 on the budget for year 2002 after a long debate about roads. Member 2 asked for a delay of 4 weeks and lost, 6 council members backing the plan of ward 7.\n\n" +
				"Mayor Ann Lee, Springfield Democrat, said the vote number 2 was about schools and parks and nothing else at all.\n\n" +
				"The report was filed on day 2.", true},
		{"an outlet that was not learnt keeps its text", other, other.Body, false},
		{"a recurring run shorter than MinRun inside a paragraph stays",
			newsdex.Article{ID: "x", Outlet: "Daily Bugle", Body: "Officials said Mayor Ann Lee, Springfield Democrat, said the vote was fine."},
			"Officials said Mayor Ann Lee, Springfield Democrat, said the vote was fine.", false},
		{"a copy of a learnt article keeps its text (more than MaxShare would go)",
			newsdex.Article{ID: "copy", Outlet: "Daily Bugle", Body: "Sign up for our daily newsletter and get the news that matters in your inbox every morning.\n\nSHARE THIS ARTICLE Share Tweet Post Email\n\nA short note."},
			"Sign up for our daily newsletter and get the news that matters in your inbox every morning.\n\nSHARE THIS ARTICLE Share Tweet Post Email\n\nA short note.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.a
			raw := a.Body
			changed := m.Clean(&a)
			if diff := cmp.Diff(tc.want, a.Body); diff != "" {
				t.Errorf("Clean body mismatch (-want +got):\n%s", diff)
			}
			if changed != tc.wantChanged {
				t.Errorf("Clean changed = %v, want %v", changed, tc.wantChanged)
			}
			wantRaw := ""
			if tc.wantChanged {
				wantRaw = raw
			}
			if a.RawBody != wantRaw {
				t.Errorf("RawBody = %q, want %q", a.RawBody, wantRaw)
			}
			// Cleaning again starts from the raw body and gives the same.
			again := a
			m.Clean(&again)
			if again.Body != a.Body || again.RawBody != a.RawBody {
				t.Errorf("Clean is not idempotent: %q then %q", a.Body, again.Body)
			}
		})
	}
}

func TestModelRoundTrip(t *testing.T) {
	m := New(Options{Width: 1 << 16})
	arts := outletArticles("Daily Bugle", 4)
	for i := range arts {
		m.Learn(&arts[i])
	}
	m.Freeze()
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Keys() != m.Keys() {
		t.Errorf("Read: %d keys, want %d", got.Keys(), m.Keys())
	}
	a, b := arts[1], arts[1]
	m.Clean(&a)
	got.Clean(&b)
	if a.Body != b.Body {
		t.Errorf("read model cleans to %q, want %q", b.Body, a.Body)
	}
	if _, err := Read(strings.NewReader("not a model")); err == nil {
		t.Error("Read of junk: no error")
	}
	path := filepath.Join(t.TempDir(), "model.bin")
	if l, err := Load(path); l != nil || err != nil {
		t.Errorf("Load of a missing file = %v, %v; want nil, nil", l, err)
	}
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	if l, err := Load(path); err != nil || l.Keys() != m.Keys() {
		t.Errorf("Load after Save = %d keys, %v; want %d", l.Keys(), err, m.Keys())
	}
}
