package api

import (
	"context"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// bowEmbedder embeds queries as bowWriter embeds passages, so that an
// engine over a bowWriter's index answers semantic and hybrid searches
// without a model.
type bowEmbedder struct{}

func (bowEmbedder) Name() string { return "test-bag-of-words" }

func (bowEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = bagOfWords(t)
	}
	return out, nil
}

// TestSearchExplain: explain=true in every mode adds an explanation to
// each hit that the document describes (the harness validates each
// response against openapi.json) and that adds up to the hit's score,
// and changes nothing else.
func TestSearchExplain(t *testing.T) {
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	fx := fixtureIndex(t)
	var arts []newsdex.Article
	for _, id := range []string{"t1", "t2", "t3", "t4", "t5"} {
		a, err := fx.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a)
	}
	if _, err := (&bowWriter{ix: ix}).Put(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	eng, err := search.New(ix, search.WithEmbedder(bowEmbedder{}))
	if err != nil {
		t.Fatal(err)
	}
	hz := newHarness(t, eng, Options{})

	for _, mode := range []string{search.ModeLexical, search.ModeSemantic, search.ModeHybrid} {
		for _, sort := range []string{search.SortRelevance, search.SortDate} {
			t.Run(mode+"/"+sort, func(t *testing.T) {
				target := "/v1/search?q=pipeline+talks+zebra&op=or&mode=" + mode + "&sort=" + sort
				rec := hz.get(target)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
				}
				if strings.Contains(rec.Body.String(), `"explain"`) {
					t.Errorf("%s explains without explain=true: %s", target, rec.Body)
				}
				plain := decode[search.Results](t, rec)
				rec = hz.get(target + "&explain=true")
				if rec.Code != http.StatusOK {
					t.Fatalf("%s&explain=true: %d %s", target, rec.Code, rec.Body)
				}
				res := decode[search.Results](t, rec)
				if res.Mode != mode || res.Total != plain.Total || len(res.Hits) != len(plain.Hits) || len(res.Hits) == 0 {
					t.Fatalf("explain=true: mode %s, total %d, %d hits; without: mode %s, total %d, %d hits",
						res.Mode, res.Total, len(res.Hits), plain.Mode, plain.Total, len(plain.Hits))
				}
				for i, h := range res.Hits {
					if h.ID != plain.Hits[i].ID || h.Score != plain.Hits[i].Score {
						t.Errorf("hit %d: %s %v with explain=true, %s %v without", i+1, h.ID, h.Score, plain.Hits[i].ID, plain.Hits[i].Score)
					}
					x := h.Explain
					if x == nil {
						t.Fatalf("hit %d (%s) has no explain", i+1, h.ID)
					}
					if x.Fused != h.Score {
						t.Errorf("hit %d (%s): fused %v, score %v", i+1, h.ID, x.Fused, h.Score)
					}
					// No article holds "zebra".
					if n := len(x.Missing); n == 0 || x.Missing[n-1] != "zebra" {
						t.Errorf("hit %d (%s): missing %q, want it to end with zebra", i+1, h.ID, x.Missing)
					}
					if len(x.Matched)+len(x.Missing) != 3 {
						t.Errorf("hit %d (%s): matched %v and missing %q, want the 3 query words between them", i+1, h.ID, x.Matched, x.Missing)
					}
					switch {
					case mode == search.ModeLexical:
						if x.Lexical == nil || *x.Lexical != h.Score || x.Cosine != nil {
							t.Errorf("hit %d (%s): lexical %v, cosine %v, score %v", i+1, h.ID, x.Lexical, x.Cosine, h.Score)
						}
					case mode == search.ModeSemantic && sort == search.SortRelevance:
						if x.Cosine == nil || *x.Cosine != h.Score {
							t.Errorf("hit %d (%s): cosine %v, score %v", i+1, h.ID, x.Cosine, h.Score)
						}
					case mode == search.ModeHybrid && sort == search.SortRelevance:
						if x.Cosine == nil || x.LexicalWeight == nil || x.BestLexical == nil {
							t.Fatalf("hit %d (%s): hybrid explain lacks cosine, lexical_weight or best_lexical: %+v", i+1, h.ID, x)
						}
						fused := (1 - *x.LexicalWeight) * *x.Cosine
						if x.Lexical != nil {
							fused += *x.LexicalWeight * *x.Lexical / *x.BestLexical
						}
						if math.Abs(fused-h.Score) > 1e-9 {
							t.Errorf("hit %d (%s): parts fuse to %v, score %v", i+1, h.ID, fused, h.Score)
						}
					}
				}
			})
		}
	}

	rec := hz.get("/v1/search?q=pipeline&explain=maybe")
	if rec.Code != http.StatusBadRequest || decode[errorBody](t, rec).Error.Param != "explain" {
		t.Errorf("explain=maybe: %d %s, want a 400 naming explain", rec.Code, rec.Body)
	}
}
