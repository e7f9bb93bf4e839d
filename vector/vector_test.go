package vector

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// randomUnit returns a random unit vector.
func randomUnit(r *rand.Rand, d int) []float32 {
	v := make([]float32, d)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return Normalize(v)
}

// near returns a unit vector at about cosine c from v.
func near(r *rand.Rand, v []float32, noise float64) []float32 {
	out := make([]float32, len(v))
	for i := range v {
		out[i] = v[i] + float32(noise*r.NormFloat64()/math.Sqrt(float64(len(v))))
	}
	return Normalize(out)
}

func mustPack(t testing.TB, vecs ...[]float32) Packed {
	t.Helper()
	p, err := Pack(vecs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func hitIDs(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func TestStoreSearchFilters(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	const d = 64
	q := randomUnit(r, d)
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	s := New()
	// a: best passage is the 2nd and very close; b: medium; c: far.
	err := s.Put(
		Doc{ID: "a", Labels: []string{"person\x00xi", "outlet\x00tass"}, Time: day("2025-05-08"),
			Vectors: mustPack(t, randomUnit(r, d), near(r, q, 0.1))},
		Doc{ID: "b", Labels: []string{"person\x00putin"}, Time: day("2025-05-09"), Vectors: mustPack(t, near(r, q, 1))},
		Doc{ID: "c", Labels: []string{"person\x00xi", "person\x00putin"}, Vectors: mustPack(t, randomUnit(r, d))},
	)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    Filter
		k    int
		min  float32
		want []string
	}{
		{"all", Filter{}, 10, -2, []string{"a", "b", "c"}},
		{"k", Filter{}, 2, -2, []string{"a", "b"}},
		{"floor", Filter{}, 10, 0.5, []string{"a", "b"}},
		{"label", Filter{Groups: [][]string{{"person\x00xi"}}}, 10, -2, []string{"a", "c"}},
		{"or within group", Filter{Groups: [][]string{{"person\x00putin", "outlet\x00tass"}}}, 10, -2, []string{"a", "b", "c"}},
		{"and across groups", Filter{Groups: [][]string{{"person\x00putin"}, {"person\x00xi"}}}, 10, -2, []string{"c"}},
		{"unknown label", Filter{Groups: [][]string{{"person\x00nobody"}}}, 10, -2, nil},
		{"from", Filter{From: day("2025-05-09")}, 10, -2, []string{"b"}},
		{"to exclusive", Filter{To: day("2025-05-09")}, 10, -2, []string{"a"}},
		{"undated fails ranges", Filter{From: day("1900-01-01")}, 10, -2, []string{"a", "b"}},
		{"ids", Filter{IDs: []string{"c", "b", "zz"}}, 10, -2, []string{"b", "c"}},
		{"no ids", Filter{IDs: []string{}}, 10, -2, nil},
		{"exclude", Filter{Exclude: []string{"a"}}, 10, -2, []string{"b", "c"}},
		{"without", Filter{Without: []string{"outlet\x00tass", "nobody"}}, 10, -2, []string{"b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, err := s.Search(Query{Vector: q, K: tt.k, MinScore: tt.min, Filter: tt.f})
			if err != nil {
				t.Fatal(err)
			}
			if got := hitIDs(hs); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	hs, _ := s.Search(Query{Vector: q, K: 1, MinScore: -2})
	if hs[0].Passage != 1 || hs[0].Score < 0.9 {
		t.Errorf("best hit %+v, want passage 1 with score > 0.9", hs[0])
	}
	if _, err := s.Search(Query{Vector: q[:10], K: 1}); err == nil {
		t.Error("a query of the wrong length must fail")
	}
	if err := s.Put(Doc{ID: "x", Vectors: mustPack(t, randomUnit(r, 32))}); err == nil {
		t.Error("vectors of another length must be refused")
	}
}

func TestStoreReplaceDeleteCompact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 9))
	const d = 32
	s := New()
	q := randomUnit(r, d)
	// Replace each doc many times: compaction must keep exactly the last.
	for round := range 6 {
		var docs []Doc
		for i := range 1000 {
			v := randomUnit(r, d)
			if i == 17 && round == 5 {
				v = q
			}
			docs = append(docs, Doc{ID: fmt.Sprint(i), Vectors: mustPack(t, v, randomUnit(r, d))})
		}
		if err := s.Put(docs...); err != nil {
			t.Fatal(err)
		}
	}
	if n, v := s.Len(); n != 1000 || v != 2000 {
		t.Fatalf("Len = %d docs, %d vectors; want 1000, 2000", n, v)
	}
	if len(s.scales) > 2000*5/4+4096 {
		t.Errorf("store holds %d vector rows for 2000 live: not compacted", len(s.scales))
	}
	hs, _ := s.Search(Query{Vector: q, K: 1, MinScore: -2})
	if len(hs) != 1 || hs[0].ID != "17" || hs[0].Score < 0.99 {
		t.Fatalf("after replacing, top hit %+v, want 17", hs)
	}
	s.Delete("17", "nope")
	hs, _ = s.Search(Query{Vector: q, K: 1, MinScore: -2})
	if hs[0].ID == "17" {
		t.Fatal("deleted doc still found")
	}
	if _, ok := s.Get("17"); ok {
		t.Fatal("deleted doc still in Get")
	}
	// A doc put without vectors leaves the store.
	_ = s.Put(Doc{ID: "18"})
	if _, ok := s.Get("18"); ok {
		t.Fatal("doc replaced without vectors still present")
	}
}

func TestPackEncodeDecode(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	v1, v2 := randomUnit(r, 512), randomUnit(r, 512)
	p, err := Pack([][]float32{v1, v2}, []uint64{Hash("a"), Hash("b")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 5+2*(12+512) {
		t.Errorf("blob is %d bytes", len(b))
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dims != 512 || got.Len() != 2 || got.Hashes[1] != Hash("b") || !slices.Equal(got.Data, p.Data) {
		t.Fatalf("round trip changed the vectors")
	}
	// Dequantised vectors are within half a step of the originals, and
	// quantising them again gives the same int8 (the cache relies on it).
	f := got.Float(0)
	for i := range f {
		if math.Abs(float64(f[i]-v1[i])) > float64(got.Scales[0])/2+1e-7 {
			t.Fatalf("component %d: %g vs %g", i, f[i], v1[i])
		}
	}
	again, _ := Pack([][]float32{f}, nil)
	if !slices.Equal(again.Data, got.Data[:512]) {
		t.Error("requantising a dequantised vector changed it")
	}
	for _, bad := range [][]byte{nil, {2, 0, 0, 0, 0}, b[:len(b)-1], append(slices.Clone(b), 0)} {
		if _, err := Decode(bad); !errors.Is(err, ErrBadBlob) {
			t.Errorf("Decode(%d bytes) = %v, want ErrBadBlob", len(bad), err)
		}
	}
	if _, err := Pack([][]float32{v1, v2[:3]}, nil); err == nil {
		t.Error("mixed lengths must fail")
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	s := New()
	for i := range 50 {
		_ = s.Put(Doc{ID: fmt.Sprint("d", i), Labels: []string{fmt.Sprint("l", i%3)}, Time: time.Unix(int64(i)*86400, 0),
			Vectors: mustPack(t, randomUnit(r, 64), randomUnit(r, 64))})
	}
	s.Delete("d3")
	var buf bytes.Buffer
	if err := s.Save(&buf, 42); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	got, tag, err := Load(bytes.NewReader(full))
	if err != nil || tag != 42 {
		t.Fatalf("Load: tag %d, %v", tag, err)
	}
	q := randomUnit(r, 64)
	f := Filter{Groups: [][]string{{"l1"}}, From: time.Unix(10*86400, 0)}
	want, _ := s.Search(Query{Vector: q, K: 5, MinScore: -2, Filter: f})
	have, _ := got.Search(Query{Vector: q, K: 5, MinScore: -2, Filter: f})
	if !slices.Equal(want, have) {
		t.Errorf("loaded store answers %v, want %v", have, want)
	}
	for _, n := range []int{0, 7, 20, len(full) / 2, len(full) - 1} {
		if _, _, err := Load(bytes.NewReader(full[:n])); !errors.Is(err, ErrBadSnapshot) {
			t.Errorf("Load of %d bytes: %v, want ErrBadSnapshot", n, err)
		}
	}
}

// TestRecallInt8 measures recall@10 of the int8 search against exact
// float32 search, on clustered vectors like those of news passages (many
// near neighbours with close scores: the hard case for quantisation).
func TestRecallInt8(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const d, n, queries = 512, 4000, 40
	centres := make([][]float32, 200)
	for i := range centres {
		centres[i] = randomUnit(r, d)
	}
	vecs := make([][]float32, n)
	s := New()
	docs := make([]Doc, n)
	for i := range vecs {
		vecs[i] = near(r, centres[r.IntN(len(centres))], 1.2)
		docs[i] = Doc{ID: fmt.Sprintf("%05d", i), Vectors: mustPack(t, vecs[i])}
	}
	if err := s.Put(docs...); err != nil {
		t.Fatal(err)
	}
	found, total := 0, 0
	for range queries {
		q := near(r, centres[r.IntN(len(centres))], 1.2)
		exact := make([]Hit, n)
		for i, v := range vecs {
			var dot float64
			for j := range v {
				dot += float64(v[j]) * float64(q[j])
			}
			exact[i] = Hit{ID: docs[i].ID, Score: float32(dot)}
		}
		sortHits(exact)
		want := map[string]bool{}
		for _, h := range exact[:10] {
			want[h.ID] = true
		}
		hs, _ := s.Search(Query{Vector: q, K: 10, MinScore: -2})
		for _, h := range hs {
			if want[h.ID] {
				found++
			}
		}
		total += 10
	}
	recall := float64(found) / float64(total)
	t.Logf("recall@10 int8 vs float32: %.4f", recall)
	if recall < 0.99 {
		t.Errorf("recall@10 %.4f < 0.99", recall)
	}
}
