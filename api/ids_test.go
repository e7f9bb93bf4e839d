package api

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/chunk"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/search"
)

// encodeURIComponent escapes s as the page's JavaScript does
// (state.js, article.js, search.js).
func encodeURIComponent(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// bowWriter indexes like indexWriter and gives every passage a
// bag-of-words vector, so that more-like-this has vectors to compare
// without a model.
type bowWriter struct{ ix *index.Index }

func (w *bowWriter) Put(ctx context.Context, arts []newsdex.Article) (int, error) {
	for i := range arts {
		a := &arts[i]
		a.Passages = chunk.Split(a.Body, chunk.Options{})
		em := &newsdex.Embeddings{Model: "test-bag-of-words"}
		for _, p := range a.Passages {
			em.Vectors = append(em.Vectors, bagOfWords(a.Body[p.Start:p.End]))
		}
		a.Embeddings = em
	}
	if err := w.ix.Add(ctx, arts); err != nil {
		return 0, err
	}
	return len(arts), nil
}

func (w *bowWriter) Delete(ctx context.Context, ids ...string) (int, error) {
	return w.ix.Delete(ctx, ids...)
}

// bagOfWords hashes the words of 4 letters or more of text into an
// L2-normalised 64-dimensional vector.
func bagOfWords(text string) []float32 {
	v := make([]float32, 64)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len(w) >= 4 {
			h := fnv.New32a()
			h.Write([]byte(w))
			v[h.Sum32()%64]++
		}
	}
	var n float64
	for _, x := range v {
		n += float64(x * x)
	}
	if n == 0 {
		v[0], n = 1, 1
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(n))
	}
	return v
}

// TestWikinewsIDsRoundTrip: Wikinews articles indexed from a file with
// their URL as id (slashes, "//", "%C4%87", "$", ":", ";", ",") are read
// back through every route that names an id, with the id escaped as the
// page escapes it (encodeURIComponent) or as Go's url.PathEscape does;
// deleted and posted again through the API, they still are.
func TestWikinewsIDsRoundTrip(t *testing.T) {
	ctx := context.Background()
	f, err := os.Open(filepath.Join("testdata", "wikinews", "articles.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var arts []newsdex.Article
	err = ingest.Read(ctx, f, "articles.jsonl", ingest.Options{},
		func(a newsdex.Article) error { arts = append(arts, a); return nil },
		func(re *ingest.RecordError) { t.Errorf("ingest skipped %v", re) })
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range arts {
		ids = append(ids, a.ID)
	}
	if len(ids) < 5 || !strings.Contains(strings.Join(ids, " "), "A/S") {
		t.Fatalf("fixture ids %q: want the Wikinews URLs, one with a slash in its title", ids)
	}

	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	eng, err := search.New(ix, search.WithoutResultCache())
	if err != nil {
		t.Fatal(err)
	}
	w := &bowWriter{ix: ix}
	if _, err := w.Put(ctx, arts); err != nil {
		t.Fatal(err)
	}
	hz := newHarness(t, eng, Options{Writer: w, APIKeys: []string{testKey}})

	escapes := []struct {
		name   string
		escape func(string) string
	}{{"encodeURIComponent", encodeURIComponent}, {"PathEscape", url.PathEscape}}
	for _, id := range ids {
		for _, esc := range escapes {
			t.Run(esc.name+"/"+id, func(t *testing.T) {
				p := esc.escape(id)
				rec := hz.get("/v1/articles/" + p)
				if rec.Code != http.StatusOK {
					t.Fatalf("GET /v1/articles/%s: %d %s", p, rec.Code, rec.Body)
				}
				if a := decode[ArticleView](t, rec); a.ID != id || a.URL != id {
					t.Errorf("GET /v1/articles/%s: id %q url %q, want %q", p, a.ID, a.URL, id)
				}
				rec = hz.get("/v1/articles/" + p + "/similar?size=3")
				if rec.Code != http.StatusOK {
					t.Fatalf("GET /v1/articles/%s/similar: %d %s", p, rec.Code, rec.Body)
				}
				res := decode[search.Results](t, rec)
				if len(res.Hits) == 0 {
					t.Errorf("GET /v1/articles/%s/similar: no hits", p)
				}
				for _, h := range res.Hits {
					if h.ID == id {
						t.Errorf("GET /v1/articles/%s/similar: the article itself is a hit", p)
					}
				}
				if rec := hz.get("/article/" + p); rec.Code != http.StatusOK {
					t.Errorf("GET /article/%s (the page): %d", p, rec.Code)
				}
			})
		}
	}

	// Delete and post take the same ids.
	p := encodeURIComponent(ids[0])
	rec := hz.do(withKey(httptest.NewRequest(http.MethodDelete, "/v1/articles/"+p, nil)))
	if rec.Code != http.StatusOK || decode[DeleteResponse](t, rec).Deleted != 1 {
		t.Fatalf("DELETE /v1/articles/%s: %d %s", p, rec.Code, rec.Body)
	}
	if rec := hz.get("/v1/articles/" + p); rec.Code != http.StatusNotFound {
		t.Errorf("GET after delete: %d, want 404", rec.Code)
	}
	post, err := json.Marshal(articleView(arts[0]))
	if err != nil {
		t.Fatal(err)
	}
	rec = hz.do(withKey(jsonReq(http.MethodPost, "/v1/articles", string(post))))
	if rec.Code != http.StatusOK || strings.Join(decode[PutResponse](t, rec).IDs, "") != ids[0] {
		t.Fatalf("POST /v1/articles with id %q: %d %s", ids[0], rec.Code, rec.Body)
	}
	if rec := hz.get("/v1/articles/" + p); rec.Code != http.StatusOK {
		t.Errorf("GET after post: %d %s", rec.Code, rec.Body)
	}
}
