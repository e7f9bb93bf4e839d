package dedup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// sigVersion identifies the normalisation, hashing and encoding scheme. Any
// change that alters the bytes Signature returns for a text must bump it, so
// that stored signatures of an older scheme are rejected rather than
// silently compared with new ones.
const sigVersion = 1

// sigHeader is the size of the binary header: version, shingle size, and the
// number of minhash values as a little-endian uint16.
const sigHeader = 4

// ErrSignature is returned (wrapped) by UnmarshalBinary for data that is not
// a signature of this package's current version.
var ErrSignature = errors.New("dedup: invalid signature")

// Signature is the MinHash signature of a text's normalised word shingles:
// one byte (the low 8 bits of the hash of the minimising shingle, "b-bit
// minwise hashing") per hash function. The zero Signature means the text was
// too short to compare; Add ignores it.
//
// Signatures are deterministic across processes and machines, so they can be
// stored beside an article and fed back to a fresh Detector.
type Signature struct {
	shingle uint8
	vals    []byte
}

// IsZero reports whether s is the zero Signature (text too short, or never
// computed).
func (s Signature) IsZero() bool { return len(s.vals) == 0 }

// Len returns the number of minhash values in s (Bands×Rows of the Detector
// that computed it), or 0 for the zero Signature.
func (s Signature) Len() int { return len(s.vals) }

// Equal reports whether s and t are identical signatures.
func (s Signature) Equal(t Signature) bool {
	return s.shingle == t.shingle && string(s.vals) == string(t.vals)
}

// MarshalBinary encodes s as a 4-byte header (version, shingle size, value
// count) followed by the values; the zero Signature encodes as nil.
func (s Signature) MarshalBinary() ([]byte, error) {
	if s.IsZero() {
		return nil, nil
	}
	out := make([]byte, sigHeader+len(s.vals))
	out[0] = sigVersion
	out[1] = s.shingle
	binary.LittleEndian.PutUint16(out[2:], uint16(len(s.vals)))
	copy(out[sigHeader:], s.vals)
	return out, nil
}

// UnmarshalBinary decodes data written by MarshalBinary. Empty data gives the
// zero Signature. It returns an error wrapping ErrSignature for data of
// another version or a wrong length.
func (s *Signature) UnmarshalBinary(data []byte) error {
	if len(data) == 0 {
		*s = Signature{}
		return nil
	}
	if len(data) < sigHeader {
		return fmt.Errorf("decode signature of %d bytes: %w", len(data), ErrSignature)
	}
	if data[0] != sigVersion {
		return fmt.Errorf("decode signature: version %d, want %d: %w", data[0], sigVersion, ErrSignature)
	}
	n := int(binary.LittleEndian.Uint16(data[2:]))
	if n == 0 || len(data) != sigHeader+n || data[1] == 0 {
		return fmt.Errorf("decode signature: header says %d values of shingle %d, have %d bytes: %w",
			n, data[1], len(data)-sigHeader, ErrSignature)
	}
	*s = Signature{shingle: data[1], vals: append([]byte(nil), data[sigHeader:]...)}
	return nil
}

// collision is the chance that two unrelated minima agree in their low 8
// bits; estimates are corrected for it.
const collision = 1.0 / 256

// similarity estimates the Jaccard similarity of the shingle sets behind two
// equally long value slices.
func similarity(a, b []byte) float64 {
	m := 0
	for i := range a {
		if a[i] == b[i] {
			m++
		}
	}
	j := (float64(m)/float64(len(a)) - collision) / (1 - collision)
	return max(j, 0)
}

// Similarity returns the estimated Jaccard similarity of the shingle sets
// behind s and t, in [0, 1]. It returns 0 if either is zero or they were
// computed with different Options.
func Similarity(s, t Signature) float64 {
	if s.IsZero() || s.shingle != t.shingle || len(s.vals) != len(t.vals) {
		return 0
	}
	return similarity(s.vals, t.vals)
}

// mix64 is the splitmix64 finaliser: a cheap bijection whose output bits all
// depend on all input bits.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
	// rollPrime is the base of the shingles' rolling hash: odd, with bits
	// spread over the whole word.
	rollPrime = 0x9e3779b97f4a7c15
)

// scratch holds the per-call buffers of Signature; Detector pools them so
// that a call allocates only its result.
type scratch struct {
	line []uint64 // word hashes of the current paragraph
	mins []uint64
	args []uint64 // shingle hash that gave each minimum
}

// words appends to dst the hashes of the normalised words of line:
// lowercased runs of letters and digits, with apostrophes dropped rather than
// splitting ("don't" and "dont" are one word) and every other rune a
// separator.
func words(dst []uint64, line string) []uint64 {
	h := uint64(fnvOffset)
	in := false
	for i := 0; i < len(line); {
		c := line[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c == '\'':
				continue
			default:
				if in {
					dst = append(dst, h)
					h, in = fnvOffset, false
				}
				continue
			}
			h = (h ^ uint64(c)) * fnvPrime
			in = true
			continue
		}
		r, size := utf8.DecodeRuneInString(line[i:])
		i += size
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			var buf [utf8.UTFMax]byte
			for _, b := range utf8.AppendRune(buf[:0], unicode.ToLower(r)) {
				h = (h ^ uint64(b)) * fnvPrime
			}
			in = true
		case r == '’' || r == 'ʼ' || r == '\u00ad': // curly apostrophe, modifier apostrophe, soft hyphen
		default:
			if in {
				dst = append(dst, h)
				h, in = fnvOffset, false
			}
		}
	}
	if in {
		dst = append(dst, h)
	}
	return dst
}

// Signature returns the MinHash signature of text's normalised word
// shingles, or the zero Signature if text has fewer than MinWords words once
// boilerplate lines are dropped. Pass the article body without its headline:
// outlets rewrite headlines of the copies they run.
//
// Normalisation lowercases, strips punctuation and drops lines that are
// boilerplate (see Options.Boilerplate), so copies that differ only in
// bylines, credits, "ADVERTISEMENT" markers and sign-up footers get the same
// or nearly the same signature. Signature is safe for concurrent use.
func (d *Detector) Signature(text string) Signature {
	sc, _ := d.pool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{mins: make([]uint64, d.k), args: make([]uint64, d.k)}
	}
	defer d.pool.Put(sc)
	mins, args := sc.mins, sc.args
	for i := range mins {
		mins[i] = ^uint64(0)
		args[i] = 0
	}
	k := d.opts.Shingle
	// The shingle hash is a polynomial rolling hash of the last k word
	// hashes, H = Σ w[j]·P^(k-1-j) mod 2^64, updated in O(1) per word.
	var ring [maxShingle]uint64
	pos := 0   // ring[pos] is the oldest word, the next to leave
	pk := d.pk // P^(k-1)
	var roll uint64
	n := 0 // words kept so far
	mul := d.mul
	add := d.add[:len(mul)]
	mins = mins[:len(mul)]
	args = args[:len(mul)]
	for ps := newParagraphs(text); ; {
		para, ok := ps.next()
		if !ok {
			break
		}
		sc.line = words(sc.line[:0], para)
		if d.boiler.drop(sc.line) {
			continue
		}
		for _, w := range sc.line {
			roll = (roll-ring[pos]*pk)*rollPrime + w
			ring[pos] = w
			if pos++; pos == k {
				pos = 0
			}
			if n++; n < k {
				continue
			}
			h := mix64(roll)
			// One multiply-add per hash function: h is already well mixed,
			// and only the order of the results matters, which the high bits
			// decide.
			for i, a := range mul {
				if v := h*a + add[i]; v < mins[i] {
					mins[i], args[i] = v, h
				}
			}
		}
	}
	if n < d.opts.MinWords {
		return Signature{}
	}
	vals := make([]byte, d.k)
	for i, h := range args {
		// The minimum itself is biased towards small values, so the stored
		// bits come from a fresh hash of the shingle that gave it.
		vals[i] = byte(mix64(h ^ d.add[i]))
	}
	return Signature{shingle: uint8(k), vals: vals}
}

// Shingles returns the distinct hashed shingles of text under d's
// normalisation, for measuring exact Jaccard similarity (see Jaccard); nil if
// text has fewer than Shingle words.
func (d *Detector) Shingles(text string) map[uint64]struct{} {
	k := d.opts.Shingle
	var all []uint64
	var line []uint64
	for ps := newParagraphs(text); ; {
		para, ok := ps.next()
		if !ok {
			break
		}
		line = words(line[:0], para)
		if !d.boiler.drop(line) {
			all = append(all, line...)
		}
	}
	if len(all) < k {
		return nil
	}
	set := make(map[uint64]struct{}, len(all))
	var roll uint64
	for i, w := range all {
		roll = roll*rollPrime + w
		if i >= k {
			roll -= all[i-k] * d.pk * rollPrime
		}
		if i >= k-1 {
			set[mix64(roll)] = struct{}{}
		}
	}
	return set
}

// Jaccard returns the exact Jaccard similarity of two shingle sets from
// Shingles: 0 if both are empty.
func Jaccard(a, b map[uint64]struct{}) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	inter := 0
	for h := range a {
		if _, ok := b[h]; ok {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// maxWrapWidth is the longest line of a hard-wrapped text. Wire copy and
// e-mail wrap at 65–80 columns; text with one paragraph per line almost
// always has some line longer than this.
const maxWrapWidth = 100

// paragraphs iterates over the paragraphs of a text, the unit that
// boilerplate rules judge. Usually a paragraph is a line. In hard-wrapped
// text (at least 4 lines, none longer than maxWrapWidth bytes) it runs to
// the next blank or indented line instead, so that a copy wrapped at another
// width still drops the same paragraphs.
type paragraphs struct {
	text    string
	pos     int
	wrapped bool
}

func newParagraphs(text string) paragraphs {
	lines, longest := 0, 0
	for rest := text; len(rest) > 0; {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			i = len(rest)
		}
		if i > 0 {
			lines++
			longest = max(longest, i)
		}
		rest = rest[min(i+1, len(rest)):]
	}
	return paragraphs{text: text, wrapped: lines >= 4 && longest <= maxWrapWidth}
}

// next returns the next paragraph, possibly empty, and false at the end.
func (p *paragraphs) next() (string, bool) {
	if p.pos >= len(p.text) {
		return "", false
	}
	start, i := p.pos, p.pos
	for {
		j := strings.IndexByte(p.text[i:], '\n')
		if j < 0 {
			p.pos = len(p.text)
			return p.text[start:], true
		}
		i += j
		if !p.wrapped || i+1 == len(p.text) {
			break
		}
		if c := p.text[i+1]; c == '\n' || c == ' ' || c == '\t' || c == '\r' {
			break
		}
		i++
	}
	p.pos = i + 1
	return p.text[start:i], true
}
