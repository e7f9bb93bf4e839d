package search

import (
	"context"
	"errors"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex/index"
)

// termQuery finds the articles whose text holds a word, or two words at
// adjacent positions.
func termQuery(stems []string) query.Query {
	if len(stems) == 1 {
		tq := bleve.NewTermQuery(stems[0])
		tq.SetField(index.FieldText)
		return tq
	}
	pq := bleve.NewPhraseQuery(stems, index.FieldText)
	terms := make([][]string, len(stems))
	for i, s := range stems {
		terms[i] = []string{s}
	}
	return &exactPhrase{Query: pq, field: index.FieldText, terms: terms, boost: 1}
}

// bitSet is a set of documents by internal number, with its size.
type bitSet struct {
	bits []uint64
	n    uint64
}

func (b *bitSet) add(i uint64) {
	w := int(i / 64)
	if w >= len(b.bits) {
		b.bits = append(b.bits, make([]uint64, w+1-len(b.bits))...)
	}
	if b.bits[w]&(1<<(i%64)) == 0 {
		b.bits[w] |= 1 << (i % 64)
		b.n++
	}
}

func (b *bitSet) has(i uint64) bool {
	w := int(i / 64)
	return w < len(b.bits) && b.bits[w]&(1<<(i%64)) != 0
}

// each calls fn with the internal number of every document q matches in
// rd, unscored.
func each(ctx context.Context, rd bleveindex.IndexReader, m mapping.IndexMapping, q query.Query, fn func(uint64)) error {
	s, err := q.Searcher(ctx, rd, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	for {
		dm, err := s.Next(sctx)
		if err != nil {
			return err
		}
		if dm == nil {
			return nil
		}
		fn(dm.IndexInternalID.Value())
		sctx.DocumentMatchPool.Put(dm)
	}
}

// docSet returns the documents q matches in rd.
func docSet(ctx context.Context, rd bleveindex.IndexReader, m mapping.IndexMapping, q query.Query) (*bitSet, error) {
	b := &bitSet{}
	err := each(ctx, rd, m, q, b.add)
	return b, err
}

// countIn returns how many documents of fg and of bg hold the word or
// the phrase stems: a word's postings are read directly, a phrase's
// through its searcher (positions).
func countIn(ctx context.Context, rd bleveindex.IndexReader, m mapping.IndexMapping, stems []string, fg, bg *bitSet) (int, int, error) {
	var cnt, back int
	note := func(i uint64) {
		if bg.has(i) {
			back++
			if fg.has(i) {
				cnt++
			}
		}
	}
	if len(stems) > 1 {
		err := each(ctx, rd, m, termQuery(stems), note)
		return cnt, back, err
	}
	tfr, err := rd.TermFieldReader(ctx, []byte(stems[0]), index.FieldText, false, false, false)
	if err != nil {
		return 0, 0, err
	}
	defer tfr.Close()
	var d bleveindex.TermFieldDoc
	for {
		td, err := tfr.Next(&d)
		if err != nil {
			return 0, 0, err
		}
		if td == nil {
			return cnt, back, nil
		}
		note(td.ID.Value())
		d.Reset()
	}
}

// withReader runs fn over a reader of the live index, retrying once if a
// rebuild closed the generation it opened (as bleveSearch does).
func (e *Engine) withReader(ctx context.Context, fn func(bleveindex.IndexReader) error) error {
	run := func() error {
		adv, err := e.src.Bleve().Advanced()
		if err != nil {
			return err
		}
		rd, err := adv.Reader()
		if err != nil {
			return err
		}
		if is, ok := rd.(*scorch.IndexSnapshot); ok && is == nil {
			return bleve.ErrorIndexClosed
		}
		defer rd.Close()
		return fn(rd)
	}
	err := run()
	if errors.Is(err, bleve.ErrorIndexClosed) {
		err = run()
	}
	return err
}
