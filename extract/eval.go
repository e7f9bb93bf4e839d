package extract

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/newsdex/newsdex"
)

// Labels are the hand-labelled entities of one article: canonical names.
type Labels struct {
	People []string `json:"people"`
	Cited  []string `json:"cited"`
	Places []string `json:"places"`
}

// Score counts exact-match true positives, false positives and false
// negatives.
type Score struct {
	TP, FP, FN int
}

// Precision is TP/(TP+FP), 1 when nothing was predicted.
func (s Score) Precision() float64 {
	if s.TP+s.FP == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FP)
}

// Recall is TP/(TP+FN), 1 when nothing was expected.
func (s Score) Recall() float64 {
	if s.TP+s.FN == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FN)
}

// F1 is the harmonic mean of precision and recall.
func (s Score) F1() float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Diff is one article's errors for one entity type.
type Diff struct {
	ID, Type string
	Missed   []string // in the gold set, not extracted
	Spurious []string // extracted, not in the gold set
}

// Report is the result of Evaluate.
type Report struct {
	People, Cited, Places Score
	Articles              int
	Diffs                 []Diff
}

// Table formats the report as a plain-text table.
func (r Report) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %5s %5s %5s %9s %9s %6s\n", "type", "TP", "FP", "FN", "precision", "recall", "F1")
	for _, row := range []struct {
		name string
		s    Score
	}{{"people", r.People}, {"cited", r.Cited}, {"places", r.Places}} {
		fmt.Fprintf(&b, "%-8s %5d %5d %5d %9.3f %9.3f %6.3f\n", row.name, row.s.TP, row.s.FP, row.s.FN, row.s.Precision(), row.s.Recall(), row.s.F1())
	}
	fmt.Fprintf(&b, "(%d articles)\n", r.Articles)
	return b.String()
}

// Evaluate runs x over articles and scores People, Cited and Places
// against gold (keyed by article ID) by exact canonical name. Articles
// without gold labels are skipped.
func Evaluate(x *Extractor, articles []newsdex.Article, gold map[string]Labels) Report {
	var r Report
	for _, a := range articles {
		want, ok := gold[a.ID]
		if !ok {
			continue
		}
		a.People, a.Cited, a.Places, a.Leaders = nil, nil, nil, nil
		x.Extract(&a)
		r.Articles++
		score(&r.People, &r.Diffs, a.ID, "people", newsdex.Names(a.People), want.People)
		score(&r.Cited, &r.Diffs, a.ID, "cited", newsdex.Names(a.Cited), want.Cited)
		score(&r.Places, &r.Diffs, a.ID, "places", newsdex.Names(a.Places), want.Places)
	}
	return r
}

func score(s *Score, diffs *[]Diff, id, typ string, got, want []string) {
	d := Diff{ID: id, Type: typ}
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

// goldArticle is a line of articles.jsonl: published is a bare date.
type goldArticle struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Outlet    string `json:"outlet"`
	Body      string `json:"body"`
	Language  string `json:"language"`
}

// LoadGold reads a gold set directory holding articles.jsonl and
// gold.json (see testdata/gold/README.md).
func LoadGold(dir string) ([]newsdex.Article, map[string]Labels, error) {
	f, err := os.Open(filepath.Join(dir, "articles.jsonl"))
	if err != nil {
		return nil, nil, fmt.Errorf("load gold articles: %w", err)
	}
	defer f.Close()
	arts, err := readGoldArticles(f)
	if err != nil {
		return nil, nil, fmt.Errorf("load gold articles %s: %w", dir, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "gold.json"))
	if err != nil {
		return nil, nil, fmt.Errorf("load gold labels: %w", err)
	}
	gold := map[string]Labels{}
	if err := json.Unmarshal(raw, &gold); err != nil {
		return nil, nil, fmt.Errorf("parse gold labels %s: %w", dir, err)
	}
	return arts, gold, nil
}

func readGoldArticles(r io.Reader) ([]newsdex.Article, error) {
	var out []newsdex.Article
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var g goldArticle
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		a := newsdex.Article{ID: g.ID, Title: g.Title, URL: g.URL, Outlet: g.Outlet, Body: g.Body, Language: g.Language}
		if g.Published != "" {
			t, err := time.Parse(time.DateOnly, g.Published)
			if err != nil {
				return nil, fmt.Errorf("line %d: published %q: %w", line, g.Published, err)
			}
			a.Published = t
		}
		out = append(out, a)
	}
	return out, sc.Err()
}
