package embed

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"
)

// The tokeniser replicates, quirks included, the SentencePiece unigram
// tokeniser of the reference (@energetic-ai/embeddings 0.2.0, itself the
// one of tfjs-models' universal-sentence-encoder), because the model was
// run on its token ids:
//
//   - NFKC-normalise; no lowercasing, no other whitespace handling.
//   - Unless the result is empty, prefix "▁" and replace every U+0020 with
//     "▁" (tabs and newlines stay and are mostly unknown).
//   - Work on code points. At each position the candidates are the
//     vocabulary pieces that start there; if there are none, the single code
//     point becomes an unknown piece (id 0, score 0). Note that a position
//     where some longer piece starts gets no unknown fallback.
//   - Viterbi: for each end position, edges in ascending start order; an
//     edge wins if best[end] is still 0 or its score is >= best[end] (so 0
//     doubles as "unset", and ties go to the later start).
//   - Walk back from the end stepping by the UTF-16 length of the chosen
//     piece, then merge runs of unknowns into one id 0.
//
// Pieces 0..5 (unknown, <s>, </s>, extra ids) are never matched; a null
// score in vocab.json counts as 0, as JavaScript's null + x does; for a
// piece listed twice the last entry wins.

// reservedPieces is the number of leading vocabulary entries the reference
// leaves out of its trie.
const reservedPieces = 6

// spaceMark is SentencePiece's word-boundary symbol "▁" (U+2581).
const spaceMark = '\u2581'

// trieNode is one node of the piece trie; id < 0 means no piece ends here.
type trieNode struct {
	next  map[rune]int32
	id    int32
	score float64
}

// tokenizer maps text to vocabulary ids. It is immutable after loading.
type tokenizer struct {
	nodes []trieNode // nodes[0] is the root
	// stepBack[id] is the UTF-16 length of piece id: what the reference's
	// walk back subtracts.
	stepBack []int32
}

// newTokenizer builds the tokeniser from vocab.json: a JSON array of
// [piece, score] pairs, scores possibly null.
func newTokenizer(vocabJSON []byte) (*tokenizer, error) {
	var vocab [][2]*json.RawMessage
	if err := json.Unmarshal(vocabJSON, &vocab); err != nil {
		return nil, fmt.Errorf("parse vocabulary: %w", err)
	}
	if len(vocab) <= reservedPieces {
		return nil, fmt.Errorf("parse vocabulary: %d pieces, want more than %d", len(vocab), reservedPieces)
	}
	t := &tokenizer{
		nodes:    []trieNode{{id: -1}},
		stepBack: make([]int32, len(vocab)),
	}
	for i, e := range vocab {
		var piece string
		if e[0] == nil || json.Unmarshal(*e[0], &piece) != nil {
			return nil, fmt.Errorf("parse vocabulary: entry %d has no piece string", i)
		}
		var score float64 // null → 0, as in JavaScript arithmetic
		if e[1] != nil {
			var s *float64
			if err := json.Unmarshal(*e[1], &s); err != nil {
				return nil, fmt.Errorf("parse vocabulary: entry %d (%q): bad score: %w", i, piece, err)
			}
			if s != nil {
				score = *s
			}
		}
		t.stepBack[i] = int32(len(utf16.Encode([]rune(piece))))
		if i >= reservedPieces && piece != "" {
			t.insert(piece, score, int32(i))
		}
	}
	return t, nil
}

func (t *tokenizer) insert(piece string, score float64, id int32) {
	n := int32(0)
	for _, r := range piece {
		c, ok := t.nodes[n].next[r]
		if !ok {
			c = int32(len(t.nodes))
			t.nodes = append(t.nodes, trieNode{id: -1})
			if t.nodes[n].next == nil {
				t.nodes[n].next = make(map[rune]int32)
			}
			t.nodes[n].next[r] = c
		}
		n = c
	}
	t.nodes[n].id = id
	t.nodes[n].score = score
}

// encode returns the token ids of text, exactly as the reference does.
// The empty string (or one that normalises to empty) has no tokens.
func (t *tokenizer) encode(text string) []int32 {
	text = norm.NFKC.String(strings.ToValidUTF8(text, "\uFFFD"))
	if text == "" {
		return nil
	}
	syms := make([]rune, 1, len(text)+1)
	syms[0] = spaceMark
	for _, r := range text {
		if r == ' ' {
			r = spaceMark
		}
		syms = append(syms, r)
	}
	n := len(syms)

	// Viterbi over the lattice. The reference visits, for each end, the
	// candidate pieces in ascending start order. Visiting starts in
	// ascending order and relaxing every piece that starts there gives each
	// end the same candidates in the same order, and best[start] is final
	// by then since pieces only go forward.
	best := make([]float64, n+1)
	words := make([]int32, n+1)
	relax := func(start, end int, id int32, score float64) {
		s := score + best[start]
		if best[end] == 0 || s >= best[end] {
			best[end] = s
			words[end] = id
		}
	}
	for i := 0; i < n; i++ {
		found := false
		node, ok := t.nodes[0].next[syms[i]]
		for j := i; ok; {
			if nd := &t.nodes[node]; nd.id >= 0 {
				relax(i, j+1, nd.id, nd.score)
				found = true
			}
			j++
			if j >= n {
				break
			}
			node, ok = t.nodes[node].next[syms[j]]
		}
		if !found { // unknown single code point
			relax(i, i+1, 0, 0)
		}
	}

	var ids []int32
	for i := n; i > 0; i -= int(t.stepBack[words[i]]) {
		w := words[i]
		if w == 0 && len(ids) > 0 && ids[len(ids)-1] == 0 {
			continue // merge runs of unknowns
		}
		ids = append(ids, w)
	}
	slices.Reverse(ids)
	return ids
}
