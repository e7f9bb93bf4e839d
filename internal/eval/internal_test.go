package eval

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/newsdex/newsdex"
)

// countingModel returns a vector derived from each text's length and
// counts the texts it embedded.
type countingModel struct{ n int }

func (m *countingModel) Name() string { return "test/model:1" }

func (m *countingModel) Embed(_ context.Context, texts []string) ([][]float32, error) {
	m.n += len(texts)
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = []float32{float32(len(t)), 1, -2.5}
	}
	return out, nil
}

func TestCachedEmbedder(t *testing.T) {
	ctx := context.Background()
	texts := []string{"a", "bb", "ccc", "dddd"}
	tests := []struct {
		name string
		// damage changes the file between the first and the second open.
		damage func(t *testing.T, path string)
		// want is how many texts the model embeds in the second run.
		want int
	}{
		{"intact", func(*testing.T, string) {}, 0},
		{"torn tail", func(t *testing.T, path string) {
			// An interrupted append leaves half a record.
			st, _ := os.Stat(path)
			if err := os.Truncate(path, st.Size()-7); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"corrupt middle record", func(t *testing.T, path string) {
			b, _ := os.ReadFile(path)
			rec := len(b) / len(texts)
			b[rec+10] ^= 0xff // the second record's checksum fails
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"garbage appended", func(t *testing.T, path string) {
			f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte("NDEV\x01\x02 not a record"))
			f.Close()
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			m := &countingModel{}
			c, err := OpenCache(dir, m)
			if err != nil {
				t.Fatal(err)
			}
			first, err := c.Embed(ctx, texts)
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
			if m.n != len(texts) {
				t.Fatalf("first run embedded %d texts, want %d", m.n, len(texts))
			}
			tc.damage(t, c.Path())

			m2 := &countingModel{}
			c2, err := OpenCache(dir, m2)
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close()
			again, err := c2.Embed(ctx, texts)
			if err != nil {
				t.Fatal(err)
			}
			if m2.n != tc.want {
				t.Errorf("second run embedded %d texts, want %d", m2.n, tc.want)
			}
			for i := range texts {
				if !slices.Equal(first[i], again[i]) {
					t.Errorf("text %q: cached %v, want %v", texts[i], again[i], first[i])
				}
			}
			if got := c2.Hits.Load(); got != int64(len(texts)-tc.want) {
				t.Errorf("hits %d, want %d", got, len(texts)-tc.want)
			}
			c2.Close()
			// What the second run re-embedded was appended after the
			// damage and is found by a third.
			m3 := &countingModel{}
			c3, err := OpenCache(dir, m3)
			if err != nil {
				t.Fatal(err)
			}
			defer c3.Close()
			if _, err := c3.Embed(ctx, texts); err != nil || m3.n != 0 {
				t.Errorf("third run embedded %d texts (err %v), want 0", m3.n, err)
			}
		})
	}
}

func TestParsePeer(t *testing.T) {
	out := []byte("warming up\n{\"ndcg@10\": 0.6771, \"map\": 0.6205, \"mrr@10\": 0.7289, \"p@10\": 0.2646, \"recall@k\": 0.853, \"system\": \"sqlite-fts5-bm25\", \"queries_judged\": 82, \"k\": 100, \"fields\": [\"body\"]}\n")
	got, err := parsePeer(out)
	if err != nil {
		t.Fatal(err)
	}
	want := Scores{Queries: 82, NDCG10: 0.6771, MAP: 0.6205, MRR10: 0.7289, P10: 0.2646, Recall100: 0.853}
	if got != want {
		t.Errorf("parsePeer = %+v, want %+v", got, want)
	}
	if _, err := parsePeer([]byte("Traceback ...\n")); err == nil {
		t.Error("parsePeer accepted a line without figures")
	}
}

func TestSample(t *testing.T) {
	items := make([]int, 1000)
	for i := range items {
		items[i] = i
	}
	a, b := Sample(items, 10, 7), Sample(items, 10, 7)
	if !slices.Equal(a, b) || len(a) != 10 || !slices.IsSorted(a) {
		t.Errorf("Sample(…, 10, 7) = %v then %v: want the same 10 items in order", a, b)
	}
	if slices.Equal(a, Sample(items, 10, 8)) {
		t.Error("seeds 7 and 8 drew the same sample")
	}
	if got := Sample(items[:5], 10, 7); len(got) != 5 {
		t.Errorf("Sample of 5 items for 10 = %d items", len(got))
	}
}

func TestUntitled(t *testing.T) {
	tests := []struct{ title, body, want string }{
		{"Storm hits coast", "Storm hits coast\n\nA storm hit the coast.", "A storm hit the coast."},
		{"Storm hits coast", "STORM HITS COAST A storm.", "A storm."},
		{"Storm hits coast", "A storm hit the coast.", "A storm hit the coast."},
		{"", "Body.", "Body."},
	}
	for _, tc := range tests {
		a := untitled(newsdex.Article{Title: tc.title, Body: tc.body})
		if a.Title != "" || a.Body != tc.want {
			t.Errorf("untitled(%q, %q) = %q, %q; want \"\", %q", tc.title, tc.body, a.Title, a.Body, tc.want)
		}
	}
}

func TestLoadParaphraseQueries(t *testing.T) {
	base := `[{"query": "a leader travels", "target": "wikinews-2019-000"}]`
	tests := []struct {
		name, jsonl string // "" = no queries.jsonl
		wantIDs     []string
		wantErr     string
	}{
		{"json only", "", []string{"p001"}, ""},
		{"both", `{"qid": "w001", "query": "a fire in a port", "target": "wikinews-2020-010"}` + "\n\n" +
			`{"qid": "w002", "query": "a vote", "target": "wikinews-2020-011"}`, []string{"p001", "w001", "w002"}, ""},
		{"duplicate qid", `{"qid": "p001", "query": "x", "target": "y"}`, nil, "used twice"},
		{"missing target", `{"qid": "w001", "query": "x"}`, nil, "want qid, query and target"},
		{"bad json", `{"qid": `, nil, "queries.jsonl:1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := t.TempDir()
			write := func(rel, text string) {
				p := filepath.Join(repo, rel)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write(paraphraseQueriesJSON, base)
			if tc.jsonl != "" {
				write(paraphraseQueriesJSONL, tc.jsonl)
			}
			qs, err := LoadParaphraseQueries(repo)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, q := range qs {
				ids = append(ids, q.ID)
				if len(q.Relevant) != 1 || q.Text == "" {
					t.Errorf("query %s: text %q relevant %v", q.ID, q.Text, q.Relevant)
				}
			}
			if !slices.Equal(ids, tc.wantIDs) {
				t.Errorf("ids %v, want %v", ids, tc.wantIDs)
			}
		})
	}
}
