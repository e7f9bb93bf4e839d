package search

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex/index"
)

// Significant terms.
//
// The significant terms of a match set are the words and two-word phrases
// of its articles' text (title and body) that are more frequent in the
// set than under the same filters without the query (the background),
// scored by JLH as Elasticsearch's significant_terms does:
//
//	fg = count/total, bg = background/background_total
//	score = (fg − bg) · fg/bg when fg > bg, else 0
//
// A word is a token of the index's text analyzer (index.TextAnalyzer):
// lower case, English stop words out, Porter-stemmed, so that "impeach",
// "impeached" and "impeachment" are one term, shown in the form the
// sampled articles use most. Numbers and tokens holding a digit are left
// out, and so are the query's own words (the set holds them by
// construction). A phrase is two such words at adjacent positions, as a
// phrase query finds them ("senate trial"; not across a dropped stop
// word).
//
// Candidates come from a sample: the text of the Sample best articles of
// the set by relevance is read to find the terms worth counting (those
// whose share of the sample most exceeds their share of the index by the
// term dictionary). Counts are not sampled: count and background are the
// exact numbers of articles of the whole set and of the whole background
// holding the term, read from the index's postings (phrases: positions),
// so the two are always comparable.

// Limits and defaults of Terms.
const (
	DefaultTermsSize   = 25
	MaxTermsSize       = 200
	DefaultTermsSample = 300
	MaxTermsSample     = 5000
	// DefaultMinCount is the fewest articles of the set a term must be in,
	// as Elasticsearch's min_doc_count.
	DefaultMinCount = 3
	// ScoreJLH names the score of SignificantTerm.
	ScoreJLH = "jlh"
	// minTermCandidates is the fewest words counted exactly, and twice
	// the fewest phrases (a phrase's positions cost more to count).
	minTermCandidates = 100
	// maxLookups bounds the words and the phrases (each) whose
	// dictionary frequency a request reads, most frequent in the sample
	// first.
	maxLookups = 1500
)

// TermsOptions are the knobs of Terms; zero fields take the defaults.
type TermsOptions struct {
	Size     int // terms returned, 1..MaxTermsSize
	Sample   int // articles read for candidates, 1..MaxTermsSample
	MinCount int // fewest articles of the set holding a term
}

// SignificantTerms is the answer of Terms.
type SignificantTerms struct {
	Terms []SignificantTerm `json:"terms"`
	// Sampled is the number of articles whose text was read for
	// candidates (the best by relevance); counts cover the whole set.
	Sampled int `json:"sampled"`
	// Total is the size of the match set; BackgroundTotal the number of
	// articles under the filters without the query.
	Total           uint64 `json:"total"`
	BackgroundTotal uint64 `json:"background_total"`
	// Score names the significance measure (jlh).
	Score string `json:"score"`
	// FiltersResolved and Suggestions are as in Results.
	FiltersResolved map[string][]Resolution `json:"filters_resolved,omitempty"`
	Suggestions     map[string][]Bucket     `json:"suggestions,omitempty"`
}

// SignificantTerm is one word or two-word phrase.
type SignificantTerm struct {
	// Term is the word or phrase as the sampled articles write it most.
	Term string `json:"term"`
	// Analysed is the indexed form the counts are of (stemmed words).
	Analysed string `json:"analysed"`
	// Count is the number of articles of the set holding it; Background
	// the number under the filters without the query (the set included).
	Count      int     `json:"count"`
	Background int     `json:"background"`
	Score      float64 `json:"score"`
}

// termStat gathers one candidate over the sample.
type termStat struct {
	stems   []string   // one word, or the two of a phrase
	sample  int        // sampled articles holding it
	lastDoc int        // the last sampled article counted, +1
	forms   []termForm // the first few ways the sample writes it
	query   bool       // a word of the query, or a phrase holding one
	est     float64    // JLH of the sample against the dictionary
}

// termForm is one way a term is written (its words as in the text), and
// the sampled articles that write it so first.
type termForm struct {
	words [2]string
	n     int
}

// maxForms bounds the forms a term keeps: a word has one or two (case
// aside), and counting every form cost a map write per word per article.
const maxForms = 4

// Terms returns the significant terms of r's match set (its query,
// filters, dates, op and collapse; the rest is ignored) against the
// articles under the same filters. Bad parameters come back as
// *ParamError.
func (e *Engine) Terms(ctx context.Context, r Request, o TermsOptions) (*SignificantTerms, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	r, err := e.setRequest(r)
	if err != nil {
		return nil, err
	}
	resolved, sugg, err := e.resolveFilters(ctx, &r)
	if err != nil {
		return nil, err
	}
	p, err := e.plan(&r)
	if err != nil {
		return nil, err
	}
	bgQ := withFilters(bleve.NewMatchAllQuery(), &r)
	breq := bleve.NewSearchRequestOptions(p.strict, o.Sample, 0, false)
	breq.Fields = []string{index.FieldSource}
	breq.SortByCustom(sortFor(SortRelevance))
	res, err := e.bleveSearch(ctx, breq)
	if err != nil {
		return nil, err
	}
	out := &SignificantTerms{Terms: []SignificantTerm{}, Sampled: len(res.Hits), Score: ScoreJLH, FiltersResolved: resolved, Suggestions: sugg}
	words, phrases, err := e.sampleTerms(res.Hits, e.queryStems(r.Query))
	if err != nil {
		return nil, err
	}
	// The whole sample is the whole set: a term it holds fewer times
	// cannot reach MinCount.
	least := 2
	if uint64(len(res.Hits)) >= res.Total {
		least = max(least, o.MinCount)
	}
	err = e.withReader(ctx, func(rd bleveindex.IndexReader) error {
		n, err := rd.DocCount()
		if err != nil {
			return err
		}
		cands, err := termCandidates(ctx, rd, words, phrases, candidateLimits{sampled: len(res.Hits), n: n, least: least,
			kWords: max(minTermCandidates, 4*o.Size), kPhrases: max(minTermCandidates/2, 2*o.Size)})
		if err != nil {
			return err
		}
		m := e.src.Bleve().Mapping()
		fg, err := docSet(ctx, rd, m, p.strict)
		if err != nil {
			return err
		}
		bg, err := docSet(ctx, rd, m, bgQ)
		if err != nil {
			return err
		}
		out.Total, out.BackgroundTotal = fg.n, bg.n
		for _, c := range cands {
			if err := ctx.Err(); err != nil {
				return err
			}
			cnt, back, err := countIn(ctx, rd, m, c.stems, fg, bg)
			if err != nil {
				return err
			}
			if cnt < o.MinCount {
				continue
			}
			s := jlh(cnt, fg.n, back, bg.n)
			if s <= 0 {
				continue
			}
			out.Terms = append(out.Terms, SignificantTerm{Term: c.form(), Analysed: strings.Join(c.stems, " "), Count: cnt, Background: back,
				Score: math.Round(s*1e6) / 1e6})
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("search: terms of %q: %w", r.Query, ctx.Err())
		}
		return nil, fmt.Errorf("search: terms of %q: %w", r.Query, err)
	}
	sort.Slice(out.Terms, func(i, j int) bool {
		a, b := out.Terms[i], out.Terms[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Analysed < b.Analysed
	})
	out.Terms = out.Terms[:min(len(out.Terms), o.Size)]
	return out, nil
}

func (o *TermsOptions) check() error {
	if o.Size == 0 {
		o.Size = DefaultTermsSize
	}
	if o.Size < 1 || o.Size > MaxTermsSize {
		return paramErr("size", "size %d out of range 1..%d", o.Size, MaxTermsSize)
	}
	if o.Sample == 0 {
		o.Sample = DefaultTermsSample
	}
	if o.Sample < 1 || o.Sample > MaxTermsSample {
		return paramErr("sample", "sample %d out of range 1..%d", o.Sample, MaxTermsSample)
	}
	if o.MinCount == 0 {
		o.MinCount = DefaultMinCount
	}
	if o.MinCount < 1 {
		return paramErr("min_count", "min_count %d must be 1 or more", o.MinCount)
	}
	return nil
}
