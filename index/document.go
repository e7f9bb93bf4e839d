package index

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	blevedoc "github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/vector"
)

// mapDocument maps data to a Bleve document as Batch.Index would, then
// stores the doc values of its keyword fields one document per chunk,
// uncompressed. A search visits the doc values of every hit for its
// facets, and decompressing a whole 1,024-document chunk (Snappy) per
// facet field to read one hit's values cost much of a search over many
// hits (docs/MEASUREMENTS.md, "Doc values"); now they are read in place
// from the memory-mapped segment, and a hit's chunk is found without a
// search.
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

// normalise lowercases a filter value the way the filter fields are indexed.
func normalise(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// FilterValue returns v as stored in the lowercase filter fields.
func FilterValue(v string) string { return normalise(v) }
