// Package newsdex holds the domain types shared by every pipeline stage:
// ingest → extract → chunk → index → search → api. It imports only the
// standard library.
package newsdex

import "time"

// Article is one news article as read from a source and enriched by the
// extractor. Passages are byte ranges of Body.
type Article struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url,omitempty"`
	Published time.Time `json:"published,omitzero"`
	// Outlet is the publisher from the source's metadata; empty if unknown.
	Outlet  string   `json:"outlet,omitempty"`
	Authors []string `json:"authors,omitempty"`
	Body    string   `json:"body"`
	// RawBody is the body as read, kept for audit when package boiler
	// removed boilerplate from Body (ads, promos, hover cards); empty when
	// nothing was removed. It is stored, never searched or extracted.
	RawBody  string `json:"raw_body,omitempty"`
	Language string `json:"language,omitempty"`
	// Dateline is the place named in the body's dateline ("Moscow, May 8: ..."), if any.
	Dateline string `json:"dateline,omitempty"`

	// Entities found by the extractor, canonical names, ordered by first mention.
	People  []Entity `json:"people,omitempty"`
	Cited   []Entity `json:"cited,omitempty"`
	Places  []Entity `json:"places,omitempty"`
	Leaders []Entity `json:"leaders,omitempty"`
	// Roles are the offices of Leaders on the article's date written the
	// ways news names them ("President of China", "Chinese president",
	// "China's leader"), so a query that names a role finds the articles
	// about whoever held it then.
	Roles []string `json:"roles,omitempty"`

	// Labels are the source's own annotations (Reuters <PEOPLE>, <PLACES>,
	// <TOPICS>), kept apart from the extractor's output: they are ground truth.
	Labels map[string][]string `json:"labels,omitempty"`

	// Source names where the article came from (file path or URL), for stats.
	Source string `json:"source,omitempty"`

	Passages []Passage `json:"passages,omitempty"`

	// DuplicateOf names the first-indexed article of this one's wire-copy
	// group ("" if it is a group's first article or has no copies).
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// DupSignature is the near-duplicate signature (package dedup), kept so
	// the detector can be restored when the index is opened.
	DupSignature []byte `json:"dup_signature,omitempty"`

	// Embeddings holds the passage vectors computed at index time, or nil
	// (lexical-only). It travels from the pipeline to the index with the
	// article and is stored beside it, not in its JSON.
	Embeddings *Embeddings `json:"-"`
}

// Embeddings are the vectors of an article's passages.
type Embeddings struct {
	// Model names the embedder, so that vectors of different models are
	// never compared.
	Model string
	// Vectors holds one L2-normalised vector per passage, in order.
	Vectors [][]float32
	// Missing is set, with Vectors nil, when the embedder failed on the
	// article: it is indexed for lexical search and marked, so that the
	// vectors can be computed later (`newsdex reindex --fill-vectors`).
	Missing bool
}

// Entity is a canonical entity of an article with how often and where it is
// mentioned.
type Entity struct {
	Name string `json:"name"`
	// Count is the number of mentions (aliases and role phrases included).
	Count int `json:"count"`
	// First is the byte offset of the first mention in Title+"\n"+Body, or -1.
	First int `json:"first"`
	// Office is set for leaders: the office held on the article's date.
	Office string `json:"office,omitempty"`
}

// Passage is a byte range [Start, End) of an article's Body.
type Passage struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Names returns the entity names in order.
func Names(es []Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name
	}
	return out
}
