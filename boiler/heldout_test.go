//go:build debug

package boiler_test

import (
	"context"
	"flag"
	"path/filepath"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/boiler"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/corpora"
	"github.com/newsdex/newsdex/internal/eval"
)

var heldout = flag.Bool("heldout", false, "TestHeldout: score the extractor on the held-out gold set with and without cleaning")

// TestHeldout prints `newsdex eval entities`' held-out table with the
// articles as read and as cleaned by a model learnt over full AllSides (as
// `newsdex index` of AllSides would clean them). The labels are only
// scored, never used to tune:
//
//	go test -tags debug -run TestHeldout ./boiler -heldout -v
func TestHeldout(t *testing.T) {
	if !*heldout {
		t.Skip("no -heldout")
	}
	ctx := context.Background()
	as := corpora.Path(t, "allsides-abp")
	src := &eval.Sources{Repo: "..", Corpora: filepath.Dir(as)}
	h, err := src.Heldout(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, y := range []string{"2017", "2018", "2019", "2020"} {
		paths = append(paths, filepath.Join(as, "articles-"+y+".jsonl.gz"))
	}
	m := boiler.New(boiler.Options{})
	if err := ingest.Walk(ctx, paths, ingest.Options{}, func(a newsdex.Article) error {
		m.Learn(&a)
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	m.Freeze()
	x, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("held-out as read:\n%s", eval.EvaluateEntities(x, h.Articles, h.Labels).Table())
	cleaned := make([]newsdex.Article, len(h.Articles))
	for i, a := range h.Articles {
		m.Clean(&a)
		cleaned[i] = a
	}
	t.Logf("held-out cleaned:\n%s", eval.EvaluateEntities(x, cleaned, h.Labels).Table())
}
