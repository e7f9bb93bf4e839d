// Package index owns the on-disk Bleve index of newsdex: the mapping, the
// writer and open/close. It sits between chunk and search in the pipeline.
//
// One Bleve document is one article. Its text fields (title, body) carry the
// whole article, so boolean operators hold per article and every count is a
// count of articles. The article itself, with its passages and entities, is
// stored once as JSON in the stored-only field "_src"; snippets are cut from
// its passages at query time (see package search).
package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	blevedoc "github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/vector"
)

// Field names of the Bleve document. Package search queries them.
const (
	FieldTitle = "title"
	// FieldText holds the title and the body as one text, so that an
	// unfielded word is scored once per article against one length: a
	// per-field disjunction of title and body, each with its own norm and
	// coordination, ranked known-item queries far worse (see docs/RELEVANCE.md).
	// body: queries search it too.
	FieldText = "text"
	// FieldTextLength holds TextLength of FieldText as a keyword: its term
	// dictionary gives the average length BM25 needs.
	FieldTextLength = "tlen"
	// FieldRoles holds the role phrases of the article's leaders on its
	// date ("Chinese president"); unfielded queries search it too.
	FieldRoles     = "roles"
	FieldSource    = "_src"
	FieldPublished = "published"
	// The facet, filter and query fields of the entity kinds are named by
	// the table newsdex.Kinds (FacetField, FilterField, QueryField).
	// QueryAuthor holds the bylines as analysed text, for author:haberman.
	QueryAuthor = "q_author"
	// Histogram buckets of the published date, as keywords.
	FieldDay   = "pub_day"
	FieldWeek  = "pub_week"
	FieldMonth = "pub_month"
	FieldYear  = "pub_year"
	// FieldLeaderOffice holds "name\x1foffice" per leader, so the leaders
	// facet can say which office each bucket's person held.
	FieldLeaderOffice = "leader_office"
	// FieldOrigin is the basename of the file or the URL host an article
	// came from, for per-source counts.
	FieldOrigin = "origin"
	// FieldPassageCount holds the number of passages as a keyword, so the
	// total is a facet away.
	FieldPassageCount = "npass"
	// FieldIsDup is "t" for an article that copies an earlier one.
	FieldIsDup = "is_dup"
	// FieldDupSig holds the base64 dedup signature (stored only).
	FieldDupSig = "_dupsig"
	// FieldDupOf names the article whose wire copy this one is ("" if none).
	FieldDupOf = "dup_of"
	// FieldNoVectors is "t" for an article indexed without the passage
	// vectors it should have (Embeddings.Missing: the embedder failed).
	FieldNoVectors = "no_vec"
)

// LeaderOfficeSep separates name and office in FieldLeaderOffice.
const LeaderOfficeSep = "\x1f"

// TextAnalyzer is the analyzer of title and body; search uses it to find
// matches for snippets. It gives the tokens of Bleve's "en" analyzer,
// faster (see EnglishAnalyzer), so indexes built with "en" search alike.
const TextAnalyzer = EnglishAnalyzer

const lowerKeyword = "keyword_lower"

// ErrNotFound is returned when an article id is not in the index.
var ErrNotFound = errors.New("index: article not found")

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

// Count returns the number of articles in the live generation.
func (ix *Index) Count() (uint64, error) {
	n, err := ix.alias.DocCount()
	if err != nil {
		return 0, fmt.Errorf("index: count %s: %w", ix.dir, err)
	}
	return n, nil
}

// WaitIdle waits until the live generation has merged and persisted all
// it holds: after a bulk load Bleve's merger goes on for a while, taking
// CPU from searches and changing the size on disk. Benchmarks call it to
// measure indexing to the steady state and queries without merges.
func (ix *Index) WaitIdle(ctx context.Context) error {
	return waitIdle(ctx, ix.live(), ix.dir)
}

// waitIdle waits until bi's merger and persister have caught up with its
// last write.
func waitIdle(ctx context.Context, bi bleve.Index, dir string) error {
	for {
		st, _ := bi.StatsMap()["index"].(map[string]any)
		num := func(k string) uint64 { n, _ := st[k].(uint64); return n }
		// CurRootEpoch stays 0 until the first write after opening; the
		// merger and persister record the epoch they caught up with.
		root := num("CurRootEpoch")
		if root == 0 || num("LastMergedEpoch") >= root && num("LastPersistedEpoch") >= root {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("index: wait for merges in %s: %w", dir, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Add indexes articles in one batch, replacing articles with the same id.
// The articles must already carry entities and passages. When Add returns
// nil the batch is durable on disk (Bleve's safe batches wait for the
// persister). During a rebuild the batch also goes to the new generation.
func (ix *Index) Add(ctx context.Context, arts []newsdex.Article) error {
	ix.writers.RLock() // see Index.writers
	defer ix.writers.RUnlock()
	ix.mu.RLock()
	bi, gen, rb, gv := ix.bi, ix.gen, ix.rebuild, ix.vec
	ix.mu.RUnlock()
	if ix.hooks.writing != nil {
		ix.hooks.writing()
	}
	if err := addBatch(ctx, bi, gen, gv, arts, nil); err != nil {
		return err
	}
	ix.lastWrite.Store(time.Now())
	if rb != nil {
		rb.duals.Add(1)
		return rb.mirrorAdd(ctx, arts)
	}
	return nil
}

// addBatch writes arts to one generation: the Bleve documents (with their
// vectors) in one batch, then the generation's vector store. Batches of
// different articles may be written at once (see genVectors); the writes
// of one article reach Bleve and the store in the same order. reserved, if
// not nil, is called once the batch holds its place in that order (from
// then on a later write of the same ids waits for it).
func addBatch(ctx context.Context, bi bleve.Index, gen string, gv *genVectors, arts []newsdex.Article, reserved func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	model, err := batchModel(arts)
	if err != nil {
		return err
	}
	b := bi.NewBatch()
	docs := make([]vector.Doc, len(arts))
	dims := 0
	for i := range arts {
		d, vd, err := document(&arts[i])
		if err != nil {
			return err
		}
		doc, err := mapDocument(bi.Mapping(), arts[i].ID, d)
		if err != nil {
			return fmt.Errorf("index: add article %q: %w", arts[i].ID, err)
		}
		if err := b.IndexAdvanced(doc); err != nil {
			return fmt.Errorf("index: add article %q: %w", arts[i].ID, err)
		}
		docs[i] = vd
		if vd.Vectors.Len() > 0 {
			dims = vd.Vectors.Dims
		}
	}
	// Batches of different articles go to Bleve at once: Bleve builds a
	// batch's segment on the caller's goroutine, so this lets the
	// pipeline's writers use more than one core. A batch that sets the
	// model goes alone.
	gv.mu.Lock()
	var alone bool
	for {
		alone = model != "" && model != gv.modelName()
		gv.waitTurn(arts, alone)
		// The batches waited for may have set the model.
		if alone == (model != "" && model != gv.modelName()) {
			break
		}
	}
	if err := gv.checkModel(model, dims); err != nil {
		gv.mu.Unlock()
		return err
	}
	if alone {
		b.SetInternal([]byte(keyVectorModel), []byte(model))
	}
	gv.seq++
	b.SetInternal([]byte(keyWriteSeq), seqBytes(gv.seq))
	gv.start(arts, alone)
	gv.mu.Unlock()
	if reserved != nil {
		reserved()
	}

	err = bi.Batch(b)

	gv.mu.Lock()
	defer gv.mu.Unlock()
	defer gv.finish(arts)
	if err != nil {
		gv.overlapped = true // Bleve kept the previous seq
	}
	if gv.writing == 1 && gv.overlapped {
		// The last batch in flight: Bleve's seq is the seq of whichever
		// batch it took last, so write the newest.
		if serr := bi.SetInternal([]byte(keyWriteSeq), seqBytes(gv.seq)); serr == nil {
			gv.overlapped = false
		}
	}
	if err != nil {
		return fmt.Errorf("index: write batch of %d articles to %s: %w", len(arts), gen, err)
	}
	if model != "" {
		gv.model.Store(&model)
	}
	// Dimensions and model were checked above, so Put cannot fail on the
	// vectors; an article without vectors drops its old ones.
	if err := gv.store.Put(docs...); err != nil {
		return fmt.Errorf("index: %s: update vectors: %w", gen, err)
	}
	return nil
}

// Delete removes articles by id; unknown ids are ignored. It returns how
// many of the ids were present.
func (ix *Index) Delete(ctx context.Context, ids ...string) (int, error) {
	ix.writers.RLock() // see Index.writers
	defer ix.writers.RUnlock()
	ix.mu.RLock()
	bi, gen, rb, gv := ix.bi, ix.gen, ix.rebuild, ix.vec
	ix.mu.RUnlock()
	if ix.hooks.writing != nil {
		ix.hooks.writing()
	}
	n, err := deleteBatch(ctx, bi, gen, gv, ids)
	ix.lastWrite.Store(time.Now())
	if err == nil && rb != nil {
		rb.duals.Add(1)
		err = rb.mirrorDelete(ctx, ids...)
	}
	return n, err
}

func deleteBatch(ctx context.Context, bi bleve.Index, gen string, gv *genVectors, ids []string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	b := bi.NewBatch()
	n := 0
	for _, id := range ids {
		if d, err := bi.Document(id); err == nil && d != nil {
			n++
		}
		b.Delete(id)
	}
	gv.mu.Lock()
	defer gv.mu.Unlock()
	// Deletes go alone: no batch of articles is in flight while the lock
	// is held after this.
	gv.waitIdle()
	b.SetInternal([]byte(keyWriteSeq), seqBytes(gv.seq+1))
	if err := bi.Batch(b); err != nil {
		return 0, fmt.Errorf("index: delete %d articles from %s: %w", len(ids), gen, err)
	}
	gv.seq++
	gv.overlapped = false // Bleve holds the newest seq again
	gv.store.Delete(ids...)
	return n, nil
}

// Get returns the stored article with id, or ErrNotFound.
func (ix *Index) Get(id string) (newsdex.Article, error) {
	return getArticle(ix.alias, id)
}

func getArticle(bi bleve.Index, id string) (newsdex.Article, error) {
	var a newsdex.Article
	d, err := bi.Document(id)
	if err != nil {
		return a, fmt.Errorf("index: get %q: %w", id, err)
	}
	if d == nil {
		return a, fmt.Errorf("index: get %q: %w", id, ErrNotFound)
	}
	found := false
	d.VisitFields(func(f bleveindex.Field) {
		if f.Name() == FieldSource {
			found = true
			err = json.Unmarshal(f.Value(), &a)
		}
	})
	if !found {
		return a, fmt.Errorf("index: get %q: no stored source: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("index: decode stored article %q: %w", id, err)
	}
	return a, nil
}

// mapDocument maps data to a Bleve document as Batch.Index would, then
// stores the doc values of its keyword fields one document per chunk,
// uncompressed. A search visits the doc values of every hit for its
// facets, and decompressing a whole 1,024-document chunk (Snappy) per
// facet field to read one hit's values was a fifth of the time of a
// search over many hits; now they are read in place from the
// memory-mapped segment, and a hit's chunk is found without a search.
// (Only both options together are safe: zapx v17.2.5 merges doc values
// that are uncompressed but chunked as if they were one per chunk, which
// is why Bleve's geo fields, the only users, set both.)
func mapDocument(m mapping.IndexMapping, id string, data map[string]any) (*blevedoc.Document, error) {
	doc := blevedoc.NewDocument(id)
	if err := m.MapDocument(doc, data); err != nil {
		return nil, err
	}
	for i, f := range doc.Fields {
		tf, ok := f.(*blevedoc.TextField)
		if !ok || !tf.Options().IncludeDocValues() {
			continue
		}
		doc.Fields[i] = blevedoc.NewTextFieldCustom(tf.Name(), tf.ArrayPositions(), tf.Value(),
			tf.Options()|bleveindex.SkipDVChunking|bleveindex.SkipDVCompression, tf.Analyzer())
	}
	return doc, nil
}

// Document returns the Bleve document for a: a map of field name to value.
func Document(a *newsdex.Article) (map[string]any, error) {
	d, _, err := document(a)
	return d, err
}

// document returns a's Bleve document and its vector-store entry.
func document(a *newsdex.Article) (map[string]any, vector.Doc, error) {
	vd, blob, err := vectorDoc(a)
	if err != nil {
		return nil, vd, err
	}
	// The signature has a field of its own; keep it out of the source.
	stored := *a
	stored.DupSignature = nil
	src, err := json.Marshal(&stored)
	if err != nil {
		return nil, vd, fmt.Errorf("index: encode article %q: %w", a.ID, err)
	}
	text := a.Title + "\n" + a.Body
	d := map[string]any{
		FieldTitle:      a.Title,
		FieldText:       text,
		FieldTextLength: textLengthTerm(TextLength(text)),
		FieldSource:     string(src),
	}
	if blob != nil {
		d[FieldVectors] = string(blob)
	}
	if len(a.Authors) > 0 {
		d[QueryAuthor] = a.Authors
	}
	for _, k := range newsdex.Kinds {
		if v, ok := kindValue(k, a); ok {
			d[k.FacetField] = v
			d[k.FilterField] = v
			d[k.QueryField] = v
		}
	}
	if a.Source != "" {
		d[FieldOrigin] = Origin(a.Source)
	}
	d[FieldPassageCount] = strconv.Itoa(len(a.Passages))
	if len(a.Roles) > 0 {
		d[FieldRoles] = a.Roles
	}
	if a.DuplicateOf != "" {
		d[FieldDupOf] = a.DuplicateOf
		d[FieldIsDup] = "t"
	}
	if len(a.DupSignature) > 0 {
		d[FieldDupSig] = base64.StdEncoding.EncodeToString(a.DupSignature)
	}
	if em := a.Embeddings; em != nil && em.Missing && len(a.Passages) > 0 {
		d[FieldNoVectors] = "t"
	}
	if len(a.Leaders) > 0 {
		lo := make([]string, 0, len(a.Leaders))
		for _, l := range a.Leaders {
			lo = append(lo, l.Name+LeaderOfficeSep+l.Office)
		}
		d[FieldLeaderOffice] = lo
	}
	if !a.Published.IsZero() {
		t := a.Published.UTC()
		d[FieldPublished] = t
		d[FieldDay] = t.Format(time.DateOnly)
		d[FieldWeek] = WeekKey(t)
		d[FieldMonth] = t.Format("2006-01")
		d[FieldYear] = t.Format("2006")
	}
	return d, vd, nil
}

// kindValue returns the document value of a's entities of kind k: a
// string for a single-valued kind (as the outlet always was, so indexes
// built before the table read alike), else the names; false if none.
func kindValue(k newsdex.Kind, a *newsdex.Article) (any, bool) {
	if k.Single != nil {
		v := k.Single(a)
		return v, v != ""
	}
	es := k.Entities(a)
	if len(es) == 0 {
		return nil, false
	}
	return newsdex.Names(es), true
}

// mustKind returns the kind of newsdex.Kinds named name; a name not in the
// table is a programming error.
func mustKind(name string) newsdex.Kind {
	k, ok := newsdex.KindNamed(name)
	if !ok {
		panic("index: no entity kind " + name)
	}
	return k
}

// WeekKey returns the ISO week of t as "2006-W01".
func WeekKey(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Origin names where an article came from: a URL's host or a file's
// base name.
func Origin(source string) string {
	if u, err := url.Parse(source); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return u.Host
	}
	return filepath.Base(source)
}

// DirSize returns the total size of the regular files under dir.
func DirSize(dir string) int64 {
	var total int64
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if info, err := d.Info(); err == nil && info.Mode().IsRegular() {
			total += info.Size()
		}
		return nil
	})
	return total
}

// normalise lowercases a filter value the way the filter fields are indexed.
func normalise(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// FilterValue returns v as stored in the lowercase filter fields.
func FilterValue(v string) string { return normalise(v) }
