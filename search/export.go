package search

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

// Export: every article of a match set, streamed.
//
// An export walks the match set of a request (list.go: what Results.Total
// counts) in batches of ExportBatch articles, each a Bleve search sorted
// without scoring and resumed after the last article of the one before
// (SearchAfter), so memory stays at one batch however large the set.
// The batches read one index snapshot when the index allows it (a single
// generation, the usual case): the rows are then exactly the set that was
// counted, even while articles are added or deleted. An index behind an
// alias of several generations (during a rebuild) is paged batch by batch,
// and rows may then differ from the total by the writes made meanwhile.
//
// Order: by article id (byte order) for sort=relevance (the default: an
// export has no ranking), by published date then id for sort=date
// (newest first) and date_asc (oldest first); undated articles come last.
// The order is stable: the same index gives the same rows in the same
// order.

// ExportBatch is how many articles one batch of an export reads.
const ExportBatch = 1000

// ExportRow is one article of an export.
type ExportRow struct {
	Article newsdex.Article
	// Duplicates is the number of wire copies of the article in the index
	// (Hit.Duplicates), set only when ExportOptions.Duplicates asks.
	Duplicates int
}

// ExportOptions says what Export does with the match set.
type ExportOptions struct {
	// Begin, if not nil, is called once with the size of the match set
	// before the first row (also when the set is empty). An error from it
	// stops the export before any row.
	Begin func(total uint64) error
	// Row is called for every article of the set, in export order; an
	// error from it stops the export and is returned.
	Row func(*ExportRow) error
	// Duplicates fills ExportRow.Duplicates, at one more search a batch.
	Duplicates bool
	// Batch is how many articles a batch reads; 0 means ExportBatch.
	Batch int
}

// Export calls opts.Row for every article of r's match set (see above for
// the order) and returns how many rows it wrote. r takes the parameters of
// Search; paging, snippets, facets, explain and count are ignored, as an
// export has neither pages nor snippets. In semantic mode a query of plain
// words exports the semantic set (at most MaxSemantic articles), as
// Search counts it. Errors before Begin is called are those of Search
// (*ParamError for bad parameters, ErrNoEmbeddings); after it, the index's
// or Row's, or ctx's when it is done.
func (e *Engine) Export(ctx context.Context, r Request, opts ExportOptions) (uint64, error) {
	// Paging fields must not fail an export: it has no pages.
	r.Page, r.Size, r.Cursor = 0, 0, ""
	if err := r.Normalize(); err != nil {
		return 0, err
	}
	if _, _, err := e.resolveFilters(ctx, &r); err != nil {
		return 0, err
	}
	p, err := e.plan(&r)
	if err != nil {
		return 0, err
	}
	setQ, err := e.exportSet(ctx, &r, p)
	if err != nil {
		return 0, err
	}
	run, done := e.exportRunner(ctx)
	defer done()
	order := exportOrder(r.Sort)
	batch := opts.Batch
	if batch <= 0 {
		batch = ExportBatch
	}
	var n uint64
	var after []string
	var prevID string
	for first := true; ; first = false {
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("export %q: %w", r.Query, err)
		}
		breq := bleve.NewSearchRequestOptions(setQ, batch, 0, false)
		breq.Fields = []string{index.FieldSource}
		breq.SortByCustom(order)
		breq.Score = "none" // an export has no ranking
		breq.SearchAfter = after
		res, err := run(breq)
		if err != nil {
			return n, fmt.Errorf("export %q after %d rows: %w", r.Query, n, err)
		}
		if first && opts.Begin != nil {
			if err := opts.Begin(res.Total); err != nil {
				return 0, err
			}
		}
		var dups map[string]int
		if opts.Duplicates {
			dups = e.duplicateCounts(ctx, res.Hits)
		}
		if len(res.Hits) > 0 && len(after) > 0 && res.Hits[0].ID == prevID {
			// A resume that does not move on would loop forever.
			return n, fmt.Errorf("export %q: batch after %d rows starts again at %q", r.Query, n, prevID)
		}
		for _, dm := range res.Hits {
			a, err := decodeSource(dm)
			if err != nil {
				return n, fmt.Errorf("export %q: %w", r.Query, err)
			}
			row := ExportRow{Article: a, Duplicates: dups[dm.ID]}
			if err := opts.Row(&row); err != nil {
				return n, err
			}
			n++
		}
		if len(res.Hits) < batch {
			return n, nil
		}
		last := res.Hits[len(res.Hits)-1]
		prevID, after = last.ID, sortValues(order, last)
		if len(order) > 1 && undated(after[0]) {
			// Bleve cannot resume after an article that lacks the sort
			// field: it reads the missing-value marker as a date and
			// starts over. Undated articles sort last, by id, so the
			// rest of the set is the undated ones after this id.
			setQ, order, after = undatedOnly(setQ), exportOrder(SortRelevance), []string{last.ID}
		}
	}
}

// undatedMark stands for the date of an undated article in a cursor.
const undatedMark = "undated"

// undated reports whether v, a date sort value of a hit, is Bleve's
// missing-value marker (or undatedMark) rather than a date.
func undated(v string) bool {
	_, err := time.Parse(time.RFC3339Nano, v)
	return err != nil
}

// undatedOnly is the articles of q without a published date. The range
// spans every date the index can hold (nanoseconds since 1970 in an
// int64).
func undatedOnly(q query.Query) query.Query {
	t := true
	dated := bleve.NewDateRangeInclusiveQuery(time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC), &t, &t)
	dated.SetField(index.FieldPublished)
	bq := bleve.NewBooleanQuery()
	bq.AddMust(q)
	bq.AddMustNot(dated)
	return bq
}

// exportSet is the query of r's match set: p.strict, or in semantic mode
// for a query of plain words, the semantic set Search counts.
func (e *Engine) exportSet(ctx context.Context, r *Request, p *plan) (query.Query, error) {
	if r.Mode != ModeSemantic || !p.plain || embedText(p.ast) == "" {
		return p.strict, nil
	}
	if err := e.checkSemantic(); err != nil {
		return nil, err
	}
	st, _ := e.vectors()
	qv, err := e.sem.embed(ctx, embedText(p.ast))
	if err != nil {
		return nil, err
	}
	floor, err := similarityFloor(st, qv)
	if err != nil {
		return nil, err
	}
	set, _, err := semanticSet(st, qv, vectorFilter(r), floor)
	if err != nil {
		return nil, err
	}
	return withFilters(idsQuery(rankedIDs(set)), r), nil
}

// exportOrder is the sort of an export under sort s.
func exportOrder(s string) search.SortOrder {
	if s == SortDate || s == SortDateAsc {
		return sortFor(s) // published, then id
	}
	return search.SortOrder{&search.SortDocID{}}
}

// exportRunner returns how the batches of one export run: on one snapshot
// of the index held until done is called, or, when the index gives no
// reader (an alias over several generations), each on the live index.
func (e *Engine) exportRunner(ctx context.Context) (run func(*bleve.SearchRequest) (*bleve.SearchResult, error), done func()) {
	bi := e.src.Bleve()
	live := func(breq *bleve.SearchRequest) (*bleve.SearchResult, error) { return e.bleveSearch(ctx, breq) }
	adv, err := bi.Advanced()
	if err != nil {
		return live, func() {}
	}
	reader, err := adv.Reader()
	if err != nil {
		return live, func() {}
	}
	if is, ok := reader.(*scorch.IndexSnapshot); ok && is == nil {
		// A generation closed by a rebuild: the live index has the next.
		return live, func() {}
	}
	var r bleveindex.IndexReader = reader
	run = func(breq *bleve.SearchRequest) (*bleve.SearchResult, error) {
		res, _, err := e.searchReader(ctx, breq, r, bi.Mapping(), time.Now())
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("search: %w", ctx.Err())
			}
			return nil, fmt.Errorf("search: %w", err)
		}
		return res, nil
	}
	return run, func() { _ = reader.Close() }
}

// duplicateCounts returns the number of wire copies of each hit that
// leads a group (countDuplicates, for a batch).
func (e *Engine) duplicateCounts(ctx context.Context, dms search.DocumentMatchCollection) map[string]int {
	hits := make([]Hit, len(dms))
	for i, dm := range dms {
		hits[i].ID = dm.ID
	}
	e.countDuplicates(ctx, hits)
	out := make(map[string]int)
	for _, h := range hits {
		if h.Duplicates > 0 {
			out[h.ID] = h.Duplicates
		}
	}
	return out
}
