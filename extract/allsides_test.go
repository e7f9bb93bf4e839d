package extract

import (
	"flag"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/newsdex/newsdex"
)

var allSidesAll = flag.Bool("allsides.all", false, "TestAllSidesPeople: extract every AllSides article, not a sample")

// personCount is a people value with the number of articles naming it.
type personCount struct {
	Name     string
	Articles int
}

// topPeople extracts people from AllSides articles (every step-th one of
// the first limit, 0 for all) and returns the n most frequent values by
// article count.
func topPeople(tb testing.TB, x *Extractor, step, limit, n int) ([]personCount, int) {
	counts := map[string]int{}
	seen := 0
	i := 0
	readAllSides(tb, limit, func(a newsdex.Article) {
		i++
		if i%step != 0 {
			return
		}
		seen++
		x.Extract(&a)
		for _, p := range a.People {
			counts[p.Name]++
		}
	})
	out := make([]personCount, 0, len(counts))
	for k, v := range counts {
		out = append(out, personCount{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Articles > out[j].Articles || out[i].Articles == out[j].Articles && out[i].Name < out[j].Name
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, seen
}

// TestAllSidesPeople prints the 200 most frequent people values on the
// AllSides corpus and checks them by rule: at least two words or a known
// mononym, no common word, title or verb inside, and no value that is a
// part of another ("Trump" beside "Donald Trump"). Skipped under -short.
func TestAllSidesPeople(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus-scale check; run without -short")
	}
	x := mustNew(t)
	// A deterministic 1-in-8 sample; under the race detector only the first
	// 800 articles (decompressing 100 MB dominates there).
	step, limit := 8, 0
	if raceEnabled {
		step, limit = 1, 800
	}
	if *allSidesAll {
		step, limit = 1, 0
	}
	top, seen := topPeople(t, x, step, limit, 200)
	var b strings.Builder
	for i, p := range top {
		fmt.Fprintf(&b, "%3d %5d %s\n", i+1, p.Articles, p.Name)
	}
	t.Logf("top people in %d AllSides articles:\n%s", seen, b.String())
	for _, problem := range x.checkPeopleValues(top) {
		t.Error(problem)
	}
}

// checkPeopleValues applies the fragment rules to a list of people values.
func (x *Extractor) checkPeopleValues(top []personCount) []string {
	d := x.d
	var problems []string
	var tk tokenizer
	words := func(name string) []string {
		var out []string
		for _, t := range tk.tokenize(name) {
			if t.f&fWord != 0 {
				out = append(out, strings.ToLower(name[t.s:t.e]))
			}
		}
		return out
	}
	for _, p := range top {
		toks := tk.tokenize(p.Name)
		nWords := 0
		for _, t := range toks {
			if t.f&fWord != 0 && t.f&fHyph == 0 {
				nWords++
			}
		}
		_, known := d.byName[p.Name]
		if !known {
			for _, kp := range d.people {
				if kp.display == p.Name {
					known = true
				}
			}
		}
		if nWords < 2 && !known {
			problems = append(problems, fmt.Sprintf("%q: one word and not a known mononym", p.Name))
		}
		if !known {
			for _, t := range toks {
				if t.f&fWord == 0 {
					continue
				}
				w := d.words[t.h]
				bad := w&(wNonPerson|wFunction|wSpeech|wTitle) != 0 && w&wParticle == 0 ||
					w&wCommon != 0 && w&wGiven == 0 && t.f&fCap == 0
				if bad && w&wGiven == 0 && w&wSuffix == 0 {
					problems = append(problems, fmt.Sprintf("%q: contains %q", p.Name, p.Name[t.s:t.e]))
					break
				}
			}
		}
	}
	// Substring variants: one value's words inside another's ("Trump" and
	// "Donald Trump"); a generational suffix makes a different person.
	for i, a := range top {
		wa := words(a.Name)
		for j, b := range top {
			if i == j {
				continue
			}
			wb := words(b.Name)
			if len(wa) >= len(wb) || hasSuffixWord(wb) != hasSuffixWord(wa) {
				continue
			}
			if containsRun(wb, wa) {
				problems = append(problems, fmt.Sprintf("%q is a part of %q", a.Name, b.Name))
			}
		}
	}
	return problems
}

func hasSuffixWord(ws []string) bool {
	if len(ws) == 0 {
		return false
	}
	switch ws[len(ws)-1] {
	case "jr", "jr.", "sr", "sr.", "ii", "iii", "iv":
		return true
	}
	return false
}

// containsRun reports whether needle occurs as consecutive words of hay.
func containsRun(hay, needle []string) bool {
	for i := 0; i+len(needle) <= len(hay); i++ {
		ok := true
		for k := range needle {
			if hay[i+k] != needle[k] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// TestCheckPeopleValues shows that the fragment checker catches fragments.
func TestCheckPeopleValues(t *testing.T) {
	x := mustNew(t)
	vals := []personCount{
		{"Donald Trump", 9}, {"Trump", 5}, {"Victory Day", 4}, {"Vladimir Putin Declares", 3},
		{"Suharto", 2}, {"Donald Trump Jr.", 2}, {"Yury Ushakov", 1}, {"Mr Smith", 1}, {"Jane Doe", 1},
	}
	got := x.checkPeopleValues(vals)
	want := map[string]bool{`"Trump"`: true, `"Victory Day"`: true, `"Vladimir Putin Declares"`: true, `"Mr Smith"`: true}
	flagged := map[string]bool{}
	for _, p := range got {
		name := p[:strings.Index(p[1:], `"`)+2]
		flagged[name] = true
	}
	for n := range want {
		if !flagged[n] {
			t.Errorf("checker missed %s; problems: %q", n, got)
		}
	}
	for n := range flagged {
		if !want[n] {
			t.Errorf("checker flagged %s wrongly; problems: %q", n, got)
		}
	}
}
