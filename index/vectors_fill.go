package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/newsdex/newsdex"
)

// StillWithoutVectors returns those of ids whose live version is still
// marked as missing its passage vectors, as WithoutVectors does: each as it
// is stored now, dedup signature included. A background embedder calls it
// just before attaching the vectors it computed, so that it writes them onto
// the current version of each article, never over a newer write with an
// older one.
func (ix *Index) StillWithoutVectors(ctx context.Context, ids []string) ([]newsdex.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q := bleve.NewConjunctionQuery(noVectors(), bleve.NewDocIDQuery(ids))
	req := bleve.NewSearchRequestOptions(q, len(ids), 0, false)
	req.Fields = []string{FieldSource, FieldDupSig}
	req.SortBy([]string{"_id"})
	res, err := ix.live().SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: look up %d articles missing vectors in %s: %w", len(ids), ix.dir, err)
	}
	return decodeStored(res.Hits)
}

// CountWithoutVectors returns the number of articles of the live generation
// marked as missing their passage vectors; cheaper than Stat, for health
// checks.
func (ix *Index) CountWithoutVectors(ctx context.Context) (uint64, error) {
	res, err := ix.live().SearchInContext(ctx, bleve.NewSearchRequestOptions(noVectors(), 0, 0, false))
	if err != nil {
		return 0, fmt.Errorf("index: count articles missing vectors in %s: %w", ix.dir, err)
	}
	return res.Total, nil
}

// decodeStored decodes the stored articles of hits that asked for
// FieldSource and FieldDupSig.
func decodeStored(hits search.DocumentMatchCollection) ([]newsdex.Article, error) {
	out := make([]newsdex.Article, 0, len(hits))
	for _, h := range hits {
		src, _ := h.Fields[FieldSource].(string)
		var a newsdex.Article
		if err := json.Unmarshal([]byte(src), &a); err != nil {
			return nil, fmt.Errorf("index: decode stored article %q: %w", h.ID, err)
		}
		if enc, _ := h.Fields[FieldDupSig].(string); enc != "" {
			sig, err := base64.StdEncoding.DecodeString(enc)
			if err != nil {
				return nil, fmt.Errorf("index: decode dedup signature of %q: %w", h.ID, err)
			}
			a.DupSignature = sig
		}
		out = append(out, a)
	}
	return out, nil
}
