package extract

import "strings"

var (
	hFor  = hashWord("for")
	hOn   = hashWord("on")
	hNews = hashWord("news")
)

// outletOf returns the canonical outlet named in a publisher string such as
// "CNN (Web News)" or "New York Times - News", or "".
func (d *data) outletOf(publisher string) string {
	if publisher == "" {
		return ""
	}
	var tk tokenizer
	toks := tk.tokenize(publisher)
	for i := range toks {
		if _, e := d.longest(toks, i); e != nil && e.outlet != 0 {
			return d.outlets[e.outlet-1]
		}
	}
	return ""
}

// findOutlets records the news outlets the article names. Ambiguous
// aliases ("AP", "The Times") need a reporting cue nearby, and the
// publisher itself counts only when the text cites it.
func (d *data) findOutlets(s *state, publisher string) {
	pub := d.outletOf(publisher)
	toks := s.toks
	australia := -1
	for si := range s.spans {
		sp := &s.spans[si]
		if sp.e.outlet == 0 {
			continue
		}
		i, j := int(sp.i), int(sp.j)
		if s.claimed[i] {
			continue
		}
		name := d.outlets[sp.e.outlet-1]
		// "Ministry of Foreign Affairs", "Committee on Foreign Affairs".
		if p := i - 1; p-1 >= 0 && toks[p].f&fWord != 0 && (toks[p].h == hOf || toks[p].h == hFor || toks[p].h == hOn) &&
			(toks[p-1].w&(wNonPerson|wTitle) != 0 || orgHeads[toks[p-1].h]) && toks[p-1].f&fCap != 0 {
			continue
		}
		// "House Foreign Affairs Committee".
		if j < len(toks) && toks[j].f&fWord != 0 && toks[j].f&fCap != 0 && orgHeads[toks[j].h] && toks[j].h != hNews {
			continue
		}
		cue := d.outletCue(s, i, j)
		// "Time's 25 most influential": a possessive outlet mid-sentence.
		if !cue && toks[j-1].f&fPoss != 0 && toks[i].f&fSentStart == 0 {
			cue = true
		}
		if sp.e.outletAmb && (!cue || toks[i].f&fHeadline != 0 ||
			j < len(toks) && toks[j].f&fWord != 0 && toks[j].f&fCap != 0) {
			continue // "Independent Journalist Threatened": part of a phrase
		}
		// "(AP)" or "(Reuters)" after a dateline is a credit, not a citation.
		if s.isPunct(i-1, '(') && s.isPunct(j, ')') && i < 20 {
			continue
		}
		if name == "ABC News" {
			if australia < 0 {
				australia = 0
				for k := range s.spans {
					e := s.spans[k].e
					if e.place != 0 && d.places[e.place-1].name == "Australia" || e.demonym != 0 && d.places[e.demonym-1].name == "Australia" {
						australia = 1
						break
					}
				}
			}
			if australia == 1 {
				name = "Australian Broadcasting Corporation"
			}
		}
		s.outlets = append(s.outlets, mention{key: name, pos: toks[i].s, tok: int32(i), amb: sp.e.outletAmb})
	}
	d.resolveShortOutlets(s, pub)
	// An outlet named in its own article is no citation: "NEW YORK
	// (Reuters) -", "told Reuters", "NPR's Eleanor Beardsley reports".
	if pub != "" {
		n := 0
		for _, m := range s.outlets {
			if m.key != pub {
				s.outlets[n] = m
				n++
			}
		}
		s.outlets = s.outlets[:n]
	}
}

// resolveShortOutlets maps an ambiguous short name ("the Times", "the
// Post") to the publisher or to an outlet the article names in full whose
// name ends in that word ("The New York Times", "The Washington Post"):
// "the Times" in a Washington Times story is the Washington Times.
func (d *data) resolveShortOutlets(s *state, pub string) {
	for k := range s.outlets {
		m := &s.outlets[k]
		if !m.amb {
			continue
		}
		last := s.toks[m.tok]
		for t := m.tok; int(t) < len(s.toks) && s.toks[t].f&fWord != 0; t++ {
			last = s.toks[t]
			if s.spanCovering(int(t)) == nil || s.spanCovering(int(t)) != s.spanCovering(int(m.tok)) {
				break
			}
		}
		word := strings.ToLower(s.text[last.s:last.e])
		if pub != "" && strings.HasSuffix(strings.ToLower(pub), " "+word) {
			m.key = pub
			continue
		}
		for _, o := range s.outlets {
			if !o.amb && o.key != m.key && strings.HasSuffix(strings.ToLower(o.key), " "+word) {
				m.key = o.key
				break
			}
		}
	}
}

// outletCue reports a reporting cue within six words of [i, j) in the same
// sentence, or "the AP".
func (d *data) outletCue(s *state, i, j int) bool {
	toks := s.toks
	if p := i - 1; p >= 0 && toks[p].f&fWord != 0 && toks[p].h == hThe && toks[i].f&fUpper != 0 {
		return true
	}
	for k, n := i-1, 0; k >= 0 && n < 6; k-- {
		t := toks[k]
		if t.f&fSentEnd != 0 {
			break
		}
		if t.f&fWord != 0 {
			n++
			if t.w&wCue != 0 {
				return true
			}
		}
	}
	for k, n := j, 0; k < len(toks) && n < 6; k++ {
		t := toks[k]
		if t.f&fSentEnd != 0 {
			break
		}
		if t.f&fWord != 0 {
			n++
			if t.w&wCue != 0 {
				return true
			}
		}
	}
	return false
}

// surnameSpans gives one-word spans that no person took ("Bloomberg",
// "Jordan", "Moon") to a person of the article with that surname.
func (d *data) surnameSpans(s *state) {
	for si := range s.spans {
		sp := &s.spans[si]
		if sp.j-sp.i != 1 || s.claimed[sp.i] || sp.e.stop || sp.e.role != "" {
			continue
		}
		t := s.toks[sp.i]
		if t.f&(fCap|fUpper) == 0 || thingAfter(s, int(sp.j)) {
			continue
		}
		for k := range s.people {
			p := &s.people[k]
			if p.last == t.h && (p.full || p.known != 0) && p.first != t.h {
				p.count++
				if t.s < p.pos {
					p.pos = t.s
				}
				s.claimed[sp.i] = true
				break
			}
		}
	}
}
