// Package search turns a user's Request into a Bleve search over the index
// and returns ranked articles with facets and per-request snippets. It sits
// between index and api in the pipeline.
//
// # What it promises
//
//   - Every count is a count of articles, and total and every facet count
//     the match set (the hits a request's query and filters select), so
//     they agree with the hits; Results.Related counts what the ranked
//     list holds beyond it.
//   - Scores are Bleve's wherever Bleve would score: the bulk path
//     (bulk.go, bulkrun.go), the field-data facets (fielddata.go), the
//     collector (collect.go), the phrase and role searchers (phrase.go,
//     roles.go) reproduce Bleve's results bit for bit for the shapes they
//     take. TestRunSearchMatchesBleve, TestBulkMatchesBleveOnIndex,
//     TestBleveVersionPinned and the ranking golden guard this.
//   - The filters mean the same on the Bleve path (withFilters) and the
//     vector path (vectorFilter): OR within a filter, AND across filters,
//     dates inclusive. Both are derived from newsdex.Kinds.
//   - A cursor resumes the walk it came from and no other: it is bound to
//     the request's query, filters, sort and mode (cursorKeyFor).
//   - Errors for bad input are *ParamError naming the parameter; an
//     index without vectors gives ErrNoEmbeddings for semantic and hybrid.
//
// # Where things are
//
// A request is normalised (request.go, params.go), its filters resolved
// (resolve.go) and made a plan (plan.go). answer.go runs the plan: the
// lexical path, or the semantic and hybrid paths (rank.go fuses the
// rankings; classify.go decides which queries are plain words), then
// counts the match set, pages the list (list.go, cursor.go) and fills
// the hits with snippets (snippet.go) and explanations (explain.go).
// facets.go and facetlist.go hold the facets, similar.go more-like-this,
// timeline.go, terms.go and export.go the research routes. kinds.go
// derives the entity lists from newsdex.Kinds.
//
// # Semantic and hybrid search
//
// Every index generation holds the passage vectors of its articles (see
// package index); the engine embeds the query with the same model and asks
// the generation's vector.Store for the articles whose best passage is
// nearest. The request's filters are applied inside the vector search,
// before the top k is taken.
//
// What a mode returns (the hit set, which total and the facets count):
//
//   - lexical: the articles that match the query, ranked by BM25 over
//     title and body as one text (bm25.go), summed over the query's words
//     without Bleve's coordination factor (sum.go).
//   - semantic, plain words: the up to MaxRanked articles (after the
//     filters) whose best passage has a cosine similarity of at least
//     MinSimilarity with the query, and at least the MinCandidates nearest
//     (so a filter that leaves few articles still returns them all), ranked
//     by that similarity, which is the hit's score. The words need not
//     occur in the hits.
//   - hybrid, plain words: the articles that match the words lexically,
//     plus the semantic candidates above; ranked by a convex combination
//     of the lexical score (relative to the best) and the cosine
//     similarity (see combine), over the lexical and vector rankings each
//     to depth MaxRanked; the score is the combined score.
//   - semantic or hybrid, a query with operators (AND, OR, NOT, -word,
//     +word, phrases, field:value, wildcards, fuzzy): the hit set is exactly
//     the lexical one, so every hit satisfies the query; semantic ranks it
//     by vector similarity, hybrid by combining both scores.
//
// total and every facet count the hit set, so they agree with the hits;
// with sort=date the same set is ordered by date. The ranked modes page
// through at most MaxRanked hits: deeper pages are empty, and a hybrid
// total may count more articles (lexical matches beyond that depth) than
// can be paged; use mode=lexical with a cursor to walk all of them.
// An empty query (browsing by filters) runs lexically in every mode, and
// Results.Mode says so.
package search
