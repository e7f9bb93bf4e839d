package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index/internal/scorch"
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

// ErrNotFound is returned when an article id is not in the index.
var ErrNotFound = errors.New("index: article not found")

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
	return scorch.WaitIdle(ctx, ix.live(), ix.dir)
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
