package extract

import "strings"

// orgHeadWords end organisation, team, building and event names: a place
// right before them ("Utah Jazz", "Baghdad International Airport") is part
// of the name, not a place mention.
var orgHeadWords = `university college institute institution airlines airways airport stadium arena bank
group corp corp. corporation company inc inc. ltd ltd. holdings marathon open post times journal herald
tribune gazette chronicle news daily globe observer independent sun star review magazine board resources
club fc united zoo symphony orchestra philharmonic opera ballet cathedral church mosque temple palace
tower bridge station hotel casino mall festival prize award cup games olympics accords accord agreement
treaty protocol convention declaration conference forum hospital museum library school center centre
foundation war wars jazz lakers knicks yankees mets giants jets rangers cowboys patriots bulls celtics
warriors rockets raiders dolphins nationals capitals redskins steelers packers bears eagles saints sox
cubs dodgers braves astros heat thunder clippers nets spurs mavericks bucks chiefs broncos seahawks
vikings falcons panthers chargers bengals browns ravens titans texans colts jaguars cardinals rams 49ers
kings sharks flyers bruins penguins blackhawks canucks oilers flames senators canadiens maple leafs
reds pirates orioles mariners athletics twins royals tigers guardians indians brewers marlins padres
rockies diamondbacks phillies white fire galaxy timbers sounders whitecaps fever storm sparks liberty
aces wings mercury dream sky lynx airlines express ballet philharmonic stock exchange resources
institute polytechnic villa rovers wanderers albion hotspur athletic pelicans hornets grizzlies pistons cavaliers magic hawks wizards pacers
timberwolves suns blazers nuggets raptors 76ers sixers analytica energy motors motor party movement
front brigade brigades army militia council committee commission ministry agency organization organisation
federation league alliance coalition association society fund authority
conventions treaties protocols agreements declarations conferences securities bancorp bankshares banque
brokerage brokers underwriters generale generali sa ag nv plc llc gmbh spa s.a. n.v. a.g. cie bhd`

// placeStateCue words after "New York" make it the state.
var stateCueWords = `gov gov. governor attorney legislature assembly senate senator sen. state lawmakers
comptroller lt. lieutenant`

type wordSet map[uint64]bool

func newWordSet(list string) wordSet {
	m := wordSet{}
	for _, w := range strings.Fields(list) {
		m[hashWord(w)] = true
	}
	return m
}

var (
	orgHeads  = newWordSet(orgHeadWords)
	stateCues = newWordSet(stateCueWords)
	hOf       = hashWord("of")
	hAnd      = hashWord("and")
	hThe      = hashWord("the")
	hUpstate  = hashWord("upstate")
	hDistrict = hashWord("district")
)

// findPlaces records place mentions from the gazetteer spans that no person
// took and that are not part of an organisation's name.
func (d *data) findPlaces(s *state) {
	toks := s.toks
	for si := range s.spans {
		sp := &s.spans[si]
		if sp.e.place == 0 || sp.e.stop || sp.e.demonym != 0 {
			continue
		}
		i, j := int(sp.i), int(sp.j)
		if s.claimed[i] {
			continue
		}
		pl := d.places[sp.e.place-1]
		national := pl.name == "United States" || pl.name == "United Kingdom"
		// "US$" is a currency sign.
		if national && s.isPunct(j, '$') && toks[j].s == toks[j-1].e {
			continue
		}
		if !national && d.inOrgName(s, i, j) {
			continue
		}
		if (pl.weak || sp.e.placeWeak) && !d.placeCue(s, i, j) {
			continue
		}
		// "Sidley Austin": a one-word city after an unknown capitalised word
		// is likely part of a name.
		if j-i == 1 && pl.typ != "country" && i > 0 && toks[i-1].f&fCap != 0 && toks[i-1].f&fSentStart == 0 &&
			s.inSpan[i-1] == 0 && toks[i-1].f&fHeadline == 0 && d.role(s, i-1, 1) >= rGiven && d.role(s, i-1, 1) <= rName && !d.placeCue(s, i, j) {
			continue
		}
		name := pl.name
		// The article's spelling wins when it differs only in diacritics
		// ("Poznan" for Poznań).
		if surface := s.text[toks[i].s:toks[j-1].e]; surface != name && toks[i].f&fUpper == 0 && foldDiacritics(name) == surface {
			name = surface
		}
		switch name {
		case "New York City":
			if j-i == 2 && d.meansState(s, i, j) {
				name = "New York"
			}
		case "Washington, D.C.":
			if j-i == 1 && d.inStateList(s, i, j) {
				name = "Washington"
			}
		}
		s.places = append(s.places, mention{key: name, pos: toks[i].s, tok: int32(i)})
	}
}

// unitWords are the nouns of "the town of X" and "X province".
var (
	unitOf    = newWordSet(`town city village capital province region district state county governorate oblast municipality prefecture suburb port hamlet settlement`)
	unitAfter = newWordSet(`province district county governorate oblast prefecture municipality regency`)
)

// findPatternPlaces finds towns the gazetteer lacks from their context:
// "Koszalin, Poland", "the town of Kutama", "Pandeglang regency".
func (d *data) findPatternPlaces(s *state) {
	toks := s.toks
	for i := 0; i < len(toks); i++ {
		if s.claimed[i] || s.inSpan[i] != 0 || toks[i].f&fCap == 0 || toks[i].f&fHeadline != 0 {
			continue
		}
		// The run of capitalised name-like words starting here; "Cape",
		// "Port", "San" may start it.
		j := i
		for j < len(toks) && j-i < 3 && s.inSpan[j] == 0 && !s.claimed[j] && toks[j].f&fCap != 0 {
			r := d.role(s, j, j-i)
			if !(r >= rGiven && r <= rName || j == i && placePrefixes[toks[j].h] && j+1 < len(toks) && toks[j+1].f&fCap != 0) {
				break
			}
			j++
			if toks[j-1].f&fPoss != 0 {
				break
			}
		}
		// "College Park, Maryland": before ", State" any capitalised words
		// (not titles or function words) can name the town.
		wide := i
		for wide < len(toks) && wide-i < 3 && s.inSpan[wide] == 0 && !s.claimed[wide] && toks[wide].f&fCap != 0 &&
			toks[wide].f&(fPoss|fJunk) == 0 {
			if r := d.role(s, wide, wide-i); !(r >= rGiven && r <= rName || townNouns[toks[wide].h]) {
				break
			}
			wide++
		}
		if wide > j && s.isPunct(wide, ',') {
			j = wide
		}
		if j == i || j == i+1 && placePrefixes[toks[i].h] {
			continue
		}
		ok := false
		// "Koszalin, Poland" / "Cape Canaveral, Florida".
		if s.isPunct(j, ',') && toks[j-1].f&fPoss == 0 {
			if sp := s.spanStarting(j + 1); sp != nil && sp.e.place != 0 {
				pl := d.places[sp.e.place-1]
				k := int(sp.j)
				after := k >= len(toks) || toks[k].f&fWord == 0 || toks[k].f&fCap == 0
				if after && (pl.typ == "country" || pl.typ == "region") {
					ok = true
				}
			}
		}
		// "the town of Kutama", "the towns of Beni, Butembo, Mangina, and
		// Katwa": a unit noun, "of", then a list.
		if !ok && d.afterUnitOf(s, i) {
			ok = true
		}
		// "Maidan Wardak province".
		if !ok && j < len(toks) && toks[j].f&fLower != 0 && unitAfter[toks[j].h] {
			ok = true
		}
		// "between Baracoa and Guantanamo", "from Baracoa to Havana".
		if !ok && d.coordinatedWithPlace(s, i, j) {
			ok = true
		}
		if !ok {
			continue
		}
		name := d.placeString(s, i, j)
		s.places = append(s.places, mention{key: name, pos: toks[i].s, tok: int32(i)})
		for k := i; k < j; k++ {
			s.claimed[k] = true
		}
		i = j - 1
	}
}

// townNouns are the common words of town names ("College Park", "Palm
// Beach", "Cedar Rapids").
var townNouns = newWordSet(`college park beach falls springs city heights valley hills point harbor harbour bay
lake port fort mount grove creek rapids bluffs junction village township center centre gardens garden river
rock rocks field fields wood woods ridge view island islands haven bridge cliffs meadows plains prairie
mills mill station crossing landing shores spring forest glen glade terrace vista`)

// placePrefixes start multi-word place names that the name recogniser
// would not take ("Cape Canaveral", "Port Moresby").
var placePrefixes = newWordSet(`cape port fort mount lake san santa saint st. st sao são el al ras`)

// afterUnitOf reports whether token i follows "the town(s) of", possibly
// further down a comma/and list of capitalised names.
func (d *data) afterUnitOf(s *state, i int) bool {
	toks := s.toks
	for k, n := i-1, 0; k >= 1 && n < 12; k, n = k-1, n+1 {
		t := toks[k]
		switch {
		case t.f&fWord != 0 && t.h == hOf:
			return toks[k-1].f&fLower != 0 && (unitOf[toks[k-1].h] || unitOfPlural[toks[k-1].h])
		case t.f&fPunct != 0 && t.h == ',', t.f&fWord != 0 && t.h == hAnd:
			continue
		case t.f&fWord != 0 && t.f&fCap != 0:
			continue
		default:
			return false
		}
	}
	return false
}

var unitOfPlural = newWordSet(`towns cities villages provinces regions districts states counties municipalities`)

var (
	hBetween = hashWord("between")
	hFrom    = hashWord("from")
	hTo      = hashWord("to")
)

// coordinatedWithPlace reports "between X and Place", "from X to Place" and
// the mirrored forms, for the run [i, j).
func (d *data) coordinatedWithPlace(s *state, i, j int) bool {
	toks := s.toks
	isCity := func(sp *span) bool {
		return sp != nil && sp.e.place != 0 && d.places[sp.e.place-1].typ != "country"
	}
	word := func(k int, h uint64) bool { return k >= 0 && k < len(toks) && toks[k].f&fWord != 0 && toks[k].h == h }
	// X first.
	if word(i-1, hBetween) && word(j, hAnd) || word(i-1, hFrom) && word(j, hTo) {
		return isCity(s.spanStarting(j + 1))
	}
	// X second: "between Place and X", "from Place to X".
	if word(i-1, hAnd) || word(i-1, hTo) {
		if sp := s.spanCovering(i - 2); isCity(sp) {
			lead := hBetween
			if word(i-1, hTo) {
				lead = hFrom
			}
			return word(int(sp.i)-1, lead)
		}
	}
	return false
}

// placeString is the text of tokens [i, j) with single spaces.
func (d *data) placeString(s *state, i, j int) string {
	if j-i == 1 {
		return s.word(i)
	}
	var b strings.Builder
	for k := i; k < j; k++ {
		if k > i {
			if s.toks[k].f&fHyph != 0 {
				b.WriteByte('-')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s.word(k))
	}
	return b.String()
}

// lookupPlace returns the canonical place for a name such as a dateline.
func (d *data) lookupPlace(name string) (string, bool) {
	var tk tokenizer
	toks := tk.tokenize(name)
	if len(toks) == 0 {
		return "", false
	}
	j, e := d.longest(toks, 0)
	if e == nil || e.place == 0 || j != len(toks) {
		return "", false
	}
	return d.places[e.place-1].name, true
}

// inOrgName reports whether the place at [i, j) is inside the name of an
// organisation, team, building or event.
func (d *data) inOrgName(s *state, i, j int) bool {
	toks := s.toks
	// "Soviet Union's Great Patriotic War": a possessive place is a place.
	if toks[j-1].f&fPoss != 0 {
		return false
	}
	// After: capitalised words up to an organisation head.
	for k := j; k < len(toks) && k < j+4; k++ {
		t := toks[k]
		if t.f&fWord == 0 {
			// "Iran–Iraq War": a dash joins two places of one event.
			if t.f&fPunct != 0 && (t.h == '–' || t.h == '-') && k == j {
				continue
			}
			break
		}
		if t.f&(fCap|fUpper|fDigit) == 0 {
			break
		}
		if orgHeads[t.h] {
			return true
		}
		if k == j && t.w&(wTitle|wHonorific) != 0 && !orgHeads[t.h] {
			break // "California Attorney General", "Moscow Mayor"
		}
		if k == j && t.f&fHyph == 0 && s.spanStarting(k) != nil && s.spanStarting(k).e.place != 0 {
			break // "Austin Texas"
		}
	}
	// Before: "University of Texas", "University College London".
	p := i - 1
	if p >= 0 && toks[p].f&fWord != 0 && toks[p].h == hOf {
		p--
	}
	if p >= 0 && toks[p].f&fWord != 0 && toks[p].f&(fCap|fUpper) != 0 && orgHeads[toks[p].h] {
		return true
	}
	return false
}

// placeCue reports a cue that an ambiguous one-word place is a place: a
// locative preposition before it, or ", State" after it, or a list of places.
func (d *data) placeCue(s *state, i, j int) bool {
	toks := s.toks
	if p := i - 1; p >= 0 && toks[p].f&fWord != 0 && toks[p].w&wLocative != 0 {
		return true
	}
	if s.isPunct(j, ',') {
		if sp := s.spanStarting(j + 1); sp != nil && sp.e.place != 0 {
			return true
		}
	}
	if toks[i].f&fParaStart != 0 && s.isPunct(j, ',') {
		return true // dateline
	}
	return false
}

// meansState reports whether "New York" at [i, j) is the state.
func (d *data) meansState(s *state, i, j int) bool {
	toks := s.toks
	if p := i - 1; p >= 0 && toks[p].f&fWord != 0 {
		if toks[p].h == hUpstate {
			return true
		}
		if toks[p].h == hOf && p-1 >= 0 {
			q := toks[p-1]
			if q.f&fWord != 0 && (s.claimed[p-1] || q.h == hDistrict || q.h == hashWord("state") || q.h == hashWord("governor")) {
				return true
			}
		}
	}
	if j < len(toks) && toks[j].f&fWord != 0 && stateCues[toks[j].h] && toks[j].f&(fCap|fLower) != 0 {
		return true
	}
	return d.inStateList(s, i, j)
}

// inStateList reports whether [i, j) is in a list of U.S. states
// ("Idaho, Michigan and Washington").
func (d *data) inStateList(s *state, i, j int) bool {
	isState := func(sp *span) bool {
		if sp == nil || sp.e.place == 0 {
			return false
		}
		p := d.places[sp.e.place-1]
		return p.typ == "region" && p.country == "United States"
	}
	toks := s.toks
	// Before: "Idaho, Washington" or "Idaho and Washington".
	p := i - 1
	if p >= 0 && (s.isPunct(p, ',') || toks[p].f&fWord != 0 && toks[p].h == hAnd) {
		p--
		if p >= 0 && s.isPunct(p, ',') {
			p--
		}
		if isState(s.spanCovering(p)) {
			return true
		}
	}
	// After: "Washington, Idaho" or "Washington and Idaho".
	k := j
	if k < len(toks) && (s.isPunct(k, ',') || toks[k].f&fWord != 0 && toks[k].h == hAnd) {
		k++
		if k < len(toks) && toks[k].f&fWord != 0 && toks[k].h == hAnd {
			k++
		}
		if isState(s.spanStarting(k)) {
			return true
		}
	}
	return false
}

// findDateline returns the canonical place of a dateline at the start of
// the body ("Moscow, May 8:", "WASHINGTON (AP) —"), or "".
func (d *data) findDateline(s *state, bodyStart int) string {
	toks := s.toks
	i := 0
	for i < len(toks) && int(toks[i].s) < bodyStart {
		i++
	}
	if i >= len(toks) {
		return ""
	}
	sp := s.spanStarting(i)
	if sp == nil || sp.e.place == 0 {
		return ""
	}
	j := int(sp.j)
	if j >= len(toks) || toks[j].f&fPunct == 0 {
		return ""
	}
	allCaps := toks[i].f&fUpper != 0
	switch rune(toks[j].h) {
	case '(', '—', '–', '-', ':':
		return d.places[sp.e.place-1].name
	case ',':
		if j+1 < len(toks) {
			n := toks[j+1]
			if allCaps || n.f&fDigit != 0 || n.f&fWord != 0 && n.w&wNonPerson != 0 && isMonth(s.text[n.s:n.e]) {
				return d.places[sp.e.place-1].name
			}
			if nsp := s.spanStarting(j + 1); nsp != nil && nsp.e.place != 0 {
				k := int(nsp.j)
				if k < len(toks) && toks[k].f&fPunct != 0 && (toks[k].h == '—' || toks[k].h == '–' || toks[k].h == '-' || toks[k].h == '(' || toks[k].h == ':') {
					return d.places[sp.e.place-1].name
				}
			}
		}
	}
	return ""
}

var months = newWordSet(`january february march april may june july august september october november december
jan jan. feb feb. mar mar. apr apr. jun jun. jul jul. aug aug. sep sep. sept sept. oct oct. nov nov. dec dec.`)

func isMonth(w string) bool { return months[hashWord(w)] }
