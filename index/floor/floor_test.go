package floor

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/newsdex/newsdex"
)

func TestFloor(t *testing.T) {
	var arts []newsdex.Article
	for i := range 50 {
		arts = append(arts, newsdex.Article{ID: fmt.Sprintf("a%d", i), Title: "Pipelines", Body: fmt.Sprintf("Gas pipeline number %d opened.", i)})
	}
	for _, tc := range []struct {
		kind          Kind
		shards, batch int
	}{{Bare, 1, 7}, {Bare, 2, 7}, {LikeFTS5, 3, 100}, {LikeFTS5, 2, 9}} {
		t.Run(fmt.Sprintf("%s, %d shards", tc.kind, tc.shards), func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Index(context.Background(), dir, arts, tc.kind, tc.shards, tc.batch); err != nil {
				t.Fatal(err)
			}
			var docs, hits uint64
			for s := range tc.shards {
				bi, err := bleve.Open(filepath.Join(dir, fmt.Sprintf("shard-%d", s)))
				if err != nil {
					t.Fatal(err)
				}
				n, _ := bi.DocCount()
				docs += n
				res, err := bi.Search(bleve.NewSearchRequest(bleve.NewMatchQuery("pipelines")))
				if err != nil {
					t.Fatal(err)
				}
				hits += res.Total
				// Positions, and so phrases, only in the FTS5-like index.
				phrase, err := bi.Search(bleve.NewSearchRequest(bleve.NewMatchPhraseQuery("gas pipeline")))
				if err != nil {
					t.Fatal(err)
				}
				if want := tc.kind == LikeFTS5; (phrase.Total > 0) != want {
					t.Errorf("phrase search found %d, want hits: %v", phrase.Total, want)
				}
				bi.Close()
			}
			if docs != 50 || hits != 50 {
				t.Errorf("shards hold %d articles and %d match \"pipelines\", want 50 and 50", docs, hits)
			}
		})
	}
	if _, err := Index(context.Background(), t.TempDir(), arts, Bare, 0, 10); err == nil {
		t.Error("Index with 0 shards succeeded")
	}
}
