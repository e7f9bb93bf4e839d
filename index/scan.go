package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex"
)

// Scan calls fn with every article stored in the live generation, in id
// order. It pages with SearchAfter, so it sees a consistent enough view
// while writes go on.
func (ix *Index) Scan(ctx context.Context, fn func(newsdex.Article) error) error {
	bi := ix.live()
	var after []string
	for {
		req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 500, 0, false)
		req.Fields = []string{FieldSource}
		req.SortBy([]string{"_id"})
		if after != nil {
			req.SearchAfter = after
		}
		res, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("index: scan %s: %w", ix.dir, err)
		}
		for _, h := range res.Hits {
			src, _ := h.Fields[FieldSource].(string)
			var a newsdex.Article
			if err := json.Unmarshal([]byte(src), &a); err != nil {
				return fmt.Errorf("index: scan %s: decode %q: %w", ix.dir, h.ID, err)
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		if len(res.Hits) < 500 {
			return nil
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
}

// Stats describes an index directory for `newsdex stats`.
type Stats struct {
	Dir         string         `json:"dir"`
	Generation  string         `json:"generation"`
	Generations []string       `json:"generations"`
	Articles    uint64         `json:"articles"`
	Passages    int            `json:"passages"`
	SizeBytes   int64          `json:"size_bytes"`
	Sources     map[string]int `json:"sources"`
	Outlets     map[string]int `json:"outlets"`
	LastUpdate  string         `json:"last_update,omitempty"`
	// MissingVectors counts the articles indexed without their passage
	// vectors because the embedder failed on them; they are found by
	// lexical search only until `newsdex reindex --fill-vectors` (or a
	// full reindex) computes the vectors.
	MissingVectors uint64 `json:"articles_missing_vectors"`
	// VectorsPending, set by a server that computes passage vectors
	// behind its writes, counts the articles whose vectors it is yet to
	// compute (MissingVectors, as it runs); nil when nothing is computing
	// them: the next `newsdex serve` or `newsdex index` will.
	VectorsPending *uint64 `json:"vectors_pending,omitempty"`
}

// Stat describes the live generation.
func (ix *Index) Stat(ctx context.Context) (Stats, error) {
	st := Stats{Dir: ix.dir, Generation: ix.Generation(), Generations: generations(ix.dir),
		SizeBytes: DirSize(ix.dir), Sources: map[string]int{}, Outlets: map[string]int{}}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	req.AddFacet("src", bleve.NewFacetRequest(FieldOrigin, 10000))
	req.AddFacet("out", bleve.NewFacetRequest(mustKind("outlet").FacetField, 10000))
	req.AddFacet("np", bleve.NewFacetRequest(FieldPassageCount, 10000))
	res, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return st, fmt.Errorf("index: stats %s: %w", ix.dir, err)
	}
	st.Articles = res.Total
	for _, t := range res.Facets["src"].Terms.Terms() {
		st.Sources[t.Term] = t.Count
	}
	for _, t := range res.Facets["out"].Terms.Terms() {
		st.Outlets[t.Term] = t.Count
	}
	for _, t := range res.Facets["np"].Terms.Terms() {
		n, _ := strconv.Atoi(t.Term)
		st.Passages += n * t.Count
	}
	mres, err := ix.alias.SearchInContext(ctx, bleve.NewSearchRequestOptions(noVectors(), 0, 0, false))
	if err != nil {
		return st, fmt.Errorf("index: stats %s: count articles missing vectors: %w", ix.dir, err)
	}
	st.MissingVectors = mres.Total
	if t := ix.lastWrite.Load(); t != nil {
		st.LastUpdate = t.(time.Time).UTC().Format(time.RFC3339)
	} else if fi, err := os.Stat(ix.GenerationDir()); err == nil {
		st.LastUpdate = newestFile(ix.GenerationDir(), fi.ModTime()).UTC().Format(time.RFC3339)
	}
	return st, nil
}

// noVectors matches the articles marked as missing their vectors.
func noVectors() query.Query {
	q := bleve.NewTermQuery("t")
	q.SetField(FieldNoVectors)
	return q
}

// WithoutVectors returns up to n articles of the live generation that are
// marked as missing their passage vectors (see newsdex.Embeddings.Missing),
// in id order from the first id after after ("" = from the start). Each
// comes as it was indexed, its dedup signature included, so that adding it
// again with vectors changes nothing else.
func (ix *Index) WithoutVectors(ctx context.Context, after string, n int) ([]newsdex.Article, error) {
	req := bleve.NewSearchRequestOptions(noVectors(), n, 0, false)
	req.Fields = []string{FieldSource, FieldDupSig}
	req.SortBy([]string{"_id"})
	if after != "" {
		req.SearchAfter = []string{after}
	}
	res, err := ix.live().SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: find articles missing vectors in %s: %w", ix.dir, err)
	}
	return decodeStored(res.Hits)
}

// newestFile returns the latest modification time under dir.
func newestFile(dir string, t time.Time) time.Time {
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil {
			if info, err := d.Info(); err == nil && info.ModTime().After(t) {
				t = info.ModTime()
			}
		}
		return nil
	})
	return t
}

// ScanDups calls fn with the id, stored duplicate_of and dedup signature of
// every article of the live generation that has a signature: first the
// articles that copy nothing, then the copies, so a detector can be
// restored in an order where every group's first article comes first.
func (ix *Index) ScanDups(ctx context.Context, fn func(id, dupOf string, sig []byte) error) error {
	bi := ix.live()
	for _, copies := range []bool{false, true} {
		var q query.Query = bleve.NewMatchAllQuery()
		isDup := bleve.NewTermQuery("t")
		isDup.SetField(FieldIsDup)
		if copies {
			q = isDup
		} else {
			bq := bleve.NewBooleanQuery()
			bq.AddMust(bleve.NewMatchAllQuery())
			bq.AddMustNot(isDup)
			q = bq
		}
		var after []string
		for {
			req := bleve.NewSearchRequestOptions(q, 1000, 0, false)
			req.Fields = []string{FieldDupSig, FieldDupOf}
			req.SortBy([]string{"_id"})
			if after != nil {
				req.SearchAfter = after
			}
			res, err := bi.SearchInContext(ctx, req)
			if err != nil {
				return fmt.Errorf("index: scan duplicates in %s: %w", ix.dir, err)
			}
			for _, h := range res.Hits {
				enc, _ := h.Fields[FieldDupSig].(string)
				if enc == "" {
					continue
				}
				sig, err := base64.StdEncoding.DecodeString(enc)
				if err != nil {
					continue
				}
				dupOf, _ := h.Fields[FieldDupOf].(string)
				if err := fn(h.ID, dupOf, sig); err != nil {
					return err
				}
			}
			if len(res.Hits) < 1000 {
				break
			}
			after = []string{res.Hits[len(res.Hits)-1].ID}
		}
	}
	return nil
}
