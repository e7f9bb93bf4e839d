//go:build debug

package boiler

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/corpora"
)

var dumpChanges = flag.String("dumpchanges", "", "write, for every AllSides article, its people before and after cleaning and what was removed, as JSON Lines to this file")

// TestDumpChanges learns a model over the full AllSides corpus, read through
// ingest as `newsdex index` reads it, then cleans every article and writes
// one line per article: id, outlet, whether it changed, the raw and clean
// bodies when it did, and the people the extractor finds in each. It is the
// input of the figures and the hand check of docs/boilerplate-check.md:
//
//	go test -tags debug -run TestDumpChanges ./boiler -dumpchanges /tmp/boil.jsonl
func TestDumpChanges(t *testing.T) {
	if *dumpChanges == "" {
		t.Skip("no -dumpchanges: nothing to write")
	}
	x, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	as := corpora.Path(t, "allsides-abp")
	var paths []string
	for _, y := range []string{"2017", "2018", "2019", "2020"} {
		paths = append(paths, filepath.Join(as, "articles-"+y+".jsonl.gz"))
	}
	ctx := context.Background()
	m := New(Options{})
	start := time.Now()
	if err := ingest.Walk(ctx, paths, ingest.Options{}, func(a newsdex.Article) error {
		m.Learn(&a)
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	m.Freeze()
	t.Logf("learnt %d keys from AllSides in %s", m.Keys(), time.Since(start))
	f, err := os.Create(*dumpChanges)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	defer w.Flush()
	enc := json.NewEncoder(w)
	type row struct {
		ID      string   `json:"id"`
		Outlet  string   `json:"outlet"`
		Changed bool     `json:"changed"`
		Raw     string   `json:"raw,omitempty"`
		Clean   string   `json:"clean,omitempty"`
		Before  []string `json:"before"`
		After   []string `json:"after"`
	}
	var clean time.Duration
	if err := ingest.Walk(ctx, paths, ingest.Options{}, func(a newsdex.Article) error {
		b := a
		x.Extract(&b)
		t0 := time.Now()
		changed := m.Clean(&a)
		clean += time.Since(t0)
		r := row{ID: a.ID, Outlet: a.Outlet, Changed: changed, Before: newsdex.Names(b.People)}
		if changed {
			x.Extract(&a)
			r.Raw, r.Clean = a.RawBody, a.Body
		} else {
			a.People = b.People
		}
		r.After = newsdex.Names(a.People)
		return enc.Encode(r)
	}, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("cleaning took %s in all", clean)
}
