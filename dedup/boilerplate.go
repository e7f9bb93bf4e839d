package dedup

// Boilerplate lines differ between copies of one story (each outlet adds its
// own credits, footers and ad markers) while carrying nothing of the story,
// so Signature drops them before shingling. Rules apply to the same text the
// same way everywhere, so an over-eager rule only shortens both copies; it
// never makes them differ. That is why the rules may be blunt.

// minLineWords drops lines shorter than this: "ADVERTISEMENT", "___",
// "Related", lone bylines and photo credits. Short real lines ("He
// declined.") carry at most a couple of shingles anyway.
const minLineWords = 3

// A rule drops a line of at most maxWords words that starts with (or, if
// contains, merely contains) the word sequence phrase, after normalisation.
type rule struct {
	phrase   string
	contains bool
	maxWords int
}

// defaultRules are the boilerplate rules used when Options.Boilerplate is
// nil. They cover agency credits (AP, Reuters, AFP), republication notes,
// bylines, photo captions, newsletter and social footers.
func defaultRules() []rule {
	return []rule{
		// Credits and rights.
		{"copyright", false, 40},
		{"all rights reserved", true, 40},
		{"this material may not be published", true, 40},
		{"reporting by", false, 40},
		{"additional reporting by", false, 40},
		{"editing by", false, 40},
		{"writing by", false, 40},
		{"compiled by", false, 40},
		{"contributed to this report", true, 40},
		{"contributed reporting", true, 40},
		{"contributed to this article", true, 40},
		{"contributed to this story", true, 40},
		{"associated press writer", false, 40},
		{"associated press writers", false, 40},
		{"ap writer", false, 40},
		{"the associated press contributed", false, 40},
		{"by", false, 12}, // bylines: "By JANE DOE, Associated Press"
		// Captions.
		{"ap photo", true, 40},
		{"getty images", true, 25},
		{"photo by", false, 25},
		{"photo credit", false, 25},
		{"image", false, 12},
		{"file photo", true, 40},
		// Republication and correction notes.
		{"this story has been updated", false, 40},
		{"this story has been corrected", false, 40},
		{"this article has been updated", false, 40},
		{"this article has been corrected", false, 40},
		{"this story was originally published", false, 40},
		{"this article was originally published", false, 40},
		{"this story originally appeared", false, 40},
		{"this article originally appeared", false, 40},
		{"this piece originally appeared", false, 40},
		{"originally published", false, 25},
		{"the views expressed", false, 40},
		{"the opinions expressed", false, 40},
		// Calls to action.
		{"sign up", false, 40},
		{"subscribe", false, 40},
		{"click here", false, 40},
		{"read more", false, 25},
		{"continue reading", false, 15},
		{"story continues", false, 15},
		{"related", false, 15},
		{"see also", false, 15},
		{"recommended", false, 15},
		{"watch", false, 12},
		{"listen", false, 12},
		{"listen to article", false, 25}, // "LISTEN TO ARTICLE 2:43 SHARE THIS ARTICLE Share Tweet Post Email"
		{"share this article", true, 25},
		{"more from", false, 25},
		{"follow", false, 25},
		{"download the", false, 25},
		{"get the", false, 15},
		{"like us on facebook", true, 40},
		{"newsletter", true, 25},
	}
}

// phrase is a compiled rule: the word hashes of its phrase.
type phrase struct {
	words    []uint64
	maxWords int
}

// boilerplate holds compiled rules. Prefix rules are found by the line's
// first word; the few contains rules are scanned for every word of a short
// line, which is cheaper than a map lookup per word.
type boilerplate struct {
	prefix   map[uint64][]phrase
	contains []phrase
}

func compileRules(rules []rule) boilerplate {
	b := boilerplate{prefix: make(map[uint64][]phrase, len(rules))}
	for _, r := range rules {
		w := words(nil, r.phrase)
		if len(w) == 0 {
			continue
		}
		p := phrase{words: w, maxWords: min(r.maxWords, maxRuleWords)}
		if r.contains {
			b.contains = append(b.contains, p)
		} else {
			b.prefix[w[0]] = append(b.prefix[w[0]], p)
		}
	}
	return b
}

// maxRuleWords bounds rules' maxWords, so that lines longer than this (most
// paragraphs of a story) skip the rules entirely.
const maxRuleWords = 40

// drop reports whether a line with word hashes line is boilerplate.
func (b boilerplate) drop(line []uint64) bool {
	if len(line) < minLineWords {
		return true
	}
	if len(line) > maxRuleWords {
		return false
	}
	for _, p := range b.prefix[line[0]] {
		if len(line) <= p.maxWords && len(line) >= len(p.words) && equalWords(line[:len(p.words)], p.words) {
			return true
		}
	}
	for i, w := range line {
		for _, p := range b.contains {
			if p.words[0] == w && len(line) <= p.maxWords && len(line)-i >= len(p.words) &&
				equalWords(line[i:i+len(p.words)], p.words) {
				return true
			}
		}
	}
	return false
}

func equalWords(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
