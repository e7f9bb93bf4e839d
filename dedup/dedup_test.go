package dedup

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixture returns the text of testdata/name.txt. The fixtures are written
// for these tests: one agency story and its variants (see testdata/README.md).
func fixture(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".txt"))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestFixtures adds the original story and then each variant on its own,
// and checks which variants are found to be copies of it.
func TestFixtures(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		dup     bool
		minSim  float64 // when dup
		maxSim  float64 // when not dup: the estimate must stay well below the threshold
	}{
		{name: "republished with new headline, byline, ads and footer", fixture: "copy", dup: true, minSim: 0.8},
		{name: "re-sent with a correction under a new id", fixture: "resend", dup: true, minSim: 0.8},
		{name: "updated: paragraph cut, two added", fixture: "update", dup: true, minSim: 0.6},
		{name: "same event, different story", fixture: "sametopic", maxSim: 0.2},
		{name: "different event", fixture: "unrelated", maxSim: 0.1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := New(Options{})
			orig := fixture(t, "original")
			if dup, _ := d.Add("original", d.Signature(orig)); dup != "" {
				t.Fatalf("Add(original) = %q, want a new group", dup)
			}
			text := fixture(t, tc.fixture)
			sig := d.Signature(text)
			exact := Jaccard(d.Shingles(orig), d.Shingles(text))
			dup, sim := d.Add(tc.fixture, sig)
			t.Logf("estimated %.2f, exact %.2f", Similarity(d.Signature(orig), sig), exact)
			switch {
			case tc.dup && (dup != "original" || sim < tc.minSim):
				t.Errorf("Add(%s) = %q, %.2f; want original, ≥ %.2f", tc.fixture, dup, sim, tc.minSim)
			case !tc.dup && dup != "":
				t.Errorf("Add(%s) = %q, %.2f; want no duplicate", tc.fixture, dup, sim)
			case !tc.dup && Similarity(d.Signature(orig), sig) > tc.maxSim:
				t.Errorf("Similarity(original, %s) = %.2f, want ≤ %.2f", tc.fixture, Similarity(d.Signature(orig), sig), tc.maxSim)
			}
		})
	}
}

// TestWireGroup adds every fixture in turn, as an indexer would, and checks
// the groups: the copies all point straight at the original.
func TestWireGroup(t *testing.T) {
	d := New(Options{})
	order := []string{"original", "sametopic", "copy", "unrelated", "resend", "update", "short"}
	got := map[string]string{}
	for _, name := range order {
		dup, _ := d.Add(name, d.Signature(fixture(t, name)))
		got[name] = dup
	}
	want := map[string]string{
		"original": "", "sametopic": "", "copy": "original", "unrelated": "",
		"resend": "original", "update": "original", "short": "",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("duplicate_of mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"original", "copy", "resend", "update"}, d.Group("original")); diff != "" {
		t.Errorf("Group(original) mismatch (-want +got):\n%s", diff)
	}
	// short.txt is below MinWords, so it is not registered at all.
	if n := d.Len(); n != 6 {
		t.Errorf("Len() = %d, want 6", n)
	}
}

func TestShortText(t *testing.T) {
	d := New(Options{})
	if sig := d.Signature(fixture(t, "short")); !sig.IsZero() {
		t.Errorf("Signature(short) = %d values, want the zero Signature", sig.Len())
	}
	if sig := d.Signature(""); !sig.IsZero() {
		t.Error("Signature(\"\") is not zero")
	}
	// With MinWords lowered the same text gets a signature.
	d = New(Options{MinWords: 10})
	if sig := d.Signature(fixture(t, "short")); sig.IsZero() {
		t.Error("Signature(short) with MinWords 10 is zero")
	}
}

// TestNormalisation checks that variants which differ only in what
// normalisation removes get the same signature as the original.
func TestNormalisation(t *testing.T) {
	d := New(Options{})
	orig := fixture(t, "original")
	want := d.Signature(orig)
	wrap := func(text string, width int) string {
		var b strings.Builder
		for _, para := range strings.Split(text, "\n\n") {
			line := 0
			for i, w := range strings.Fields(para) {
				if i > 0 && line+1+len(w) > width {
					b.WriteString("\n")
					line = 0
				} else if i > 0 {
					b.WriteString(" ")
					line++
				}
				b.WriteString(w)
				line += len(w)
			}
			b.WriteString("\n\n")
		}
		return b.String()
	}
	tests := []struct {
		name string
		text string
	}{
		{"upper case", strings.ToUpper(orig)},
		{"straight quotes and apostrophes", strings.NewReplacer("“", `"`, "”", `"`, "’", "'").Replace(orig)},
		{"punctuation", strings.NewReplacer(",", " ,", ".", "!", "—", "-").Replace(orig)},
		{"white space", strings.ReplaceAll(strings.ReplaceAll(orig, " ", "  \t"), "\n\n", "\n \n\n")},
		{"CRLF", strings.ReplaceAll(orig, "\n", "\r\n")},
		{"ad markers and footer", strings.ReplaceAll(orig, "\n\n", "\n\nADVERTISEMENT\n\n") +
			"\n\nCopyright 2020 Newswire. All rights reserved.\n\nSign up for our newsletter.\n"},
		{"byline", "By Jane Roe, Newswire\n\n" + orig},
		{"hard-wrapped at 70 columns", wrap(orig, 70)},
		{"hard-wrapped at 60 columns, indented paragraphs", strings.ReplaceAll(wrap(orig, 60), "\n\n", "\n    ")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := d.Signature(tc.text)
			if !got.Equal(want) {
				t.Errorf("signature differs from the original's: similarity %.2f", Similarity(want, got))
			}
		})
	}
}

func TestWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello world"},
		{"don't  DON’T dont", "dont dont dont"},
		{"U.S.-led $1,500", "u s led 1 500"},
		{"Éric Zemmour à Paris", "éric zemmour à paris"},
		{"ŞİŞLİ", "şişli"},
		{"", ""},
		{"— … ·", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := words(nil, tc.in)
			// The expected words are already normal: hash each on its own.
			var want []uint64
			for _, w := range strings.Fields(tc.want) {
				want = append(want, words(nil, w)...)
			}
			if !slices.Equal(got, want) {
				t.Errorf("words(%q) gives %d words, not those of %q", tc.in, len(got), tc.want)
			}
		})
	}
}

// TestReAdd: adding an id again replaces its entry and never makes it a
// duplicate of itself.
func TestReAdd(t *testing.T) {
	d := New(Options{})
	orig, cp := d.Signature(fixture(t, "original")), d.Signature(fixture(t, "copy"))
	other := d.Signature(fixture(t, "unrelated"))
	steps := []struct {
		id   string
		sig  Signature
		want string
	}{
		{"a", orig, ""},
		{"a", orig, ""},  // same signature: no-op
		{"a", cp, ""},    // changed text, still alone: no self-duplicate
		{"b", orig, "a"}, // b is a copy of a
		{"b", orig, "a"}, // same again
		{"b", other, ""}, // b's text replaced by another story
		{"c", cp, "a"},
	}
	for i, s := range steps {
		if got, _ := d.Add(s.id, s.sig); got != s.want {
			t.Errorf("step %d: Add(%s) = %q, want %q", i, s.id, got, s.want)
		}
	}
	if n := d.Len(); n != 3 {
		t.Errorf("Len() = %d, want 3", n)
	}
	if diff := cmp.Diff([]string{"a", "c"}, d.Group("a")); diff != "" {
		t.Errorf("Group(a) mismatch (-want +got):\n%s", diff)
	}
	// A zero signature removes the entry.
	d.Add("c", Signature{})
	if _, ok := d.Canonical("c"); ok {
		t.Error("c still registered after Add with the zero Signature")
	}
}

// sigFrom builds a signature from explicit values, for tests that need
// exact control over similarity.
func sigFrom(d *Detector, vals []byte) Signature {
	return Signature{shingle: uint8(d.opts.Shingle), vals: slices.Clone(vals)}
}

// TestNoChains: C is close to B but not to A; B is a copy of A. C joins A's
// group and points at A, not B.
func TestNoChains(t *testing.T) {
	d := New(Options{})
	rng := rand.New(rand.NewPCG(3, 4))
	a := make([]byte, d.k)
	for i := range a {
		a[i] = byte(rng.Uint32())
	}
	third := d.k / 3
	b := slices.Clone(a)
	for i := range third { // B shares 2/3 with A
		b[i]++
	}
	c := slices.Clone(b)
	for i := third; i < 2*third; i++ { // C shares 2/3 with B, 1/3 with A
		c[i]++
	}
	if s := similarity(a, c); s >= d.opts.Threshold {
		t.Fatalf("bad test: A~C %.2f", s)
	}
	for _, s := range []struct {
		id   string
		vals []byte
		want string
	}{{"A", a, ""}, {"B", b, "A"}, {"C", c, "A"}} {
		if got, sim := d.Add(s.id, sigFrom(d, s.vals)); got != s.want {
			t.Errorf("Add(%s) = %q, %.2f; want %q", s.id, got, sim, s.want)
		}
	}
}

func TestRemove(t *testing.T) {
	d := New(Options{})
	orig := d.Signature(fixture(t, "original"))
	for _, id := range []string{"a", "b", "c", "d"} {
		d.Add(id, orig)
	}
	// Removing a member changes nobody's canonical.
	if got := d.Remove("c"); got != nil {
		t.Errorf("Remove(c) = %v, want nil", got)
	}
	// Removing the canonical promotes the earliest remaining member.
	want := []Change{{ID: "b"}, {ID: "d", DupOf: "b"}}
	if diff := cmp.Diff(want, d.Remove("a")); diff != "" {
		t.Errorf("Remove(a) mismatch (-want +got):\n%s", diff)
	}
	if got, _ := d.Add("e", orig); got != "b" {
		t.Errorf("Add(e) after removing a = %q, want b", got)
	}
	if got := d.Remove("nope"); got != nil {
		t.Errorf("Remove(unknown) = %v, want nil", got)
	}
	if diff := cmp.Diff([]string{"b", "d", "e"}, d.Group("b")); diff != "" {
		t.Errorf("Group(b) mismatch (-want +got):\n%s", diff)
	}
	for _, id := range []string{"b", "d", "e"} {
		d.Remove(id)
	}
	if n := d.Len(); n != 0 {
		t.Errorf("Len() = %d after removing everything", n)
	}
	// Slots are reused and the index is clean: a fresh add is canonical.
	if got, _ := d.Add("f", orig); got != "" {
		t.Errorf("Add(f) into an emptied detector = %q, want \"\"", got)
	}
}

// TestRestore rebuilds a detector from what an index would store and checks
// it answers as the original did.
func TestRestore(t *testing.T) {
	d := New(Options{})
	type stored struct {
		id, dupOf string
		sig       []byte
	}
	var saved []stored
	for _, name := range []string{"original", "sametopic", "copy", "unrelated", "resend", "update"} {
		sig := d.Signature(fixture(t, name))
		dup, _ := d.Add(name, sig)
		b, err := sig.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, stored{name, dup, b})
	}
	// Canonicals first, as Restore asks.
	slices.SortStableFunc(saved, func(a, b stored) int {
		return strings.Compare(min(a.dupOf, "x"), min(b.dupOf, "x")) // "" sorts first
	})
	r := New(Options{})
	for _, s := range saved {
		var sig Signature
		if err := sig.UnmarshalBinary(s.sig); err != nil {
			t.Fatal(err)
		}
		if !r.Restore(s.id, sig, s.dupOf) {
			t.Errorf("Restore(%s, %q) = false", s.id, s.dupOf)
		}
	}
	if diff := cmp.Diff(d.Group("original"), r.Group("original")); diff != "" {
		t.Errorf("restored group mismatch (-want +got):\n%s", diff)
	}
	if got, _ := r.Add("again", d.Signature(fixture(t, "copy"))); got != "original" {
		t.Errorf("Add(copy) to the restored detector = %q, want original", got)
	}
	if r.Restore("orphan", d.Signature(fixture(t, "copy")), "missing") {
		t.Error("Restore with an unknown dupOf = true")
	}
	if dup, _ := r.Canonical("orphan"); dup != "" {
		t.Errorf("orphan restored with canonical %q, want itself", dup)
	}
}

func TestMarshalBinary(t *testing.T) {
	d := New(Options{})
	sig := d.Signature(fixture(t, "original"))
	b, err := sig.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != sigHeader+DefaultBands*DefaultRows {
		t.Errorf("encoded length %d, want %d", len(b), sigHeader+DefaultBands*DefaultRows)
	}
	var got Signature
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(sig) {
		t.Error("round trip changed the signature")
	}
	zero, err := Signature{}.MarshalBinary()
	if err != nil || zero != nil {
		t.Errorf("zero Signature encodes as %v, %v; want nil, nil", zero, err)
	}
	bad := map[string][]byte{
		"short":         {1, 5},
		"wrong version": append([]byte{99}, b[1:]...),
		"truncated":     b[:len(b)-1],
		"no values":     {1, 5, 0, 0},
		"shingle 0":     append([]byte{1, 0}, b[2:]...),
	}
	for name, data := range bad {
		if err := got.UnmarshalBinary(data); !errors.Is(err, ErrSignature) {
			t.Errorf("UnmarshalBinary(%s) = %v, want ErrSignature", name, err)
		}
	}
}

// TestIncompatible: a signature from other Options is not registered.
func TestIncompatible(t *testing.T) {
	d := New(Options{})
	other := New(Options{Bands: 8, Rows: 4})
	if dup, _ := d.Add("x", other.Signature(fixture(t, "original"))); dup != "" || d.Len() != 0 {
		t.Errorf("Add(incompatible) = %q with Len %d, want nothing registered", dup, d.Len())
	}
	if s := Similarity(d.Signature(fixture(t, "original")), other.Signature(fixture(t, "original"))); s != 0 {
		t.Errorf("Similarity across options = %.2f, want 0", s)
	}
}

// TestManyCopies adds many identical copies: all point at the first, and
// removing the first promotes the second.
func TestManyCopies(t *testing.T) {
	d := New(Options{})
	sig := d.Signature(fixture(t, "original"))
	const n = 500
	for i := range n {
		want := "0"
		if i == 0 {
			want = ""
		}
		if got, _ := d.Add(strconv.Itoa(i), sig); got != want {
			t.Fatalf("Add(%d) = %q, want %q", i, got, want)
		}
	}
	if got := d.Remove("0"); len(got) != n-1 || got[0] != (Change{ID: "1"}) {
		t.Errorf("Remove(0) returned %d changes starting %v", len(got), got[:min(1, len(got))])
	}
	if got, _ := d.Add("new", sig); got != "1" {
		t.Errorf("Add(new) = %q, want 1", got)
	}
}

// TestConcurrent runs Signature, Add, Remove and the readers from several
// goroutines; run it with -race.
func TestConcurrent(t *testing.T) {
	d := New(Options{})
	texts := []string{fixture(t, "original"), fixture(t, "copy"), fixture(t, "sametopic"), fixture(t, "unrelated")}
	class := []int{0, 0, 1, 2} // original and copy are one story
	var storyOf sync.Map       // id → story
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				id := strconv.Itoa(g*1000 + i)
				ti := (g + i) % len(texts)
				storyOf.Store(id, class[ti])
				d.Add(id, d.Signature(texts[ti]))
				d.Canonical(id)
				if i%3 == 0 {
					d.Remove(id)
				}
			}
		})
	}
	wg.Wait()
	// Whatever the interleaving, each story forms exactly one group.
	stories := map[int]int{}
	d.Groups(func(ids []string) bool {
		first, _ := storyOf.Load(ids[0])
		for _, id := range ids {
			if s, _ := storyOf.Load(id); s != first {
				t.Errorf("group %v mixes stories", ids)
				break
			}
		}
		stories[first.(int)]++
		return true
	})
	if diff := cmp.Diff(map[int]int{0: 1, 1: 1, 2: 1}, stories); diff != "" {
		t.Errorf("groups per story mismatch (-want +got):\n%s", diff)
	}
}

// TestTable checks the open-addressing multimap against a map under random
// inserts and removals, with keys chosen to collide often.
func TestTable(t *testing.T) {
	keys := map[uint32]uint64{} // cell → key
	tb := table{keyOf: func(c uint32) uint64 { return keys[c] }}
	model := map[uint64]map[uint32]bool{}
	rng := rand.New(rand.NewPCG(5, 6))
	next := uint32(1)
	const steps = 8000
	for step := range steps {
		if rng.IntN(3) > 0 || len(keys) == 0 {
			k := uint64(rng.IntN(50)) * 0x9e3779b97f4a7c15 // few keys: long runs
			keys[next] = k
			if tb.insert(next, k, 0) {
				if model[k] == nil {
					model[k] = map[uint32]bool{}
				}
				model[k][next] = true
			}
			next++
		} else {
			for c, k := range keys { // an arbitrary cell
				tb.remove(c, k)
				delete(model[k], c)
				delete(keys, c)
				break
			}
		}
		if step%1000 == 0 || step == steps-1 {
			for k, cells := range model {
				got := map[uint32]bool{}
				tb.each(k, func(c uint32) bool { got[c] = true; return true })
				if diff := cmp.Diff(cells, got); len(cells)+len(got) > 0 && diff != "" {
					t.Fatalf("step %d, key %x: cells mismatch (-want +got):\n%s", step, k, diff)
				}
			}
		}
	}
	if tb.n != len(keys) {
		t.Errorf("table holds %d cells, want %d", tb.n, len(keys))
	}
}

// TestMemory measures the detector's heap per registered article, ids
// excluded (they are the caller's size).
func TestMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("measures memory; slow under -race and -short")
	}
	const n = 50_000
	rng := rand.New(rand.NewPCG(7, 8))
	d := New(Options{})
	sigs := make([]Signature, n)
	ids := make([]string, n)
	idBytes := 0
	for i := range sigs {
		sigs[i] = randomSig(d, rng)
		ids[i] = strconv.Itoa(1_000_000 + i)
		idBytes += len(ids[i])
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range sigs {
		d.Add(ids[i], sigs[i])
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (float64(after.HeapAlloc) - float64(before.HeapAlloc) - float64(idBytes)) / n
	t.Logf("%.0f bytes per article besides the id (Bands×Rows = %d)", per, d.k)
	if per > 300 {
		t.Errorf("%.0f bytes per article, want ≤ 300", per)
	}
	runtime.KeepAlive(sigs)
}
