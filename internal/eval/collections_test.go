package eval_test

import (
	"context"
	"flag"
	"strings"
	"testing"
	"unicode"

	"github.com/newsdex/newsdex/internal/corpora"
	"github.com/newsdex/newsdex/internal/eval"
)

// TestParaphraseIDs checks that the Wikinews loader numbers articles as
// the entity gold set does (wikinews-<year>-<0-based CSV row>): the
// paraphrase queries name their targets by those ids.
func TestParaphraseIDs(t *testing.T) {
	root := corpora.Path(t, "wikinews-2019-2020")
	src := &eval.Sources{Repo: repo, Corpora: strings.TrimSuffix(root, "/wikinews-2019-2020")}
	col, err := src.Load(context.Background(), eval.ColParaphrase)
	if err != nil {
		t.Fatal(err)
	}
	if len(col.Docs) != 296 || len(col.Queries) < 66 {
		t.Fatalf("paraphrase: %d docs and %d queries, want 296 (295 Wikinews and the seed) and at least 66", len(col.Docs), len(col.Queries))
	}
	gold, err := eval.LoadGoldArticles(repo + "/extract/testdata/gold/articles.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for _, d := range col.Docs {
		byID[d.ID] = d.Title
	}
	for _, g := range gold {
		if !strings.HasPrefix(g.ID, "wikinews-") {
			continue // the seed's title is ingest's, shortened from its lead
		}
		if got, ok := byID[g.ID]; !ok || got != g.Title {
			t.Errorf("%s: loaded title %q (present %v), gold title %q", g.ID, got, ok, g.Title)
		}
	}
}

// corpusCollections opts in to TestHeadlinesAndMix, a corpus-scale check
// (`newsdex eval` runs the same loaders on every run).
var corpusCollections = flag.Bool("collections", false, "run TestHeadlinesAndMix: load the headlines and paraphrase-mix collections from the full corpora (a minute)")

// TestHeadlinesAndMix checks the sampled collections' shape: sizes, one
// relevant article per headline, no titles indexed, no duplicate
// headlines. It reads all of AllSides and Reuters (a minute under -race),
// so it runs only with -collections.
func TestHeadlinesAndMix(t *testing.T) {
	if !*corpusCollections {
		t.Skip("corpus-scale: go test ./internal/eval -run HeadlinesAndMix -collections")
	}
	root := strings.TrimSuffix(corpora.Path(t, "allsides-abp"), "/allsides-abp")
	src := &eval.Sources{Repo: repo, Corpora: root}
	ctx := context.Background()
	h, err := src.Load(ctx, eval.ColHeadlines)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Docs) < 2000 || len(h.Queries) != len(h.Docs) {
		t.Errorf("headlines: %d docs, %d queries; want at least 2000 and one each", len(h.Docs), len(h.Queries))
	}
	seen := map[string]bool{}
	for i, q := range h.Queries {
		d := h.Docs[i]
		if d.Title != "" || !q.Relevant[d.ID] || len(q.Relevant) != 1 {
			t.Fatalf("query %s %q: doc %s title %q, relevant %v", q.ID, q.Text, d.ID, d.Title, q.Relevant)
		}
		// Words as the loader counts them: runs of letters and digits
		// ("video-on-demand" is three).
		k := strings.ToLower(strings.Join(strings.FieldsFunc(q.Text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " "))
		if seen[k] || len(strings.Fields(k)) < 4 {
			t.Errorf("headline %q is duplicated or too short", q.Text)
		}
		seen[k] = true
	}
	m, err := src.Load(ctx, eval.ColParaphraseMix)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Docs); n < 4700 || n > 4900 {
		t.Errorf("paraphrase-mix: %d docs, want about 4,800", n)
	}
	again, err := src.Load(ctx, eval.ColHeadlines) // the corpora are read once, the sample drawn again
	if err != nil {
		t.Fatal(err)
	}
	for i := range again.Docs {
		if again.Docs[i].ID != h.Docs[i].ID {
			t.Fatalf("a second load drew %s where the first drew %s: the sample is not fixed", again.Docs[i].ID, h.Docs[i].ID)
		}
	}
}
