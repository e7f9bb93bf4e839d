//go:build debug

package extract

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/boiler"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/corpora"
)

var (
	dumpEntities = flag.String("dumpentities", "", "write the entities of AllSides + Reuters-21578 as JSON Lines to this file")
	dumpBodies   = flag.Bool("dumpbodies", false, "with -dumpentities, also write each article's cleaned body, to read the contexts of a value")
)

// TestDumpEntities writes one line per article of the full AllSides corpus
// and Reuters-21578, read through ingest as `newsdex index` reads them:
// id, corpus, outlet, labels, authors and the people, cited and places
// names. As `newsdex index` does, each corpus is first read whole to learn
// its boilerplate model (one import, one model), and every article is
// cleaned with it before the extractor reads it. It is the input of the
// figures and the top-300 check of docs/entities-top300.md:
//
//	go test -tags debug -run TestDumpEntities ./extract -dumpentities /tmp/ent.jsonl
func TestDumpEntities(t *testing.T) {
	if *dumpEntities == "" {
		t.Skip("no -dumpentities: nothing to write")
	}
	x := mustNew(t)
	f, err := os.Create(*dumpEntities)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	defer w.Flush()
	enc := json.NewEncoder(w)
	type row struct {
		ID      string              `json:"id"`
		Corpus  string              `json:"corpus"`
		Outlet  string              `json:"outlet"`
		Labels  map[string][]string `json:"labels,omitempty"`
		Authors []string            `json:"authors,omitempty"`
		People  []string            `json:"people"`
		Cited   []string            `json:"cited"`
		Places  []string            `json:"places"`
		Body    string              `json:"body,omitempty"`
	}
	as := corpora.Path(t, "allsides-abp")
	srcs := []struct {
		name  string
		paths []string
	}{
		{"allsides", []string{filepath.Join(as, "articles-2017.jsonl.gz"), filepath.Join(as, "articles-2018.jsonl.gz"),
			filepath.Join(as, "articles-2019.jsonl.gz"), filepath.Join(as, "articles-2020.jsonl.gz")}},
		{"reuters", []string{corpora.Path(t, "reuters21578")}},
	}
	ctx := context.Background()
	for _, src := range srcs {
		m := boiler.New(boiler.Options{})
		if err := ingest.Walk(ctx, src.paths, ingest.Options{}, func(a newsdex.Article) error {
			m.Learn(&a)
			return nil
		}, nil); err != nil {
			t.Fatal(err)
		}
		m.Freeze()
		err := ingest.Walk(ctx, src.paths, ingest.Options{}, func(a newsdex.Article) error {
			m.Clean(&a)
			x.Extract(&a)
			r := row{a.ID, src.name, a.Outlet, a.Labels, a.Authors, newsdex.Names(a.People), newsdex.Names(a.Cited), newsdex.Names(a.Places), ""}
			if *dumpBodies {
				r.Body = a.Body
			}
			return enc.Encode(r)
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
}
