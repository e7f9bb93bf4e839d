// Package chunk splits an article body into passages sized for indexing.
//
// It sits between extract and index in the pipeline: the indexer stores and
// embeds each passage on its own, so passages should be whole sentences and,
// where the sizes allow, whole paragraphs. Passages are byte ranges of the
// body; together they cover it exactly, so a hit on a passage can always be
// mapped back to the article text.
package chunk

import (
	"github.com/newsdex/newsdex"
)

// Default passage sizes in words, used when Options leaves them zero. About
// 80 words is a paragraph or two of news prose: long enough to carry
// context, short enough that a hit points at the relevant place.
const (
	DefaultTargetWords = 80
	DefaultMaxWords    = 120
)

// Options sets passage sizes in words, as counted by Words.
type Options struct {
	// TargetWords is the size Split aims for; DefaultTargetWords when zero
	// or negative.
	TargetWords int
	// MaxWords is the hard upper bound of a passage; when zero or negative
	// it is DefaultMaxWords, or 1.5×TargetWords if that is larger. A
	// MaxWords below TargetWords lowers the target to MaxWords.
	MaxWords int
}

// limits returns the effective target and maximum.
func (o Options) limits() (target, limit int) {
	target, limit = o.TargetWords, o.MaxWords
	if target <= 0 {
		target = DefaultTargetWords
	}
	if limit <= 0 {
		limit = max(DefaultMaxWords, target+target/2)
	}
	if target > limit {
		target = limit
	}
	return target, limit
}

// Split returns the passages of body in reading order.
//
// Passages are contiguous and cover body exactly: the first starts at 0,
// each starts where the previous one ends, and the last ends at len(body);
// whitespace between sentences belongs to the passage before it. No passage
// is empty and none has more than MaxWords words. Passages end at sentence
// ends, preferring paragraph ends (a blank line); only a sentence longer
// than MaxWords is cut, at word boundaries, into near-equal pieces. A short
// trailing piece joins the passage before it when the sum stays within
// MaxWords. Split returns nil for an empty body and a single passage for a
// body of only whitespace. Offsets always fall on UTF-8 boundaries, because
// cuts are made only next to ASCII whitespace.
func Split(body string, opts Options) []newsdex.Passage {
	if body == "" {
		return nil
	}
	target, limit := opts.limits()
	// One allocation in the common case: news prose averages about six
	// bytes per word including the space.
	out := make([]newsdex.Passage, 0, len(body)/(6*target)+2)

	start, cur := 0, 0 // the passage being filled: its start and word count
	prevWords := 0     // words of the last passage in out
	paraBefore := false
	for pos := 0; pos < len(body); {
		end, words, para := nextSentence(body, pos)
		switch {
		case words > limit:
			if cur > 0 {
				out = append(out, newsdex.Passage{Start: start, End: pos})
				prevWords = cur
				start = pos
			}
			// The sentence's last piece stays open so that the sentences
			// after it can join it.
			out, start, cur, prevWords = cutSentence(out, body, pos, end, words, limit, prevWords)
		case cur > 0 && breakBefore(cur, words, target, limit, paraBefore, para):
			out = append(out, newsdex.Passage{Start: start, End: pos})
			prevWords = cur
			start, cur = pos, words
		default:
			cur += words
		}
		paraBefore = para
		pos = end
	}
	if len(out) > 0 && cur < target/2 && prevWords+cur <= limit {
		out[len(out)-1].End = len(body)
		return out
	}
	return append(out, newsdex.Passage{Start: start, End: len(body)})
}

// breakBefore reports whether a passage of cur words should end before a
// sentence of next words. It must when the sentence would not fit. Past the
// target, paragraphs win: a paragraph end before the sentence is taken as
// soon as the passage is half the target, and a sentence that completes a
// paragraph joins while the passage stays halfway between target and limit.
// Otherwise the passage ends at whichever size is nearer the target.
func breakBefore(cur, next, target, limit int, atParagraph, endsParagraph bool) bool {
	sum := cur + next
	switch {
	case sum > limit:
		return true
	case sum <= target:
		return false
	case atParagraph && 2*cur >= target:
		return true
	case endsParagraph && 2*sum <= target+limit:
		return false
	default:
		return target-cur <= sum-target
	}
}

// cutSentence cuts the sentence body[from:to] of words words (more than
// limit) into pieces of at most limit words, each starting at a word. It
// appends all pieces but the last to out and returns the last piece's start
// and word count as the open passage, plus the word count of out's last
// passage.
func cutSentence(out []newsdex.Passage, body string, from, to, words, limit, prevWords int) ([]newsdex.Passage, int, int, int) {
	pieces := (words + limit - 1) / limit
	per := (words + pieces - 1) / pieces // ≤ limit: near-equal pieces
	start, n := from, 0
	prevSpace := true
	for i := from; i < to; i++ {
		if isSpace(body[i]) {
			prevSpace = true
			continue
		}
		if prevSpace {
			if n == per {
				out = append(out, newsdex.Passage{Start: start, End: i})
				prevWords = n
				start, n = i, 0
			}
			n++
		}
		prevSpace = false
	}
	return out, start, n, prevWords
}

// nextSentence scans the sentence that starts at body[from] and returns
// where the next one starts (after the trailing whitespace), the number of
// words, and whether the sentence ends a paragraph (a blank line or the end
// of body). A line break always ends a sentence: headings and list items
// carry no final stop.
func nextSentence(body string, from int) (end, words int, para bool) {
	i, n := from, len(body)
	for i < n && isSpace(body[i]) { // only at the start of body
		i++
	}
	for i < n {
		ws := i
		for i < n && !isSpace(body[i]) {
			i++
		}
		we := i
		words++
		newlines := 0
		for i < n && isSpace(body[i]) {
			if body[i] == '\n' {
				newlines++
			}
			i++
		}
		switch {
		case i == n:
			return n, words, true
		case newlines >= 2:
			return i, words, true
		case newlines == 1:
			return i, words, false
		case endsSentence(body[ws:we], body[i:]):
			return i, words, false
		}
	}
	return n, words, true
}

// isSpace reports whether c is ASCII whitespace: space, \t, \n, \v, \f, \r.
func isSpace(c byte) bool {
	return c == ' ' || c-'\t' <= '\r'-'\t'
}

// Words returns the number of words in s: runs of bytes other than ASCII
// whitespace. Split's limits count words this way.
func Words(s string) int {
	n := 0
	prevSpace := true
	for i := 0; i < len(s); i++ {
		sp := isSpace(s[i])
		if !sp && prevSpace {
			n++
		}
		prevSpace = sp
	}
	return n
}
