package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/internal/eval"
	"github.com/newsdex/newsdex/search"
)

func (e *env) evalCmd() *cobra.Command {
	var corpus, goldDir string
	var jsonOut bool
	var modes []string
	c := &cobra.Command{
		Use:   "eval time|entities [--corpus DIR] [--mode lexical,semantic,hybrid] [--gold DIR]",
		Short: "Measure ranking quality on TIME-1963 (nDCG@10, MAP) or entity extraction on the gold set (P/R)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch args[0] {
			case "time":
			case "entities":
				return e.evalEntities(goldDir)
			default:
				return fail("eval: unknown collection %q, want time or entities", args[0])
			}
			col, err := eval.LoadTIME(corpus)
			if err != nil {
				return fmt.Errorf("%w (is ../shared/corpora present?)", err)
			}
			tmp, err := os.MkdirTemp("", "newsdex-eval-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			ix, svc, err := e.openForWrite(filepath.Join(tmp, "index"))
			if err != nil {
				return err
			}
			defer ix.Close()
			if _, err := svc.Ingest(cmd.Context(), func(ctx context.Context, emit func(newsdex.Article) error) error {
				for _, a := range col.Docs {
					if err := emit(a); err != nil {
						return err
					}
				}
				return nil
			}, nil); err != nil {
				return err
			}
			eng, err := e.newEngine(ix)
			if err != nil {
				return err
			}
			out := map[string]eval.Scores{}
			for _, mode := range modes {
				s, err := eval.Run(cmd.Context(), col, ranker(eng, mode, col))
				if err != nil {
					return err
				}
				out[mode] = s
				if !jsonOut {
					fmt.Fprintf(e.stdout, "newsdex %-8s TIME-1963: %s\n", mode, s)
				}
			}
			if jsonOut {
				return json.NewEncoder(e.stdout).Encode(out)
			}
			return nil
		},
	}
	c.Flags().StringVar(&goldDir, "gold", filepath.Join("extract", "testdata", "gold"), "entity gold set folder (eval entities)")
	c.Flags().StringVar(&corpus, "corpus", filepath.Join("..", "shared", "corpora", "time-magazine-1963"), "TIME-1963 folder")
	c.Flags().StringSliceVar(&modes, "mode", []string{search.ModeLexical}, "modes to measure: lexical, semantic, hybrid")
	c.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	return c
}

// ranker pages through results with the cursor to get the top k ids.
func ranker(eng *search.Engine, mode string, col *eval.Collection) eval.Ranker {
	return func(ctx context.Context, text string, k int) ([]string, error) {
		req := search.Request{Query: eval.PlainQuery(text, col.Stop), Size: search.MaxSize, Snippets: -1, Facets: []string{}, Mode: mode}
		var ids []string
		for len(ids) < k {
			res, err := eng.Search(ctx, req)
			if err != nil {
				return nil, err
			}
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
			if res.NextCursor == "" {
				break
			}
			req.Cursor = res.NextCursor
		}
		return ids, nil
	}
}

// evalEntities prints precision and recall per entity type on the gold set.
func (e *env) evalEntities(dir string) error {
	arts, gold, err := extract.LoadGold(dir)
	if err != nil {
		return err
	}
	x, err := extract.New()
	if err != nil {
		return err
	}
	rep := extract.Evaluate(x, arts, gold)
	fmt.Fprint(e.stdout, rep.Table())
	return nil
}
