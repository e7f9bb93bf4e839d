package index

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/vector"
)

// Passage vectors live in the article's own Bleve document, in the
// stored-only field FieldVectors (vector.Encode of the int8 vectors, with
// the hash of each embedded text). So every generation carries its own
// vectors, and rebuilds, dual writes and deletes keep them consistent with
// the text for free. Searching needs them in memory: each open generation
// has a vector.Store, updated by the same writes under the same lock, and
// filled when the generation is opened from a snapshot (vectors.snap in the
// generation's folder, written on Close) or, when the snapshot is missing
// or stale, by reading every stored document.
//
// A snapshot is stale unless it was written at the generation's current
// write sequence, a counter every batch increments inside the Bleve batch
// itself (Bleve's internal storage), so a crash after a write can never
// leave a snapshot that looks current.
const (
	// FieldVectors holds an article's encoded passage vectors.
	FieldVectors = "_vec"

	keyVectorModel = "newsdex/vector-model"
	keyWriteSeq    = "newsdex/write-seq"
	snapshotFile   = "vectors.snap"
)

// EmbedTexts returns the texts whose embeddings are a's passage vectors, one
// per passage: the passage's text, the first one prefixed with the title
// (unless the body already starts with it) so that the headline counts.
func EmbedTexts(a *newsdex.Article) []string {
	out := make([]string, 0, len(a.Passages))
	for i, p := range a.Passages {
		if p.Start < 0 || p.End > len(a.Body) || p.Start > p.End {
			out = append(out, "")
			continue
		}
		t := a.Body[p.Start:p.End]
		if i == 0 && a.Title != "" && !strings.HasPrefix(strings.TrimSpace(t), a.Title) {
			t = a.Title + "\n" + t
		}
		out = append(out, EmbedText(t))
	}
	return out
}

// EmbedText returns text as the embedder should see it, for passages and
// queries alike: lines written in capitals (old archives, wire headlines,
// telegram style) are lower-cased. The model's vocabulary is
// case-sensitive and has few capitalised pieces, so "PRESIDENT KENNEDY"
// would reach it letter by letter and embed as noise.
func EmbedText(text string) string {
	if !strings.ContainsFunc(text, unicode.IsUpper) {
		return text
	}
	lines := strings.Split(text, "\n")
	changed := false
	for i, l := range lines {
		if shouting(l) {
			lines[i] = strings.ToLower(l)
			changed = true
		}
	}
	if !changed {
		return text
	}
	return strings.Join(lines, "\n")
}

// shouting reports whether a line is mostly capitals: at least two words
// of two or more capitals, and over 60% of its letters upper case.
func shouting(line string) bool {
	upper, letters, capsWords := 0, 0, 0
	for _, w := range strings.Fields(line) {
		wu, wl := 0, 0
		for _, r := range w {
			if unicode.IsLetter(r) {
				wl++
				if unicode.IsUpper(r) {
					wu++
				}
			}
		}
		upper += wu
		letters += wl
		if wl >= 2 && wu == wl {
			capsWords++
		}
	}
	return capsWords >= 2 && upper*10 > letters*6
}

// FilterLabel returns the vector-store label that a filter on field (a
// newsdex.Kind's FilterField) with value tests, built the way the Bleve filter
// fields are indexed, so that both sides filter alike.
func FilterLabel(field, value string) string { return field + "\x00" + FilterValue(value) }

// DupLabel is the vector-store label of wire copies (articles with a
// DuplicateOf), which collapsed searches leave out.
var DupLabel = FieldIsDup + "\x00t"

// vectorLabels returns a's filter labels.
func vectorLabels(a *newsdex.Article) []string {
	var out []string
	if a.DuplicateOf != "" {
		out = append(out, DupLabel)
	}
	for _, k := range newsdex.Kinds {
		for _, v := range k.Values(a) {
			out = append(out, FilterLabel(k.FilterField, v))
		}
	}
	return out
}

// vectorDoc returns a's entry in the vector store and its encoded vectors
// (nil when a has none).
func vectorDoc(a *newsdex.Article) (vector.Doc, []byte, error) {
	d := vector.Doc{ID: a.ID, Labels: vectorLabels(a)}
	if !a.Published.IsZero() {
		d.Time = a.Published.UTC()
	}
	em := a.Embeddings
	if em == nil || em.Missing || len(em.Vectors) == 0 {
		return d, nil, nil
	}
	if em.Model == "" {
		return d, nil, fmt.Errorf("index: article %q: embeddings without a model name", a.ID)
	}
	if len(em.Vectors) != len(a.Passages) {
		return d, nil, fmt.Errorf("index: article %q: %d vectors for %d passages", a.ID, len(em.Vectors), len(a.Passages))
	}
	texts := EmbedTexts(a)
	hashes := make([]uint64, len(texts))
	for i, t := range texts {
		hashes[i] = vector.Hash(t)
	}
	p, err := vector.Pack(em.Vectors, hashes)
	if err != nil {
		return d, nil, fmt.Errorf("index: article %q: %w", a.ID, err)
	}
	blob, err := vector.Encode(p)
	if err != nil {
		return d, nil, fmt.Errorf("index: article %q: %w", a.ID, err)
	}
	d.Vectors = p
	return d, blob, nil
}

// genVectors is the vector side of one open generation.
type genVectors struct {
	mu    sync.Mutex // guards the fields below and orders writes
	store *vector.Store
	model atomic.Pointer[string]
	seq   uint64 // write sequence, mirrored in Bleve's internal storage
	saved uint64 // sequence of the snapshot on disk (0: none)

	// Batches of different articles are written to Bleve at once (see
	// addBatch); these track them. A batch waits while another in flight
	// holds one of its ids, so that Bleve and the store see the writes of
	// an id in the same order.
	idle      *sync.Cond     // broadcast when a batch finishes
	writing   int            // batches in flight
	inflight  map[string]int // ids of the batches in flight
	exclusive bool           // the batch in flight must be alone (it sets the model)
	// overlapped is set when batches in flight may have reached Bleve out
	// of their seq order (or one failed), so that Bleve's copy of seq may
	// be stale; the last batch to finish writes seq again.
	overlapped bool
}

func newGenVectors() *genVectors {
	gv := &genVectors{store: vector.New(), inflight: map[string]int{}}
	gv.idle = sync.NewCond(&gv.mu)
	gv.model.Store(new(string))
	return gv
}

// waitTurn blocks, with gv.mu held, until a batch of arts may start: no
// batch in flight holds one of their ids, none must be alone, and if this
// one must be alone, none is in flight.
func (gv *genVectors) waitTurn(arts []newsdex.Article, alone bool) {
	for {
		busy := gv.exclusive || alone && gv.writing > 0
		for i := 0; i < len(arts) && !busy; i++ {
			busy = gv.inflight[arts[i].ID] > 0
		}
		if !busy {
			return
		}
		gv.idle.Wait()
	}
}

// waitIdle blocks, with gv.mu held, until no batch is in flight.
func (gv *genVectors) waitIdle() {
	for gv.writing > 0 {
		gv.idle.Wait()
	}
}

// start records a batch of arts going to Bleve, with gv.mu held.
func (gv *genVectors) start(arts []newsdex.Article, alone bool) {
	if gv.writing > 0 {
		gv.overlapped = true
	}
	gv.writing++
	gv.exclusive = alone
	for i := range arts {
		gv.inflight[arts[i].ID]++
	}
}

// finish records that a batch started with start is done, with gv.mu
// held, and wakes the batches waiting for their turn.
func (gv *genVectors) finish(arts []newsdex.Article) {
	gv.writing--
	gv.exclusive = false
	for i := range arts {
		id := arts[i].ID
		if gv.inflight[id] <= 1 {
			delete(gv.inflight, id)
		} else {
			gv.inflight[id]--
		}
	}
	gv.idle.Broadcast()
}

func (gv *genVectors) modelName() string { return *gv.model.Load() }

// Vectors returns the live generation's vector store and the name of the
// model its vectors come from; the model is "" (and the store empty) when
// the generation holds no vectors, as an index built with --embed=false.
// The store follows the generation: call Vectors again after a rebuild.
func (ix *Index) Vectors() (*vector.Store, string) {
	ix.mu.RLock()
	gv := ix.vec
	ix.mu.RUnlock()
	if gv == nil {
		return vector.New(), ""
	}
	return gv.store, gv.modelName()
}

// Vectors returns the vector store of the generation being built.
func (r *Rebuild) Vectors() (*vector.Store, string) { return r.vec.store, r.vec.modelName() }

// batchModel returns the one model of the articles' embeddings ("" if none
// has any), or an error if they mix models.
func batchModel(arts []newsdex.Article) (string, error) {
	model := ""
	for i := range arts {
		em := arts[i].Embeddings
		if em == nil || em.Missing || len(em.Vectors) == 0 {
			continue
		}
		if model != "" && em.Model != model {
			return "", fmt.Errorf("index: batch mixes vectors of models %q and %q", model, em.Model)
		}
		model = em.Model
	}
	return model, nil
}

// checkModel refuses vectors of another model than those the generation
// holds: they would be compared with each other. Switching models takes a
// reindex, which starts a fresh generation.
func (gv *genVectors) checkModel(model string, dims int) error {
	cur := gv.modelName()
	if model == "" || cur == "" || cur == model {
		if sd := gv.store.Dims(); dims != 0 && sd != 0 && dims != sd {
			return fmt.Errorf("index: vectors of %d dimensions, the index holds %d", dims, sd)
		}
		return nil
	}
	if n, _ := gv.store.Len(); n == 0 {
		return nil
	}
	return fmt.Errorf("index: the index holds vectors of model %q, not %q: rebuild it with `newsdex reindex` to switch models", cur, model)
}

func seqBytes(n uint64) []byte { return binary.LittleEndian.AppendUint64(nil, n) }

// openVectors fills the vector store of a generation just opened at dir:
// from its snapshot when current, else from the stored documents.
func openVectors(ctx context.Context, bi bleve.Index, dir string) (*genVectors, error) {
	gv := newGenVectors()
	if b, err := bi.GetInternal([]byte(keyWriteSeq)); err == nil && len(b) == 8 {
		gv.seq = binary.LittleEndian.Uint64(b)
	}
	b, err := bi.GetInternal([]byte(keyVectorModel))
	if err != nil {
		return nil, fmt.Errorf("index: read vector model of %s: %w", dir, err)
	}
	model := string(b)
	gv.model.Store(&model)
	if model == "" {
		return gv, nil // built without embeddings: nothing to read
	}
	if f, err := os.Open(filepath.Join(dir, snapshotFile)); err == nil {
		st, tag, err := vector.Load(f)
		f.Close()
		if err == nil && tag == gv.seq {
			gv.store, gv.saved = st, tag
			return gv, nil
		}
	}
	if err := scanVectors(ctx, bi, gv.store); err != nil {
		return nil, fmt.Errorf("index: load vectors of %s: %w", dir, err)
	}
	return gv, nil
}

// scanVectors puts every stored document's vectors into st.
func scanVectors(ctx context.Context, bi bleve.Index, st *vector.Store) error {
	// Only the fields the store needs are decoded from the stored article.
	type slim struct {
		Published time.Time        `json:"published"`
		Outlet    string           `json:"outlet"`
		People    []newsdex.Entity `json:"people"`
		Cited     []newsdex.Entity `json:"cited"`
		Places    []newsdex.Entity `json:"places"`
		Leaders   []newsdex.Entity `json:"leaders"`
		Dup       string           `json:"duplicate_of"`
	}
	const page = 500
	var after []string
	for {
		req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), page, 0, false)
		req.Fields = []string{FieldSource, FieldVectors}
		req.SortBy([]string{"_id"})
		if after != nil {
			req.SearchAfter = after
		}
		res, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return err
		}
		docs := make([]vector.Doc, 0, len(res.Hits))
		for _, h := range res.Hits {
			blob, _ := h.Fields[FieldVectors].(string)
			if blob == "" {
				continue
			}
			p, err := vector.Decode([]byte(blob))
			if err != nil {
				return fmt.Errorf("article %q: %w", h.ID, err)
			}
			src, _ := h.Fields[FieldSource].(string)
			var s slim
			if err := json.Unmarshal([]byte(src), &s); err != nil {
				return fmt.Errorf("decode article %q: %w", h.ID, err)
			}
			a := newsdex.Article{ID: h.ID, Published: s.Published, Outlet: s.Outlet, People: s.People, Cited: s.Cited,
				Places: s.Places, Leaders: s.Leaders, DuplicateOf: s.Dup}
			d, _, _ := vectorDoc(&a)
			d.Vectors = p
			docs = append(docs, d)
		}
		if err := st.Put(docs...); err != nil {
			return err
		}
		if len(res.Hits) < page {
			return nil
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
}

// saveSnapshot writes the store of a generation at dir if it changed since
// the last snapshot. It writes a temporary file and renames it, so a crash
// leaves the old snapshot or none.
func (gv *genVectors) saveSnapshot(dir string) error {
	gv.mu.Lock()
	defer gv.mu.Unlock()
	// A batch in flight has its seq but not yet its vectors.
	gv.waitIdle()
	if n, _ := gv.store.Len(); n == 0 || gv.seq == gv.saved {
		return nil
	}
	path := filepath.Join(dir, snapshotFile)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("index: save vectors: %w", err)
	}
	err = gv.store.Save(f, gv.seq)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("index: save vectors of %s: %w", dir, err)
	}
	gv.saved = gv.seq
	return nil
}
