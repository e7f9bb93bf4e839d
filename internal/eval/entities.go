package eval

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/newsdex/newsdex"
)

// EntityLabels are the hand-labelled entities of one article: canonical
// names.
type EntityLabels struct {
	People []string `json:"people"`
	Cited  []string `json:"cited"`
	Places []string `json:"places"`
}

// EntityScore counts exact-match true positives, false positives and
// false negatives.
type EntityScore struct {
	TP, FP, FN int
}

// Precision is TP/(TP+FP), 1 when nothing was predicted.
func (s EntityScore) Precision() float64 {
	if s.TP+s.FP == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FP)
}

// Recall is TP/(TP+FN), 1 when nothing was expected.
func (s EntityScore) Recall() float64 {
	if s.TP+s.FN == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FN)
}

// F1 is the harmonic mean of precision and recall.
func (s EntityScore) F1() float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// EntityDiff is one article's errors for one entity type.
type EntityDiff struct {
	ID, Type string
	Missed   []string // in the gold set, not extracted
	Spurious []string // extracted, not in the gold set
}

// EntityReport is the result of EvaluateEntities.
type EntityReport struct {
	People, Cited, Places EntityScore
	Articles              int
	Diffs                 []EntityDiff
}

// Table formats the report as a plain-text table.
func (r EntityReport) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %5s %5s %5s %9s %9s %6s\n", "type", "TP", "FP", "FN", "precision", "recall", "F1")
	for _, row := range []struct {
		name string
		s    EntityScore
	}{{"people", r.People}, {"cited", r.Cited}, {"places", r.Places}} {
		fmt.Fprintf(&b, "%-8s %5d %5d %5d %9.3f %9.3f %6.3f\n", row.name, row.s.TP, row.s.FP, row.s.FN, row.s.Precision(), row.s.Recall(), row.s.F1())
	}
	fmt.Fprintf(&b, "(%d articles)\n", r.Articles)
	return b.String()
}

// EvaluateEntities runs x over articles and scores People, Cited and
// Places against gold (keyed by article ID) by exact canonical name.
// Articles without gold labels are skipped. x sees a copy of each article
// with its entities cleared, so articles that were extracted already are
// scored afresh.
func EvaluateEntities(x Extractor, articles []newsdex.Article, gold map[string]EntityLabels) EntityReport {
	var r EntityReport
	for _, a := range articles {
		want, ok := gold[a.ID]
		if !ok {
			continue
		}
		a.People, a.Cited, a.Places, a.Leaders = nil, nil, nil, nil
		x.Extract(&a)
		r.Articles++
		scoreEntities(&r.People, &r.Diffs, a.ID, "people", newsdex.Names(a.People), want.People)
		scoreEntities(&r.Cited, &r.Diffs, a.ID, "cited", newsdex.Names(a.Cited), want.Cited)
		scoreEntities(&r.Places, &r.Diffs, a.ID, "places", newsdex.Names(a.Places), want.Places)
	}
	return r
}

func scoreEntities(s *EntityScore, diffs *[]EntityDiff, id, typ string, got, want []string) {
	d := EntityDiff{ID: id, Type: typ}
	for _, g := range got {
		if slices.Contains(want, g) {
			s.TP++
		} else {
			s.FP++
			d.Spurious = append(d.Spurious, g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			s.FN++
			d.Missed = append(d.Missed, w)
		}
	}
	if len(d.Missed)+len(d.Spurious) > 0 {
		*diffs = append(*diffs, d)
	}
}

// LoadEntityGold reads an entity gold set directory holding
// articles.jsonl and gold.json (see extract/testdata/gold/README.md): the
// articles and their labels keyed by article id.
func LoadEntityGold(dir string) ([]newsdex.Article, map[string]EntityLabels, error) {
	arts, err := LoadGoldArticles(filepath.Join(dir, "articles.jsonl"))
	if err != nil {
		return nil, nil, err
	}
	file := filepath.Join(dir, "gold.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("eval: gold labels: %w", err)
	}
	gold := map[string]EntityLabels{}
	if err := json.Unmarshal(raw, &gold); err != nil {
		return nil, nil, fmt.Errorf("eval: parse gold labels %s: %w", file, err)
	}
	return arts, gold, nil
}
