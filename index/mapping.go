package index

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex"
)

// LeaderOfficeSep separates name and office in FieldLeaderOffice.
const LeaderOfficeSep = "\x1f"

// TextAnalyzer is the analyzer of title and body; search uses it to find
// matches for snippets. It gives the tokens of Bleve's "en" analyzer,
// faster (see EnglishAnalyzer), so indexes built with "en" search alike.
const TextAnalyzer = EnglishAnalyzer

const lowerKeyword = "keyword_lower"

// Mapping returns the index mapping of newsdex documents.
func Mapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	// Words of FieldText are scored by package search's own BM25; Bleve's
	// model scores only phrases, roles and the entity fields.
	im.ScoringModel = bleveindex.DefaultScoringModel
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	im.DefaultAnalyzer = TextAnalyzer
	if err := im.AddCustomAnalyzer(lowerKeyword, map[string]any{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("index: add analyzer %s: %w", lowerKeyword, err)
	}

	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		// Snippets are built from stored passages, so Bleve's term vectors
		// would only cost a quarter of the indexing rate.
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	phraseText := func(analyzer string) *mapping.FieldMapping {
		f := text(analyzer)
		// Phrase queries need positions, which come with term vectors.
		f.IncludeTermVectors = true
		return f
	}
	kw := func(analyzer string, docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = docValues
		return f
	}

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(FieldTitle, phraseText(TextAnalyzer))
	doc.AddFieldMappingsAt(FieldText, phraseText(TextAnalyzer))
	doc.AddFieldMappingsAt(FieldTextLength, kw(keyword.Name, false))
	doc.AddFieldMappingsAt(FieldRoles, phraseText(TextAnalyzer))
	src := bleve.NewTextFieldMapping()
	src.Index = false
	src.Store = true
	src.IncludeInAll = false
	src.IncludeTermVectors = false
	src.DocValues = false
	doc.AddFieldMappingsAt(FieldSource, src)
	// Passage vectors: stored bytes, never indexed (see vectors.go).
	vec := bleve.NewTextFieldMapping()
	vec.Index = false
	vec.Store = true
	vec.IncludeInAll = false
	vec.IncludeTermVectors = false
	vec.DocValues = false
	doc.AddFieldMappingsAt(FieldVectors, vec)

	pub := bleve.NewDateTimeFieldMapping()
	pub.Store = false
	pub.IncludeInAll = false
	pub.DocValues = true
	doc.AddFieldMappingsAt(FieldPublished, pub)

	// Each entity kind has a facet field (canonical names, doc values), a
	// filter field (lowercased, for case-insensitive filters) and a query
	// field (analysed, for person:xi).
	for _, k := range newsdex.Kinds {
		doc.AddFieldMappingsAt(k.FacetField, kw(keyword.Name, true))
		doc.AddFieldMappingsAt(k.FilterField, kw(lowerKeyword, false))
		doc.AddFieldMappingsAt(k.QueryField, phraseText(standard.Name))
	}
	for _, f := range []string{FieldLeaderOffice, FieldOrigin, FieldPassageCount, FieldDay, FieldWeek, FieldMonth, FieldYear} {
		doc.AddFieldMappingsAt(f, kw(keyword.Name, true))
	}
	doc.AddFieldMappingsAt(QueryAuthor, phraseText(standard.Name))
	// Wire copies: dup_of (exact id, stored so the detector can be
	// restored without decoding every article) and is_dup for collapsing.
	dupOf := kw(keyword.Name, true)
	dupOf.Store = true
	doc.AddFieldMappingsAt(FieldDupOf, dupOf)
	doc.AddFieldMappingsAt(FieldIsDup, kw(keyword.Name, false))
	doc.AddFieldMappingsAt(FieldNoVectors, kw(keyword.Name, false))
	dupSig := bleve.NewTextFieldMapping()
	dupSig.Index = false
	dupSig.Store = true
	dupSig.IncludeInAll = false
	dupSig.IncludeTermVectors = false
	doc.AddFieldMappingsAt(FieldDupSig, dupSig)
	// No field is included in the composite _all field, but building the
	// empty composite still cost each document a pass over its fields.
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	im.DefaultMapping = doc
	im.DefaultField = FieldText
	return im, nil
}
