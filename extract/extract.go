// Package extract finds the people, cited news outlets, places and leaders
// named in an article. It is the pipeline stage between ingest and chunk and
// runs on every article at index time, so it is a hand-written tokenizer and
// hash-keyed gazetteers, with no regular expressions in the hot path.
//
// People are found by a name recogniser (capitalised token runs with cues:
// titles, given names, verbs of speech) plus gazetteers of known people and
// of the leaders package; role phrases ("the Chinese leader") resolve to the
// office holder on the article's date. Names are canonical across the index
// ("Putin", "President Putin", "Vladimir V. Putin" → "Vladimir Putin") and a
// surname alone resolves to the full name used elsewhere in the article.
// The data files under data/ are embedded; data/README.md describes them.
package extract

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract/leaders"
)

// Extractor extracts entities from articles. It is immutable after New and
// safe for concurrent use.
type Extractor struct {
	d    *data
	pool sync.Pool
}

// New loads the embedded gazetteers and the leaders dataset.
func New() (*Extractor, error) {
	d, err := loadData()
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	x := &Extractor{d: d}
	x.pool.New = func() any { return &state{} }
	return x, nil
}

// Leaders returns the leaders dataset the extractor resolves roles with.
func (x *Extractor) Leaders() *leaders.Dataset { return x.d.lead }

// span is a gazetteer match over tokens [i, j).
type span struct {
	i, j int32
	e    *entry
}

// mention is one mention of an entity.
type mention struct {
	key string // canonical name
	pos int32  // byte offset
	tok int32  // first token
	amb bool   // matched by an ambiguous outlet alias
}

// pcand is a person found in the article.
type pcand struct {
	name  string
	known int32 // index+1 into data.people
	first uint64
	last  uint64
	count int
	pos   int32
	full  bool // named with at least two tokens somewhere
	// tokA, tokB are the tokens of a deferred full name.
	tokA, tokB int32
}

// pending is a one-token person mention resolved once all full names of the
// article are known.
type pending struct {
	tok   int32
	cands []cand // known persons the token may name
}

// state is the per-call scratch space, pooled to avoid allocations.
type state struct {
	tk       tokenizer
	text     string
	toks     []token
	spanAt   []int32 // per token: index+1 of the span starting there
	inSpan   []int32 // per token: index+1 of the span covering it
	claimed  []bool  // per token: used by a person
	spans    []span
	people   []pcand
	pend     []pending
	deferred []pcand // full names without a cue, accepted if the surname recurs
	places   []mention
	outlets  []mention
	orgs     []orgKey // organisation names of the article (findOrgNames)
	orgWords []uint64 // words of those names outside headlines (orgWord)
	body     int32    // offset of the body in text: tokens before it are the title
	year     int
	date     time.Time
}

func (s *state) reset(text string) {
	s.text = text
	s.toks = s.tk.tokenize(text)
	n := len(s.toks)
	s.spanAt = grow(s.spanAt, n)
	s.inSpan = grow(s.inSpan, n)
	if cap(s.claimed) < n {
		s.claimed = make([]bool, n)
	}
	s.claimed = s.claimed[:n]
	clear(s.claimed)
	s.spans = s.spans[:0]
	s.people = s.people[:0]
	s.pend = s.pend[:0]
	s.deferred = s.deferred[:0]
	s.places = s.places[:0]
	s.outlets = s.outlets[:0]
}

func grow(b []int32, n int) []int32 {
	if cap(b) < n {
		return make([]int32, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// Extract fills a.People, a.Cited, a.Places and a.Leaders from a.Title and
// a.Body, using a.Published to resolve roles and a.Outlet to leave the
// publisher out of the cited outlets. It sets a.Dateline when it is empty
// and the body starts with a place dateline. Entities are ordered by first
// mention; First offsets are into a.Title + "\n" + a.Body.
func (x *Extractor) Extract(a *newsdex.Article) {
	s := x.pool.Get().(*state)
	defer x.pool.Put(s)
	text := a.Title + "\n" + a.Body
	s.reset(text)
	s.body = int32(len(a.Title) + 1)
	s.date = a.Published
	s.year = 0
	if !a.Published.IsZero() {
		s.year = a.Published.Year()
	}
	d := x.d
	toks := s.toks
	for i := range toks {
		if toks[i].f&(fWord|fJunk) == fWord {
			toks[i].w, _ = d.wordsT.get(toks[i].h)
		}
	}
	markLines(s)
	markGlued(s)
	d.matchSpans(s)
	d.markCredits(s)
	d.findOrgNames(s)
	markExpansions(s)
	markNameExpansions(s)
	d.findPeople(s)
	d.resolveRoles(s)
	d.resolvePending(s)
	d.surnameSpans(s)
	dateline := d.findDateline(s, len(a.Title)+1)
	d.findPlaces(s)
	d.findPatternPlaces(s)
	d.findOutlets(s, a.Outlet)

	a.People = nil // fresh slices: a copied Article must not share them
	a.Leaders = nil
	var roles []string
	for _, p := range s.people {
		if p.count == 0 {
			continue
		}
		name, internal := p.name, p.name
		if p.known != 0 {
			kp := d.people[p.known-1]
			internal = kp.name
			if kp.display != "" {
				name = kp.display
			}
		}
		e := newsdex.Entity{Name: name, Count: p.count, First: int(p.pos)}
		a.People = append(a.People, e)
		if p.known != 0 && d.people[p.known-1].leader && !a.Published.IsZero() {
			if ts := d.lead.Offices(internal, a.Published); len(ts) > 0 {
				e.Office = bestOffice(ts)
				a.Leaders = append(a.Leaders, e)
				for _, t := range ts {
					roles = d.rolePhrases(roles, t)
				}
			}
		}
	}
	sortEntities(a.People)
	sortEntities(a.Leaders)
	a.Roles = roles
	a.Cited = collect(nil, s.outlets)
	if dateline != "" && a.Dateline == "" {
		a.Dateline = dateline
	}
	if a.Dateline != "" {
		// Aliases first: the dateline "WASHINGTON" is the capital, not the
		// state whose canonical name is "Washington".
		if key, ok := d.lookupPlace(a.Dateline); ok {
			s.places = append(s.places, mention{key: key, pos: -1})
		} else if i, ok := d.placeIdx[a.Dateline]; ok {
			s.places = append(s.places, mention{key: d.places[i].name, pos: -1})
		}
	}
	a.Places = collect(nil, s.places)
	if len(a.People) == 0 {
		a.People = nil
	}
	if len(a.Leaders) == 0 {
		a.Leaders = nil
	}
	if len(a.Cited) == 0 {
		a.Cited = nil
	}
	if len(a.Places) == 0 {
		a.Places = nil
	}
}

// rolePhrases appends the ways news names t's office: the office itself,
// and the role word with the country's demonym, name and possessive
// ("Chinese president", "China president", "China's president"), plus
// "leader" for heads of state or government.
func (d *data) rolePhrases(out []string, t leaders.Term) []string {
	out = append(out, t.Office)
	word, _, ok := strings.Cut(t.Office, " of ")
	if !ok {
		return out
	}
	words := []string{strings.ToLower(word)}
	switch t.Role {
	case leaders.RoleHeadOfState, leaders.RoleHeadOfGovernment, leaders.RoleHeadOfStateAndGovernment, leaders.RoleSupremeLeader:
		words = append(words, "leader")
	}
	dem := d.demonyms[t.Country]
	for _, w := range words {
		if dem != "" {
			out = append(out, dem+" "+w)
		}
		out = append(out, t.Country+" "+w, t.Country+"'s "+w)
	}
	return out
}

// bestOffice picks the office to show: head of state or government before
// party, finance and central-bank offices.
func bestOffice(ts []leaders.Term) string {
	rank := func(r string) int {
		switch r {
		case leaders.RoleHeadOfStateAndGovernment, leaders.RoleHeadOfState:
			return 0
		case leaders.RoleHeadOfGovernment, leaders.RoleSupremeLeader:
			return 1
		case leaders.RoleFinanceMinister, leaders.RoleCentralBank, leaders.RoleSecretaryGeneral:
			return 2
		}
		return 3
	}
	best := ts[0]
	for _, t := range ts[1:] {
		if rank(t.Role) < rank(best.Role) {
			best = t
		}
	}
	return best.Office
}

// collect turns mentions into entities, counting and keeping the first
// position (a mention at -1 only counts if nothing else does).
func collect(out []newsdex.Entity, ms []mention) []newsdex.Entity {
	for _, m := range ms {
		found := false
		for k := range out {
			if out[k].Name == m.key {
				if m.pos >= 0 {
					out[k].Count++
					if out[k].First < 0 || int(m.pos) < out[k].First {
						out[k].First = int(m.pos)
					}
				}
				found = true
				break
			}
		}
		if !found {
			c := 1
			if m.pos < 0 {
				c = 0
			}
			out = append(out, newsdex.Entity{Name: m.key, Count: c, First: int(m.pos)})
		}
	}
	for k := range out {
		if out[k].Count == 0 {
			out[k].Count = 1
		}
	}
	sortEntities(out)
	return out
}

// sortEntities orders by first mention; entities without a position go last.
func sortEntities(es []newsdex.Entity) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].First, es[j].First
		if a < 0 {
			return false
		}
		if b < 0 {
			return true
		}
		return a < b
	})
}

// markLines flags the words of lines written in title case or capitals
// (headlines), where capitalisation says nothing about names.
func markLines(s *state) {
	toks := s.toks
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && (i == start || toks[i].f&fLineStart == 0) {
			continue
		}
		// Line [start, i).
		nCap, nLow, nUp, nWords := 0, 0, 0, 0
		for k := start; k < i; k++ {
			t := toks[k]
			if t.f&fWord == 0 || t.f&(fDigit|fJunk) != 0 {
				continue
			}
			nWords++
			switch {
			case t.f&fUpper != 0:
				nUp++
			case t.f&fCap != 0:
				nCap++
			case t.f&fLower != 0:
				if t.w&wFunction == 0 {
					nLow++
				}
			}
		}
		var f uint32
		if nUp >= 3 && nUp*10 >= nWords*7 {
			f = fHeadline | fAllCapsLine
		} else if nCap+nUp >= 3 && nLow == 0 {
			f = fHeadline
		}
		if f != 0 {
			for k := start; k < i; k++ {
				toks[k].f |= f
			}
		}
		start = i
	}
}

// markGlued claims the tokens of scraper link expansions, as in The Hill's
// "Sen. Ted CruzRafael (Ted) Edward CruzTrump ...": the text between two
// glued word boundaries a few words apart repeats a name and is skipped.
func markGlued(s *state) {
	toks := s.toks
	last := -1
	for i := range toks {
		if toks[i].f&fGlued == 0 {
			continue
		}
		if last >= 0 && i-last <= 10 {
			for k := last; k < i; k++ {
				s.claimed[k] = true
				toks[k].f |= fJunk
			}
		}
		last = i
	}
}

// markExpansions claims a full-name expansion right after a name, as in
// scraped "Speaker Paul Ryan Paul Davis Ryan Retirees should ..." or
// "Robert Mueller Robert (Bob) Swan Mueller": capitalised words (and a
// parenthesised nickname) up to a repeat of the name's last word.
func markExpansions(s *state) {
	toks := s.toks
	for si := range s.spans {
		sp := &s.spans[si]
		if len(sp.e.persons) == 0 || sp.j-sp.i < 2 {
			continue
		}
		last := toks[sp.j-1].h
		j := int(sp.j)
		if j >= len(toks) || toks[j].f&fCap == 0 || toks[j].f&fLineStart != 0 {
			continue
		}
		for k := j; k < len(toks) && k < j+8; k++ {
			t := toks[k]
			if t.f&fPunct != 0 && (t.h == '(' || t.h == ')') {
				continue
			}
			if t.f&fWord == 0 || t.f&(fCap|fUpper) == 0 {
				break
			}
			if t.h == last && k > j {
				for m := j; m <= k; m++ {
					s.claimed[m] = true
					toks[m].f |= fJunk
				}
				break
			}
		}
	}
}
