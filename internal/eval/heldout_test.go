package eval_test

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/newsdex/newsdex/internal/corpora"
	"github.com/newsdex/newsdex/internal/eval"
)

// TestHeldoutLabels checks heldout.json's shape without the corpora: 40
// articles, half from each corpus, every list sorted by code point (as
// Python's sorted() writes them), without duplicates or blank names.
func TestHeldoutLabels(t *testing.T) {
	entries, err := eval.LoadHeldoutLabels(filepath.Join(repo, eval.HeldoutGold))
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for id, e := range entries {
		per[e.Corpus]++
		for _, l := range []struct {
			name string
			vs   []string
		}{{"people", e.People}, {"cited", e.Cited}, {"places", e.Places}} {
			if l.vs == nil {
				t.Errorf("%s: %s is null, want a list (empty if none)", id, l.name)
			}
			if !slices.IsSorted(l.vs) || len(slices.Compact(slices.Clone(l.vs))) != len(l.vs) {
				t.Errorf("%s: %s %q not sorted and deduplicated", id, l.name, l.vs)
			}
			for _, v := range l.vs {
				if strings.TrimSpace(v) != v || v == "" {
					t.Errorf("%s: %s value %q is blank or padded", id, l.name, v)
				}
			}
		}
	}
	if per[eval.CorpusAllSides] != 20 || per[eval.CorpusReuters] != 20 {
		t.Errorf("held-out articles per corpus = %v, want 20 AllSides and 20 Reuters", per)
	}
}

// The Hill's inline hover cards end in " MORE" after the headlines; photo
// credits are the bracketed or slashed lines the README lists.
var (
	hoverCard   = regexp.MustCompile(`\sMORE\b`)
	photoCredit = regexp.MustCompile(`\((?:[^()]*/)?(?:Reuters|AP|Getty Images[^()]*)\)|\(Reuters photo: [^()]+\)`)
)

// TestHeldout resolves every held-out id to its text in the shared corpora
// and checks that the ids are exactly the documented seeded sample
// (HeldoutSample), so the set was drawn, not picked, and that the sample
// holds what the issue asked for: the four outlets, The Hill's hover
// cards and photo credits. It reads all of AllSides and Reuters and learns
// their boilerplate (two minutes under -race), so it runs only with
// -collections; newsdex eval entities reads the same articles.
func TestHeldout(t *testing.T) {
	if !*corpusCollections {
		t.Skip("corpus-scale (reads and learns boilerplate over all of AllSides and Reuters): go test ./internal/eval -run Heldout -collections")
	}
	root := strings.TrimSuffix(corpora.Path(t, "allsides-abp"), "/allsides-abp")
	corpora.Path(t, "reuters21578")
	src := &eval.Sources{Repo: repo, Corpora: root}
	ctx := context.Background()
	h, err := src.Heldout(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Articles) != len(h.Labels) {
		t.Fatalf("resolved %d articles for %d labelled ids", len(h.Articles), len(h.Labels))
	}
	sample, err := src.HeldoutSample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, a := range h.Articles {
		got = append(got, a.ID)
	}
	for _, a := range sample {
		want = append(want, a.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("heldout.json ids differ from HeldoutSample:\n got %q\nwant %q", got, want)
	}

	outlets := map[string]int{}
	hill, credits := 0, 0
	for _, a := range h.Part(eval.CorpusAllSides) {
		if strings.TrimSpace(a.Body) == "" {
			t.Errorf("%s: empty body", a.ID)
		}
		switch {
		case strings.HasPrefix(a.Outlet, "CNN"):
			outlets["CNN"]++
		case strings.HasPrefix(a.Outlet, "Fox"):
			outlets["Fox"]++
		default:
			outlets[a.Outlet]++
		}
		// The sample was drawn for its boilerplate: look at the text as
		// scraped, before the cleaning the articles get for extraction.
		raw := a.Body
		if a.RawBody != "" {
			raw = a.RawBody
		}
		if a.Outlet == "The Hill" && hoverCard.MatchString(raw) {
			hill++
		}
		if photoCredit.MatchString(raw) {
			credits++
		}
	}
	for _, o := range []string{"The Hill", "National Review", "CNN", "Fox"} {
		if outlets[o] == 0 {
			t.Errorf("no %s article in the held-out AllSides part (%v)", o, outlets)
		}
	}
	if hill < 3 || credits < 2 {
		t.Errorf("%d The Hill articles with hover cards (want ≥ 3), %d AllSides articles with photo credits (want ≥ 2)", hill, credits)
	}
	for _, a := range h.Part(eval.CorpusReuters) {
		if a.Outlet != "Reuters" || len(strings.Fields(a.Body)) < 100 {
			t.Errorf("%s: outlet %q, %d body words; want a Reuters story of at least 100 words", a.ID, a.Outlet, len(strings.Fields(a.Body)))
		}
	}
}
