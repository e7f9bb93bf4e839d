// Package boiler removes boilerplate from article bodies before they are
// extracted, chunked and indexed: the stage between ingest and extract.
//
// Boilerplate is text that is not the story: advertisement markers,
// newsletter and subscription promos, share bars, author bios, "related"
// lists and The Hill's inline hover cards, which follow a linked name with
// the person's full name and their latest headlines ("Sen. Elizabeth
// WarrenElizabeth Ann Warren2020 Democrats push for gun control action ...
// MORE (D-Mass.)"). Left in, it is searched, shown in snippets and read by
// the extractor, which then counts the people of the headlines for the
// article.
//
// Two kinds of rule find it:
//
//   - Patterns that need no statistics: a line that is only an
//     advertisement marker ("ADVERTISEMENT", "Advertisement", "AD"), and a
//     hover card (a name, the same name again in full, then text up to a
//     "MORE" that is not shouted prose).
//   - Document frequency per outlet: text that recurs verbatim in at least
//     MinDocs distinct articles of the same outlet is not story text. A
//     Model learns, streaming over an import, how many articles of each
//     outlet hold each whole line and each run of Shingle words (hashed into
//     a count-min sketch of bounded size), and then removes whole lines that
//     recur and runs of at least MinRun words covered by recurring shingles.
//     Shorter recurring runs inside a paragraph are kept: they are mostly
//     set phrases of the outlet's style ("Senate Majority Leader Mitch
//     McConnell, Kentucky Republican,"), not boilerplate.
//
// Clean replaces Article.Body with the cleaned text and keeps the text as
// read in Article.RawBody, set only when something was removed, for audit;
// Body (and so search, snippets, passages and entities) never holds the
// removed text.
package boiler

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsdex/newsdex"
)

// Defaults of Options, chosen by measurement on the AllSides corpus (see
// docs/boilerplate-check.md).
const (
	// DefaultShingle words make a shingle: long enough that a recurring
	// shingle is rarely a common phrase, short enough to catch promos.
	DefaultShingle = 8
	// DefaultMinDocs distinct articles of an outlet make a line or shingle
	// recurring. With 3 a story followed up twice with a repeated
	// paragraph would lose it; above 5 small outlets keep their promos.
	DefaultMinDocs = 4
	// DefaultMinRun words is the shortest recurring run removed from
	// inside a paragraph: on AllSides, runs of 20 words or more are almost
	// all bios, promos and survey notes, shorter ones mostly set phrases.
	DefaultMinRun = 20
	// DefaultWidth cells per sketch row (4 rows of one byte each: 64 MiB).
	// A cell holds about one distinct key per 16.7 million, which keeps
	// false recurrences rare on a corpus of AllSides' size (about 17
	// million distinct keys).
	DefaultWidth = 1 << 24
	// DefaultMaxShare is the largest share of an article's words that the
	// statistics may remove; beyond it the article is most likely a second
	// copy of another of its outlet's stories, and only the patterns apply.
	DefaultMaxShare = 0.5
)

// depth is the number of rows of the sketch.
const depth = 4

// Options tunes a Model. Zero fields take the defaults.
type Options struct {
	Shingle  int
	MinDocs  int
	MinRun   int
	Width    int
	MaxShare float64
}

func (o Options) withDefaults() Options {
	if o.Shingle <= 0 {
		o.Shingle = DefaultShingle
	}
	if o.MinDocs <= 0 {
		o.MinDocs = DefaultMinDocs
	}
	if o.MinRun <= 0 {
		o.MinRun = DefaultMinRun
	}
	if o.Width <= 0 {
		o.Width = DefaultWidth
	}
	if o.MaxShare <= 0 {
		o.MaxShare = DefaultMaxShare
	}
	return o
}

// Model holds what is known of the outlets' boilerplate: while learning, a
// sketch of document frequencies; always, the set of recurring keys.
//
// Learn must not be called concurrently; Clean and Strip may be, with each
// other, once learning is over. A nil *Model applies the patterns only.
type Model struct {
	opts Options
	// sketch counts, per key, the articles that hold it (saturating at
	// 255), with conservative update; nil once frozen.
	sketch [depth][]uint8
	// frequent holds the keys seen in at least MinDocs articles.
	frequent map[uint64]struct{}
	// seen holds the hashed ids of learnt articles, so that an article
	// read twice counts once.
	seen    map[uint64]struct{}
	scratch []uint64
}

// New returns an empty model that learns with opts.
func New(opts Options) *Model {
	opts = opts.withDefaults()
	m := &Model{opts: opts, frequent: map[uint64]struct{}{}, seen: map[uint64]struct{}{}}
	for i := range m.sketch {
		m.sketch[i] = make([]uint8, opts.Width)
	}
	return m
}

// Learned returns the number of articles learnt since New.
func (m *Model) Learned() int {
	if m == nil {
		return 0
	}
	return len(m.seen)
}

// Keys returns the number of recurring lines and shingles the model knows.
func (m *Model) Keys() int {
	if m == nil {
		return 0
	}
	return len(m.frequent)
}

// Learn counts the lines and shingles of a (its raw body if it has one) for
// its outlet. It panics if the model is frozen.
func (m *Model) Learn(a *newsdex.Article) {
	if m.sketch[0] == nil {
		panic("boiler: Learn on a frozen model")
	}
	id := hashString(seedID, a.ID)
	if _, ok := m.seen[id]; ok && a.ID != "" {
		return
	}
	m.seen[id] = struct{}{}
	body, _ := stripPatterns(raw(a))
	keys := m.scratch[:0]
	outlet := hashString(seedOutlet, a.Outlet)
	forLines(body, func(body string, toks []token) {
		keys = append(keys, lineKey(outlet, body, toks))
		keys = m.appendShingles(keys, outlet, body, toks)
	})
	// Document frequency: each key once per article.
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		if m.add(k) >= m.opts.MinDocs {
			m.frequent[k] = struct{}{}
		}
	}
	m.scratch = keys
}

// Freeze ends learning and frees the sketch; the recurring keys stay.
func (m *Model) Freeze() {
	for i := range m.sketch {
		m.sketch[i] = nil
	}
	m.seen = map[uint64]struct{}{}
}

// Merge adds the recurring keys of o to m; both must use the same Shingle.
func (m *Model) Merge(o *Model) error {
	if o == nil {
		return nil
	}
	if o.opts.Shingle != m.opts.Shingle {
		return fmt.Errorf("boiler: merge a model of %d-word shingles into one of %d", o.opts.Shingle, m.opts.Shingle)
	}
	for k := range o.frequent {
		m.frequent[k] = struct{}{}
	}
	return nil
}

// add counts key once more and returns its estimated count.
func (m *Model) add(key uint64) int {
	w := uint64(len(m.sketch[0]))
	h2 := mix(key) | 1
	var idx [depth]uint64
	least := uint8(255)
	for i := range idx {
		idx[i] = (key + uint64(i)*h2) % w
		least = min(least, m.sketch[i][idx[i]])
	}
	if least == 255 {
		return 255
	}
	// Conservative update: only the cells at the minimum grow, which keeps
	// the keys that share a cell from inflating each other's counts.
	for i := range idx {
		if m.sketch[i][idx[i]] == least {
			m.sketch[i][idx[i]]++
		}
	}
	return int(least) + 1
}

// Clean strips the boilerplate of a's body. It starts from a.RawBody when
// that is set (an article cleaned before), sets Body to the cleaned text
// and RawBody to the raw one when something was removed (and clears it
// otherwise), and reports whether it removed anything.
func (m *Model) Clean(a *newsdex.Article) bool {
	r := raw(a)
	body, changed := m.Strip(a.Outlet, r)
	if !changed {
		a.Body, a.RawBody = r, ""
		return false
	}
	a.Body, a.RawBody = body, r
	return true
}

// raw returns the body of a as read.
func raw(a *newsdex.Article) string {
	if a.RawBody != "" {
		return a.RawBody
	}
	return a.Body
}

// Strip returns body without its boilerplate for outlet, and whether
// anything was removed.
func (m *Model) Strip(outlet, body string) (string, bool) {
	body, changed := stripPatterns(body)
	if m == nil || len(m.frequent) == 0 {
		return body, changed
	}
	out, ok := m.stripRecurring(hashString(seedOutlet, outlet), body)
	if !ok {
		return body, changed
	}
	return out, true
}

// stripRecurring removes recurring lines and long recurring runs from body;
// ok is false when it removes nothing or more than MaxShare of the words.
func (m *Model) stripRecurring(outlet uint64, body string) (string, bool) {
	var cuts []span
	words, cut := 0, 0
	var keys []uint64
	forLines(body, func(body string, toks []token) {
		words += len(toks)
		if _, ok := m.frequent[lineKey(outlet, body, toks)]; ok && !isLabel(body, toks) && m.allShinglesRecur(outlet, body, toks, &keys) {
			cuts = append(cuts, span{toks[0].start, toks[len(toks)-1].end, true})
			cut += len(toks)
			return
		}
		if len(toks) < m.opts.MinRun {
			return
		}
		keys = m.appendShingles(keys[:0], outlet, body, toks)
		covered := make([]bool, len(toks))
		for i, k := range keys {
			if _, ok := m.frequent[k]; ok {
				for j := i; j < i+m.opts.Shingle; j++ {
					covered[j] = true
				}
			}
		}
		for i := 0; i < len(toks); {
			if !covered[i] {
				i++
				continue
			}
			j := i
			for j < len(toks) && covered[j] {
				j++
			}
			if j-i >= m.opts.MinRun {
				cuts = append(cuts, span{toks[i].start, toks[j-1].end, i == 0 && j == len(toks)})
				cut += j - i
			}
			i = j
		}
	})
	if len(cuts) == 0 || float64(cut) > m.opts.MaxShare*float64(words) {
		return body, false
	}
	return cutSpans(body, cuts), true
}

// allShinglesRecur reports whether every shingle of a line recurs too (true
// for lines shorter than a shingle). A whole line is removed only then, so
// that a false recurrence of its line key in the sketch cannot remove it.
func (m *Model) allShinglesRecur(outlet uint64, body string, toks []token, buf *[]uint64) bool {
	*buf = m.appendShingles((*buf)[:0], outlet, body, toks)
	for _, k := range *buf {
		if _, ok := m.frequent[k]; !ok {
			return false
		}
	}
	return true
}

// token is a run of non-space bytes of a line, as offsets into the body.
type token struct{ start, end int }

// span is a byte range of the body to remove; line is set when it is a
// whole line.
type span struct {
	start, end int
	line       bool
}

// forLines calls f with body and the words of each of its lines that has
// one, as offsets into body.
func forLines(body string, f func(body string, toks []token)) {
	var toks []token
	for start := 0; start < len(body); {
		end := strings.IndexByte(body[start:], '\n')
		if end < 0 {
			end = len(body)
		} else {
			end += start
		}
		toks = toks[:0]
		in := -1
		for i, r := range body[start:end] {
			sp := unicode.IsSpace(r)
			switch {
			case !sp && in < 0:
				in = start + i
			case sp && in >= 0:
				toks = append(toks, token{in, start + i})
				in = -1
			}
		}
		if in >= 0 {
			toks = append(toks, token{in, end})
		}
		if len(toks) > 0 {
			f(body, toks)
		}
		start = end + 1
	}
}

// appendShingles appends the keys of the Shingle-word windows of toks.
func (m *Model) appendShingles(keys []uint64, outlet uint64, body string, toks []token) []uint64 {
	k := m.opts.Shingle
	if len(toks) < k {
		return keys
	}
	hs := make([]uint64, len(toks))
	for i, t := range toks {
		hs[i] = hashString(seedWord, body[t.start:t.end])
	}
	for i := 0; i+k <= len(hs); i++ {
		h := outlet ^ seedShingle
		for _, w := range hs[i : i+k] {
			h = mix(h ^ w)
		}
		keys = append(keys, h)
	}
	return keys
}

// lineKey is the key of a whole line: its words in order, spacing ignored.
func lineKey(outlet uint64, body string, toks []token) uint64 {
	h := outlet ^ seedLine
	for _, t := range toks {
		h = mix(h ^ hashString(seedWord, body[t.start:t.end]))
	}
	return h
}

// Seeds keep the kinds of key apart. Keys are persisted, so the hash
// functions must not change without a new file version.
const (
	seedID      = 0x9e3779b97f4a7c15
	seedOutlet  = 0xc2b2ae3d27d4eb4f
	seedWord    = 0x165667b19e3779f9
	seedShingle = 0xd6e8feb86659fd93
	seedLine    = 0xa0761d6478bd642f
)

// hashString is 64-bit FNV-1a from seed, finished by mix.
func hashString(seed uint64, s string) uint64 {
	h := seed ^ 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix(h)
}

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// cutSpans removes spans (sorted, disjoint) from body. A line left without
// words is dropped, and the blank lines around it collapse into one
// paragraph break; a cut inside a line leaves one space where the text
// around it had two.
func cutSpans(body string, cuts []span) string {
	var b strings.Builder
	b.Grow(len(body))
	last := 0
	for _, c := range cuts {
		b.WriteString(body[last:c.start])
		last = c.end
	}
	b.WriteString(body[last:])
	return tidy(b.String())
}

// tidy drops lines that hold no word any more, collapses runs of blank
// lines into one and double spaces into one.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		for strings.Contains(l, "  ") {
			l = strings.ReplaceAll(l, "  ", " ")
		}
		l = strings.TrimLeftFunc(l, unicode.IsSpace)
		if l == "" {
			if len(out) > 0 && !blank {
				out = append(out, l)
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

// fileMagic starts a persisted model; the digit is the format version.
const fileMagic = "NDXBOIL1"

// WriteTo writes the recurring keys of m (not the sketch) in a compact
// binary form that Read reads.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	keys := make([]uint64, 0, len(m.frequent))
	for k := range m.frequent {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	bw := bufio.NewWriter(w)
	bw.WriteString(fileMagic)
	var buf [8]byte
	for _, v := range []uint64{uint64(m.opts.Shingle), uint64(m.opts.MinDocs), uint64(m.opts.MinRun), uint64(len(keys))} {
		binary.LittleEndian.PutUint64(buf[:], v)
		bw.Write(buf[:])
	}
	for _, k := range keys {
		binary.LittleEndian.PutUint64(buf[:], k)
		bw.Write(buf[:])
	}
	n := int64(len(fileMagic) + 8*(4+len(keys)))
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("boiler: write model: %w", err)
	}
	return n, nil
}

// ErrFormat is returned by Read for data that is not a model.
var ErrFormat = errors.New("boiler: not a boilerplate model")

// Read reads a model written by WriteTo. It is frozen: it cleans but does
// not learn.
func Read(r io.Reader) (*Model, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, len(fileMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != fileMagic {
		return nil, ErrFormat
	}
	var hdr [4]uint64
	if err := binary.Read(br, binary.LittleEndian, &hdr); err != nil {
		return nil, fmt.Errorf("boiler: read model header: %w", err)
	}
	if hdr[0] == 0 || hdr[0] > 64 || hdr[3] > 1<<28 {
		return nil, fmt.Errorf("%w: header %v out of range", ErrFormat, hdr)
	}
	m := &Model{
		opts:     Options{Shingle: int(hdr[0]), MinDocs: int(hdr[1]), MinRun: int(hdr[2])}.withDefaults(),
		frequent: make(map[uint64]struct{}, hdr[3]),
		seen:     map[uint64]struct{}{},
	}
	var buf [8]byte
	for range hdr[3] {
		if _, err := io.ReadFull(br, buf[:]); err != nil {
			return nil, fmt.Errorf("boiler: read model keys: %w", err)
		}
		m.frequent[binary.LittleEndian.Uint64(buf[:])] = struct{}{}
	}
	return m, nil
}

// Load reads the model stored at path; it returns (nil, nil) if there is
// none, and a nil model cleans by the patterns only.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("boiler: load %s: %w", path, err)
	}
	defer f.Close()
	m, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("boiler: load %s: %w", path, err)
	}
	return m, nil
}

// Save writes m to path atomically (a temporary file renamed over it).
func (m *Model) Save(path string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("boiler: save %s: %w", path, err)
	}
	if _, err := m.WriteTo(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("boiler: save %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("boiler: save %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("boiler: save %s: %w", path, err)
	}
	return nil
}

// isLetter reports whether the rune starting s[i] is a letter.
func isLetter(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

// maxLabel is the most words a label line has.
const maxLabel = 4

// isLabel reports whether a line is a short run of capitalised words: a
// byline, the outlet's name or a section label ("David Jackson", "USA
// TODAY"). Such a line is kept even when it recurs: it names no one the
// story is about, and the extractor reads it as structure (a byline is
// known as one by the outlet line under it), so removing it would turn the
// byline above into people.
func isLabel(body string, toks []token) bool {
	if len(toks) > maxLabel {
		return false
	}
	for _, t := range toks {
		r, _ := utf8.DecodeRuneInString(body[t.start:t.end])
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}
