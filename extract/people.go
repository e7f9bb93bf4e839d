package extract

import (
	"strings"

	"github.com/newsdex/newsdex/extract/leaders"
)

// Token roles inside a candidate name run.
const (
	rNone     = iota
	rKnown    // a span of a known person's alias
	rGiven    // a given name
	rName     // a capitalised word that can be part of a name
	rInitial  // "V." or "W"
	rParticle // "de", "van", "bin" before a capitalised word
	rSuffix   // "Jr.", "III"
)

// validCands filters alias candidates by the article's year. Candidates
// without a window always pass; with no date only unwindowed ones pass,
// unless every candidate has a window, then all do.
func validCands(cs []cand, year int, buf []cand) []cand {
	buf = buf[:0]
	for _, c := range cs {
		if c.from == 0 && c.to == 0 {
			buf = append(buf, c)
			continue
		}
		if year == 0 {
			continue
		}
		if (c.from == 0 || year >= int(c.from)) && (c.to == 0 || year <= int(c.to)) {
			buf = append(buf, c)
		}
	}
	if len(buf) == 0 && year == 0 && len(cs) == 1 {
		buf = append(buf, cs[0])
	}
	// A windowed alias that fits the date beats an open one: "George Bush"
	// in 2005 is George W. Bush.
	if year != 0 && len(buf) > 1 {
		n := 0
		for _, c := range buf {
			if c.from != 0 || c.to != 0 {
				buf[n] = c
				n++
			}
		}
		if n > 0 {
			buf = buf[:n]
		}
	}
	return buf
}

// thingAfter reports a capitalised organisation or place noun at token n
// ("County" in "Harris County"): the name before it names a thing.
func thingAfter(s *state, n int) bool {
	if n >= len(s.toks) {
		return false
	}
	t := s.toks[n]
	return t.f&fCap != 0 && t.f&fWord != 0 && t.f&fHeadline == 0 &&
		(orgHeads[t.h] || thingNouns[t.h] || t.w&wNonPerson != 0 && t.w&wTitle == 0)
}

// spanCands is validCands for a span; a full name ("George Bush") whose
// windows all miss the date still names the person of the nearest window.
func spanCands(sp *span, year int, buf []cand) []cand {
	buf = validCands(sp.e.persons, year, buf)
	if len(buf) > 0 || year == 0 || sp.j-sp.i < 2 || len(sp.e.persons) == 0 {
		return buf
	}
	best, dist := sp.e.persons[0], 1<<30
	for _, c := range sp.e.persons {
		d := 0
		if c.from != 0 && year < int(c.from) {
			d = int(c.from) - year
		} else if c.to != 0 && year > int(c.to) {
			d = year - int(c.to)
		}
		if d < dist {
			best, dist = c, d
		}
	}
	return append(buf, best)
}

// knownSpan reports whether the span at token i names a known person on the
// article's date.
func (d *data) knownSpan(s *state, sp *span) bool {
	if sp == nil || len(sp.e.persons) == 0 {
		return false
	}
	var buf [4]cand
	if len(spanCands(sp, s.year, buf[:0])) == 0 {
		return false
	}
	// "the Moon": a one-word alias after a lower-case "the" is a thing.
	if sp.j-sp.i == 1 && sp.i > 0 && s.toks[sp.i-1].f&fLower != 0 && s.toks[sp.i-1].h == hThe {
		// "the Trump administration" is attributive use of a person.
		n := int(sp.j)
		if n >= len(s.toks) || s.toks[n].f&fLower == 0 || s.toks[n].w&(wFunction|wStarter) != 0 {
			return false
		}
	}
	// "Harris County", "Obama Foundation": a one-word alias before a
	// capitalised organisation or place noun names a thing.
	if sp.j-sp.i == 1 && thingAfter(s, int(sp.j)) {
		return false
	}
	// "Moon", "May", "Bush": a one-word alias that is also a common word
	// needs a title or a verb of speech.
	if sp.j-sp.i == 1 && s.toks[sp.i].w&wCommon != 0 {
		return d.titleBefore(s, int(sp.i)) || d.speechNear(s, int(sp.i), int(sp.j))
	}
	return true
}

// role classifies token i for name runs; pos is its position in the run
// (0 for the first token).
func (d *data) role(s *state, i int, pos int) int {
	t := s.toks[i]
	if t.f&fWord == 0 || t.f&(fJunk|fDigit) != 0 {
		return rNone
	}
	w := t.w
	if w&wParticle != 0 && (pos > 0 || w&wGiven == 0 && t.f&fCap != 0) && i+1 < len(s.toks) && s.toks[i+1].f&fCap != 0 && s.toks[i+1].f&fWord != 0 {
		return rParticle // "bin Laden", "Van Drew", "de la Madrid", "De Marigny"
	}
	if t.f&fLower != 0 {
		return rNone
	}
	if w&wSuffix != 0 && pos > 0 {
		return rSuffix
	}
	if t.f&fCap == 0 && t.f&fUpper == 0 {
		return rNone
	}
	if t.f&fInitial != 0 {
		return rInitial
	}
	if t.f&fUpper != 0 && t.f&fAllCapsLine == 0 {
		// Acronyms (UN, NATO, WWII) are not names.
		return rNone
	}
	if w&(wNonPerson|wTitle|wHonorific) != 0 {
		return rNone
	}
	if t.f&fAbbrev != 0 {
		// "H.W." in "George H.W. Bush" is a pair of initials.
		if t.f&fNoLower != 0 && t.e-t.s <= 6 && pos > 0 {
			return rInitial
		}
		return rNone
	}
	if pos == 0 && t.f&fSentStart != 0 && w&wStarter != 0 {
		return rNone
	}
	if w&wFunction != 0 {
		return rNone // "TO", "AN" in capitals: function words, though lists of names hold "To"
	}
	if w&wGiven != 0 {
		return rGiven
	}
	if w&(wCommon|wStarter) != 0 {
		return rNone
	}
	if len(s.text[t.s:t.e]) == 1 {
		return rInitial
	}
	return rName
}

// thingNouns end names of places and things, not people ("Rose Garden",
// "Getty Images", "Palm Beach").
var thingNouns = newWordSet(`images image photo photos garden gardens beach beaches park parks street streets
avenue road lane drive boulevard center centre hall house houses tower towers hotel airport square bridge
island islands valley hills heights springs falls county city bay harbor harbour point lake river creek
mountain mountains forest canyon plaza mall court courts field fields stadium arena church chapel
cathedral temple mosque school academy college university institute library museum gallery studios
records pictures press media news group company fund foundation trust bank capital partners holdings
ventures labs systems services solutions technologies network networks day night week act plan
resort resorts inn lodge casino club`)

// eponymNouns after a name make it the name of a thing.
var eponymNouns = newWordSet(`telescope space prize award medal trophy doctrine amendment syndrome disease
effect theorem scale principle affair scandal rule clause cup`)

// elem is a run element: one token or a known span.
type elem struct {
	i, j int32
	role int
}

// findPeople walks the tokens, builds runs of name-like tokens and known
// person spans, and decides which runs are people.
func (d *data) findPeople(s *state) {
	toks := s.toks
	var run [12]elem
	for i := 0; i < len(toks); {
		n, next := d.buildRun(s, i, run[:0])
		if n == nil {
			i++
			continue
		}
		d.decideRun(s, n)
		i = next
	}
	// One-word capitalised tokens on all-caps lines may be surnames of people
	// named in the body.
	for i, t := range toks {
		if t.f&fAllCapsLine == 0 || t.f&fUpper == 0 || s.claimed[i] || s.inSpan[i] != 0 {
			continue
		}
		if t.w&(wCommon|wNonPerson|wFunction) != 0 {
			continue
		}
		s.pend = append(s.pend, pending{tok: int32(i)})
	}
}

// buildRun collects the run starting at token i. It returns nil when no
// name run starts there, and the index after the run.
func (d *data) buildRun(s *state, i int, run []elem) ([]elem, int) {
	toks := s.toks
	k := i
	for k < len(toks) && len(run) < cap(run) {
		if s.inSpan[k] != 0 && s.spanAt[k] == 0 || toks[k].f&fJunk != 0 {
			break // inside a gazetteer phrase that started earlier, or junk
		}
		if sp := s.spanStarting(k); sp != nil {
			if d.knownSpan(s, sp) {
				if len(run) > 0 && toks[k].f&fHyph != 0 && run[len(run)-1].role == rKnown {
					break // "Putin-Xi": two people
				}
				run = append(run, elem{int32(k), sp.j, rKnown})
				k = int(sp.j)
				continue
			}
			// A one-word place or outlet in surname position ("Jim Jordan")
			// or a place that is also a given name before a surname.
			if sp.j-sp.i == 1 && sp.e.role == "" && !sp.e.stop && sp.e.demonym == 0 {
				r := d.role(s, k, len(run))
				if r == rParticle && len(run) > 0 {
					run = append(run, elem{int32(k), int32(k + 1), rParticle})
					k++
					continue
				}
				surnameLike := sp.e.place == 0 || toks[k].w&wGiven != 0 || d.places[sp.e.place-1].weak ||
					len(run) == 1 && run[0].role == rGiven && d.places[sp.e.place-1].typ != "country"
				if len(run) > 0 && surnameLike && (run[len(run)-1].role == rGiven || run[len(run)-1].role == rName) && toks[k].f&fHyph == 0 && (r == rName || r == rGiven) {
					run = append(run, elem{int32(k), int32(k + 1), rName})
					k++
					continue
				}
				// "Jordan Peterson", "Chad Wolf": a place that is also a given
				// name, right before a capitalised surname.
				if len(run) == 0 && r == rGiven && k+1 < len(toks) && s.spanStarting(k+1) == nil && toks[k+1].f&fCap != 0 &&
					toks[k+1].f&fHyph == 0 && toks[k].f&fPoss == 0 && toks[k+1].f&fHeadline == 0 &&
					(d.role(s, k+1, 1) == rName || d.role(s, k+1, 1) == rGiven ||
						toks[k+1].w&(wNonPerson|wTitle|wFunction|wStarter|wSpeech) == 0 && !orgHeads[toks[k+1].h] && !thingNouns[toks[k+1].h] && toks[k+1].f&fDigit == 0) {
					run = append(run, elem{int32(k), int32(k + 1), rGiven})
					k++
					continue
				}
			}
			break
		}
		r := d.role(s, k, len(run))
		if r == rNone {
			// A common word right after a given name is a surname
			// ("Tim Cook", "John Tower").
			if len(run) == 1 && run[0].role == rGiven && toks[k].f&fCap != 0 && toks[k].f&fHyph == 0 &&
				toks[k].f&fHeadline == 0 && toks[k].w&(wNonPerson|wTitle|wFunction|wStarter|wSpeech) == 0 && toks[k].f&fDigit == 0 &&
				!orgHeads[toks[k].h] && !thingNouns[toks[k].h] {
				run = append(run, elem{int32(k), int32(k + 1), rName})
			}
			break
		}
		if len(run) == 0 && r == rSuffix {
			break
		}
		run = append(run, elem{int32(k), int32(k + 1), r})
		k++
		if r == rSuffix {
			break
		}
		if toks[k-1].f&fPoss != 0 {
			break // "Xi's plane": the possessive ends the name
		}
		// A line break or punctuation ends a run (initials carry their period).
		if k < len(toks) && toks[k].f&fLineStart != 0 {
			break
		}
	}
	// Trailing particles are not names.
	for len(run) > 0 && run[len(run)-1].role == rParticle {
		run = run[:len(run)-1]
	}
	if len(run) == 0 {
		return nil, i + 1
	}
	return run, int(run[len(run)-1].j)
}

// decideRun turns a run into person mentions.
func (d *data) decideRun(s *state, run []elem) {
	// Several known full names in a row are separate people; so are the
	// unknown tokens beside a multi-token known span.
	multi := false
	unknown := 0
	for _, e := range run {
		if e.role == rKnown && e.j-e.i >= 2 {
			multi = true
		}
		if e.role != rKnown {
			unknown++
		}
	}
	if multi || unknown == 0 {
		start := -1
		for k, e := range run {
			if e.role == rKnown && (multi && e.j-e.i >= 2 || unknown == 0) {
				if start >= 0 {
					d.decideUnknown(s, run[start:k])
					start = -1
				}
				d.knownMention(s, int(e.i), int(e.j))
				continue
			}
			if start < 0 {
				start = k
			}
		}
		if start >= 0 {
			d.decideUnknown(s, run[start:])
		}
		return
	}
	d.decideUnknown(s, run)
}

// knownMention records a mention of the known person of the span [i, j).
func (d *data) knownMention(s *state, i, j int) {
	sp := s.spanStarting(i)
	var buf [4]cand
	cs := spanCands(sp, s.year, buf[:0])
	for k := i; k < j; k++ {
		s.claimed[k] = true
	}
	if j-i == 1 {
		s.pend = append(s.pend, pending{tok: int32(i), cands: append([]cand(nil), cs...)})
		return
	}
	// "George Washington University", "John F. Kennedy Center": a known
	// name before an organisation or place noun names the thing.
	if thingAfter(s, j) && orgHeads[s.toks[j].h] {
		return
	}
	p := cs[0]
	d.addMention(s, p.person+1, d.people[p.person].name, int(s.toks[i].s), true)
}

// addMention counts a mention of a person, known (index+1) or not.
func (d *data) addMention(s *state, known int32, name string, pos int, full bool) {
	for k := range s.people {
		p := &s.people[k]
		if known != 0 && p.known == known || known == 0 && p.name == name {
			p.count++
			if int32(pos) < p.pos {
				p.pos = int32(pos)
			}
			p.full = p.full || full
			return
		}
	}
	pc := pcand{name: name, known: known, count: 1, pos: int32(pos), full: full}
	if known != 0 {
		kp := d.people[known-1]
		pc.first, pc.last = kp.first, kp.last
	}
	s.people = append(s.people, pc)
}

// decideUnknown decides whether a run without a multi-token known alias is
// a person, and records it.
func (d *data) decideUnknown(s *state, run []elem) {
	toks := s.toks
	// "Countryman Lawrence Cherono": a capitalised sentence opener before a
	// given name is not part of the name.
	if len(run) >= 3 && run[0].role == rName && run[1].role == rGiven && toks[run[0].i].f&fSentStart != 0 {
		run = run[1:]
	}
	if len(run) == 0 {
		return
	}
	a, b := int(run[0].i), int(run[len(run)-1].j)
	// Core units: tokens without the suffix, particles, middle initials and
	// hyphenated continuations ("Ocasio-Cortez" is one unit).
	firstTok, lastTok := -1, -1
	nCore := 0
	for k, e := range run {
		if e.role == rSuffix || e.role == rParticle {
			continue
		}
		if e.role == rInitial && k > 0 {
			continue
		}
		for t := e.i; t < e.j; t++ {
			// A hyphenated continuation ("Ocasio-Cortez") is not a new
			// unit, unless it follows a particle ("al-Assadi").
			if toks[t].f&fHyph != 0 && (t > e.i || k > 0 && run[k-1].role != rParticle) {
				continue
			}
			if firstTok < 0 {
				firstTok = int(t)
			}
			lastTok = int(t)
			nCore++
		}
	}
	if firstTok < 0 {
		return
	}
	if nCore == 1 {
		// One word: a surname resolved later against the article's full names.
		if sp := s.spanStarting(firstTok); sp != nil && d.knownSpan(s, sp) {
			d.knownMention(s, firstTok, int(sp.j))
			return
		}
		if run[0].role == rName || run[0].role == rGiven {
			s.pend = append(s.pend, pending{tok: int32(firstTok)})
		}
		return
	}
	// A known person under another form: same first and last name.
	if idx, ok := d.knownByVariant(toks[firstTok].h, toks[lastTok].h); ok {
		for k := a; k < b; k++ {
			s.claimed[k] = true
		}
		d.addMention(s, idx+1, d.people[idx].name, int(toks[a].s), true)
		return
	}
	if toks[a].f&fAllCapsLine != 0 {
		return
	}
	// Companies ("McDonnell Douglas" beside "McDonnell Douglas Corp"),
	// things ("the Geneva Conventions", "Ginnie Mae executive") and towns in
	// a list of places ("Miami Beach and Coral Gables") are not people.
	if s.isOrg(firstTok, lastTok) || s.thingContext(a, b) || d.placeListItem(s, a, b) {
		return
	}
	// "Bill William": two forms of one given name are a fragment.
	if nCore == 2 && d.sameGiven(toks[firstTok].h, toks[lastTok].h) {
		return
	}
	// "Al Noor Mosque", "James Webb Space Telescope": a capitalised noun
	// after the run makes it the name of a thing.
	if b < len(toks) && toks[b].f&fWord != 0 && toks[b].f&fCap != 0 && toks[b].f&fSentStart == 0 && toks[a].f&fHeadline == 0 &&
		(orgHeads[toks[b].h] || toks[b].w&wNonPerson != 0 || toks[b].w&wCommon != 0 && toks[b].w&(wTitle|wSpeech|wFunction) == 0) {
		return
	}
	// "Getty Images", "Rose Garden", "Palm Beach": names of things.
	if orgHeads[toks[lastTok].h] || thingNouns[toks[lastTok].h] {
		return
	}
	// "the James Webb space telescope", "the Nobel prize": an eponym.
	if b < len(toks) && toks[b].f&fLower != 0 && eponymNouns[toks[b].h] {
		return
	}
	first := run[0].role
	if first == rInitial && len(run) > 1 {
		first = run[1].role
	}
	given := first == rGiven
	surFirst := toks[firstTok].w&wSurnameFirst != 0 && nCore <= 3
	headline := toks[a].f&fHeadline != 0
	ok, deferred := false, false
	switch {
	case nCore > 4:
	case headline:
		ok = given && nCore <= 3
	case given || surFirst:
		ok = true
	default:
		ok = d.titleBefore(s, a) || d.speechNear(s, a, b) || d.appositive(s, b) || d.ofCue(s, b)
		deferred = !ok
	}
	name := d.nameString(s, run, given)
	if !ok {
		if deferred && nCore <= 3 {
			s.deferred = append(s.deferred, pcand{name: name, first: toks[firstTok].h, last: toks[lastTok].h, pos: toks[a].s, count: 1, full: true, tokA: int32(a), tokB: int32(b)})
		}
		// The last word may still be a surname of someone named in full.
		if run[len(run)-1].role == rName {
			s.pend = append(s.pend, pending{tok: int32(lastTok)})
		}
		return
	}
	for k := a; k < b; k++ {
		s.claimed[k] = true
	}
	d.addUnknown(s, pcand{name: name, first: toks[firstTok].h, last: toks[lastTok].h, count: 1, pos: toks[a].s, full: true})
}

// addUnknown adds or merges a person not in the gazetteers. Spellings that
// differ only in diacritics merge; the one with diacritics wins. Short and
// long forms of the given name with the same surname ("Ken Starr", "Kenneth
// Starr") merge under the form the article writes first.
func (d *data) addUnknown(s *state, pc pcand) {
	f := ""
	for k := range s.people {
		p := &s.people[k]
		if p.known != 0 {
			continue
		}
		same := p.name == pc.name || p.last == pc.last && p.first != pc.first && d.sameGiven(p.first, pc.first)
		if !same && (!isASCII(p.name) || !isASCII(pc.name)) {
			if f == "" {
				f = leaders.Fold(pc.name)
			}
			same = leaders.Fold(p.name) == f
		}
		if same {
			p.count += pc.count
			if pc.pos < p.pos {
				p.pos = pc.pos
			}
			if !isASCII(pc.name) && isASCII(p.name) {
				p.name = pc.name
			}
			return
		}
	}
	s.people = append(s.people, pc)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ofCue reports "X Y of Kenya", "X Y of UNICEF", "X Y of the Hajo assembly".
func (d *data) ofCue(s *state, b int) bool {
	toks := s.toks
	if b+1 >= len(toks) || toks[b].f&fWord == 0 || toks[b].h != hOf {
		return false
	}
	k := b + 1
	if toks[k].f&fWord != 0 && toks[k].h == hThe && k+1 < len(toks) {
		k++
	}
	return toks[k].f&fWord != 0 && toks[k].f&(fCap|fUpper) != 0
}

// nameString builds the canonical text of a run: words joined by spaces
// (hyphens kept), middle initials dropped, and the middle name of a
// three-word name that starts with a given name dropped ("Michael Robert
// Milken" → "Michael Milken").
func (d *data) nameString(s *state, run []elem, given bool) string {
	units := 0
	for _, e := range run {
		for t := e.i; t < e.j; t++ {
			if s.toks[t].f&fHyph == 0 && e.role != rInitial && e.role != rSuffix {
				units++
			}
		}
	}
	// Western names drop the middle name; others keep it ("Tedros Adhanom
	// Ghebreyesus").
	dropMiddle := given && units == 3 && len(run) == 3 && run[1].role != rParticle && run[1].role != rInitial &&
		s.toks[run[0].i].w&wGivenEn != 0
	var b strings.Builder
	for k, e := range run {
		if e.role == rInitial && k > 0 && k < len(run)-1 {
			continue
		}
		if dropMiddle && k == 1 {
			continue
		}
		for t := e.i; t < e.j; t++ {
			tok := s.toks[t]
			if b.Len() > 0 {
				if tok.f&fHyph != 0 {
					b.WriteByte('-')
				} else {
					b.WriteByte(' ')
				}
			}
			b.WriteString(s.text[tok.s:tok.e])
		}
	}
	return b.String()
}

// titleBefore reports whether a title or honorific precedes token a.
func (d *data) titleBefore(s *state, a int) bool {
	p := a - 1
	if p < 0 {
		return false
	}
	t := s.toks[p]
	if t.f&fWord != 0 && t.w&(wTitle|wHonorific) != 0 {
		return true
	}
	if sp := s.spanCovering(p); sp != nil && sp.e.role != "" {
		return true
	}
	// "One activist, Nur Khan Liton", "his successor, Evariste Ndayishimiye".
	if s.isPunct(p, ',') && p-1 >= 0 {
		q := s.toks[p-1]
		if q.f&fWord != 0 && q.f&fLower != 0 && q.w&wTitle != 0 {
			return true
		}
	}
	return false
}

// speechNear reports a verb of speech right after the run ("X Y said",
// "X Y, who") or right before it ("said X Y").
func (d *data) speechNear(s *state, a, b int) bool {
	toks := s.toks
	k := b
	if s.isPunct(k, ',') {
		k++
	}
	if k < len(toks) && toks[k].f&fWord != 0 && toks[k].w&wSpeech != 0 {
		return true
	}
	p := a - 1
	if s.isPunct(p, ',') {
		p--
	}
	if p >= 0 && toks[p].f&fWord != 0 && toks[p].w&wSpeech != 0 {
		return true
	}
	return false
}

var appositiveWords = func() map[uint64]bool {
	m := map[uint64]bool{}
	for _, w := range []string{"a", "an", "the", "who", "whose", "his", "her", "its", "aged", "age", "born"} {
		m[hashWord(w)] = true
	}
	return m
}()

// appositive reports ", a/the/who..." or ", 45," after the run.
func (d *data) appositive(s *state, b int) bool {
	if !s.isPunct(b, ',') || b+1 >= len(s.toks) {
		return false
	}
	t := s.toks[b+1]
	if t.f&fDigit != 0 || t.f&fWord != 0 && appositiveWords[t.h] {
		return true
	}
	// "Paweł Adamowicz, mayor of", "Budi Gunawan, chief of".
	return t.f&fWord != 0 && t.f&fLower != 0 && t.w&wTitle != 0
}

// resolvePending attributes one-word mentions: to a person of the article
// with that surname, else to the known person the alias names.
func (d *data) resolvePending(s *state) {
	// Full names without a cue count when the surname recurs alone
	// ("Karsten Warholm ... Warholm said") or the name recurs.
	for k, dc := range s.deferred {
		ok := false
		for m, o := range s.deferred {
			if m != k && o.name == dc.name {
				ok = true
			}
		}
		for _, p := range s.pend {
			if ok {
				break
			}
			if len(p.cands) == 0 && (p.tok < dc.tokA || p.tok >= dc.tokB) && s.toks[p.tok].h == dc.last && !s.claimed[p.tok] {
				ok = true
			}
		}
		if ok {
			for t := dc.tokA; t < dc.tokB; t++ {
				s.claimed[t] = true
			}
			d.addUnknown(s, dc)
		}
	}
	for _, p := range s.pend {
		t := s.toks[p.tok]
		if s.claimed[p.tok] && len(p.cands) == 0 {
			continue
		}
		// Prefer a known candidate already in the article, then anyone in
		// the article with that surname, then the first valid candidate.
		var target *pcand
		for _, c := range p.cands {
			for k := range s.people {
				if s.people[k].known == c.person+1 {
					target = &s.people[k]
					break
				}
			}
			if target != nil {
				break
			}
		}
		if target == nil {
			for k := range s.people {
				if (s.people[k].full || s.people[k].known != 0) && s.people[k].last == t.h {
					target = &s.people[k]
					break
				}
			}
		}
		if target != nil {
			target.count++
			if t.s < target.pos {
				target.pos = t.s
			}
			s.claimed[p.tok] = true
			continue
		}
		// A surname alone that is a word of one of the article's companies
		// ("Mueller Brass Co ... the Mueller sale", "Carter Hawley Hale
		// Stores Inc ... Carter Hawley said") names the company, not the
		// famous person of that surname; a person named in full was
		// matched above. On an all-caps line of the body (a price table:
		// "THREE MONTHS 424.00/426.00 PENCE", a shouted related-story
		// promo) a surname counts, as unknown ones do, only for a person
		// the body names; the article's own title ("BAKER SAYS ...", as
		// Reuters-21578 writes every title) is story text.
		if len(p.cands) > 0 && !s.orgWord(t.h) && (t.f&fAllCapsLine == 0 || t.s < s.body) {
			c := p.cands[0]
			d.addMention(s, c.person+1, d.people[c.person].name, int(t.s), false)
			s.claimed[p.tok] = true
		}
	}
	// Surnames standing alone that were not yet seen as pending (e.g. inside
	// a rejected run) are handled above; nothing else to do.
}

// resolveRoles turns role phrases ("the Chinese leader", "Fed Chairman")
// into mentions of the holder on the article's date.
func (d *data) resolveRoles(s *state) {
	if s.date.IsZero() {
		return
	}
	toks := s.toks
	for si := range s.spans {
		sp := &s.spans[si]
		if sp.e.role == "" {
			continue
		}
		i, j := int(sp.i), int(sp.j)
		// "Vice President", "former president", "the former Chinese
		// president", "Deputy Prime Minister".
		p := i - 1
		if sp := s.spanCovering(p); sp != nil && (sp.e.demonym != 0 || sp.e.place != 0) {
			p = int(sp.i) - 1
		}
		if p >= 0 && toks[p].f&fWord != 0 && toks[p].w&wNegPre != 0 {
			continue
		}
		if p := i - 1; p >= 0 && toks[p].f&fWord != 0 && toks[p].w&wNegPre != 0 {
			continue
		}
		if toks[i].f&fHyph != 0 {
			continue // "Vice-President"
		}
		// A name right after the title is the mention itself.
		if j < len(toks) && toks[j].f&fWord != 0 && toks[j].f&(fCap|fUpper) != 0 && (d.role(s, j, 0) != rNone || d.knownSpan(s, s.spanStarting(j))) {
			continue
		}
		title := strings.ToLower(s.text[toks[i].s:toks[j-1].e])
		plural := strings.HasSuffix(title, "s") && title != "ecb chiefs"
		countries := d.roleCountries(s, i, j, title)
		for _, c := range countries {
			role, ok := leaders.RoleForCountry(strings.TrimSuffix(title, "s"), c)
			if !plural {
				role, ok = leaders.RoleForCountry(title, c)
			}
			if !ok {
				continue
			}
			term, ok := d.lead.Holder(c, role, s.date)
			if !ok {
				continue
			}
			idx, ok := d.byName[term.Person]
			if !ok {
				continue
			}
			d.addMention(s, idx+1, term.Person, int(toks[i].s), false)
		}
	}
}

// roleCountries returns the countries a title at tokens [i, j) refers to:
// "the Chinese president", "China's president", "the U.S. president",
// "president of Russia", "prime ministers of Belgium, Spain and France".
func (d *data) roleCountries(s *state, i, j int, title string) []string {
	if c, ok := titleCountry[title]; ok {
		return []string{c}
	}
	toks := s.toks
	// Before the title.
	if p := i - 1; p >= 0 {
		if sp := s.spanCovering(p); sp != nil && int(sp.j) == i {
			if sp.e.demonym != 0 {
				return []string{d.places[sp.e.demonym-1].name}
			}
			if sp.e.place != 0 {
				pl := d.places[sp.e.place-1]
				if pl.typ == "country" {
					return []string{pl.name}
				}
			}
		}
	}
	// After: "of Russia", "of Belgium, Luxembourg and France".
	if j+1 < len(toks) && toks[j].f&fWord != 0 && s.word(j) == "of" {
		var out []string
		k := j + 1
		if k < len(toks) && strings.EqualFold(s.word(k), "the") {
			k++
		}
		for k < len(toks) {
			sp := s.spanStarting(k)
			if sp == nil || sp.e.place == 0 || d.places[sp.e.place-1].typ != "country" {
				break
			}
			out = append(out, d.places[sp.e.place-1].name)
			k = int(sp.j)
			if !strings.HasSuffix(title, "s") {
				break
			}
			if s.isPunct(k, ',') {
				k++
			}
			if k < len(toks) && toks[k].f&fWord != 0 && s.word(k) == "and" {
				k++
			}
		}
		return out
	}
	return nil
}
