package search

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/chunk"
)

// TestDecodeHitMatchesArticle: the hit-only decoding gives the same hit
// and passages as decoding the whole stored article.
func TestDecodeHitMatchesArticle(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "chunk", "testdata", "wikinews-youth-suicide.txt"))
	if err != nil {
		t.Fatal(err)
	}
	full := newsdex.Article{
		ID: "w1", Title: "Youth \"suicide\"", URL: "https://example.org/a", Outlet: "Wikinews",
		Published: time.Date(2019, 5, 8, 10, 0, 0, 0, time.UTC), Authors: []string{"A. Writer"},
		Body: string(raw), RawBody: "raw " + string(raw), Language: "en", Dateline: "Sydney",
		People:  []newsdex.Entity{{Name: "Jane Doe", Count: 3, First: 10}},
		Cited:   []newsdex.Entity{{Name: "John Roe", Count: 1, First: 40}},
		Places:  []newsdex.Entity{{Name: "Australia", Count: 2, First: -1}},
		Leaders: []newsdex.Entity{{Name: "Scott Morrison", Count: 1, First: 5, Office: "Prime Minister of Australia"}},
		Roles:   []string{"prime minister"}, Labels: map[string][]string{"topics": {"health"}},
		Source: "x.jsonl", DuplicateOf: "w0", DupSignature: []byte{1, 2, 3},
	}
	full.Passages = chunk.Split(full.Body, chunk.Options{})
	for _, tc := range []struct {
		name string
		a    newsdex.Article
	}{
		{"full", full},
		{"bare", newsdex.Article{ID: "w2", Title: "t", Body: "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := json.Marshal(&tc.a)
			if err != nil {
				t.Fatal(err)
			}
			want, err := decodeArticle(tc.a.ID, src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeHit(tc.a.ID, src)
			if err != nil {
				t.Fatal(err)
			}
			if w, g := hitOf(&want, 1), hitOf(&got, 1); !reflect.DeepEqual(w, g) {
				t.Errorf("hit = %+v, want %+v", g, w)
			}
			if !reflect.DeepEqual(got.Passages, want.Passages) || got.Body != want.Body || got.Title != want.Title {
				t.Error("passages, body or title differ")
			}
		})
	}
	if _, err := decodeHit("bad", []byte("{")); err == nil {
		t.Error("decodeHit of bad JSON: no error")
	}
}

func BenchmarkDecodeHit(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "chunk", "testdata", "wikinews-youth-suicide.txt"))
	if err != nil {
		b.Fatal(err)
	}
	a := newsdex.Article{ID: "w", Title: "Youth suicide", Body: string(raw), RawBody: string(raw),
		People: []newsdex.Entity{{Name: "Jane Doe", Count: 3, First: 10}}}
	a.Passages = chunk.Split(a.Body, chunk.Options{})
	src, err := json.Marshal(&a)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		fn   func(string, []byte) (newsdex.Article, error)
	}{{"article", decodeArticle}, {"hit", decodeHit}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := bc.fn(a.ID, src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
