package extract

import (
	"bufio"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/newsdex/newsdex/extract/leaders"
)

//go:embed data/*.tsv data/*.txt
var dataFS embed.FS

// Word classes of single tokens (wordClass bits).
const (
	wGiven        uint32 = 1 << iota // common given name
	wCommon                          // mostly written in lower case
	wNonPerson                       // never part of a person's name
	wTitle                           // title or office word stripped before a name
	wHonorific                       // Mr., Mrs., Dr., Sen.: a name follows
	wSpeech                          // verb of speech: "said", "told"
	wParticle                        // de, van, bin, al: lower-case name particle
	wSurnameFirst                    // family name written first: "Wang", "Kim"
	wLocative                        // preposition before a place: "in", "from"
	wFunction                        // a, the, of...: ignored in title case
	wStarter                         // sentence starter that is no name: "Will", "But"
	wCue                             // reporting cue for outlets: "reported", "according"
	wNegPre                          // before a title, disables a role: former, vice, deputy
	wSuffix                          // Jr., Sr., III: ends a name
	wLowerStart                      // some gazetteer phrase starts with this word in lower case
	wGivenEn                         // an English given name (middle names after it are dropped)
)

// cand is one person an alias may name, valid in articles dated from..to
// (years; 0 means open).
type cand struct {
	person   int32
	from, to int16
}

// entry is the gazetteer record of a lower-cased token sequence.
type entry struct {
	prefix bool // a longer phrase starts with this sequence
	n      uint8
	// capMask and upMask say which tokens must be capitalised (or in
	// capitals) for the phrase to match; bit k is token k.
	capMask, upMask uint16
	shaped          bool // capMask and upMask hold the first variant's shape
	persons         []cand
	place           int32 // index+1 into places
	placeWeak       bool  // a one-word alias that is also a name or word: needs a cue
	outlet          int32 // index+1 into outlets
	outletAmb       bool  // the outlet alias needs a reporting cue
	demonym         int32 // index+1 of the country place
	stop            bool  // a phrase that is no entity
	role            string
	titleLen        uint8 // >0 when the phrase is an office title
}

// place is a gazetteer place.
type place struct {
	name, typ, country string
	weak               bool // also a common word or given name: needs a cue
}

// person is a known person.
type person struct {
	name    string
	display string // output name when it differs from name (the leaders spelling)
	leader  bool
	first   uint64 // hash of the first name token
	last    uint64 // hash of the last name token
	nTokens int
}

// data is everything loaded from the embedded files.
type data struct {
	gaz   map[uint64]*entry
	words map[uint64]uint32
	// gazT and wordsT are the read-only lookup tables built from gaz and
	// words once loading is done.
	gazT        table[*entry]
	wordsT      table[uint32]
	people      []person
	byName      map[string]int32    // canonical name → index
	byFirstLast map[[2]uint64]int32 // (first, last) token hashes → known person
	places      []place
	placeIdx    map[string]int32
	demonyms    map[string]string // country → its first demonym ("China" → "Chinese")
	outlets     []string
	outletIdx   map[string]int32
	lead        *leaders.Dataset
	tk          tokenizer
	// nicks maps a given name's hash to the hashes of the names that are
	// the same name (Chuck ↔ Charles, from nicknames.txt).
	nicks map[uint64][]uint64
}

// shape records the capitalisation a variant needs; with several variants
// of one key ("TASS", "Tass") the least demanding wins.
func (e *entry) shape(capMask, upMask uint16) {
	if !e.shaped {
		e.capMask, e.upMask, e.shaped = capMask, upMask, true
		return
	}
	e.capMask &= capMask
	e.upMask &= upMask
}

func (d *data) entry(key uint64) *entry {
	e := d.gaz[key]
	if e == nil {
		e = &entry{}
		d.gaz[key] = e
	}
	return e
}

// phrase tokenizes s and returns the hash key of the whole phrase, its
// token count and capitalisation masks; it registers the prefixes.
func (d *data) phrase(s string) (key uint64, n int, capMask, upMask uint16, ok bool) {
	toks := d.tk.tokenize(s)
	if len(toks) == 0 || len(toks) > 12 {
		return 0, 0, 0, 0, false
	}
	if toks[0].f&fCap == 0 {
		// Phrases that start in lower case ("president", "al-Masirah",
		// "news.com.au") are looked up at lower-case tokens too.
		d.words[toks[0].h] |= wLowerStart
	}
	var acc uint64
	for i, t := range toks {
		if i > 0 {
			d.entry(acc).prefix = true
		}
		acc = seqHash(acc, t.h)
		if t.f&fCap != 0 && i < 16 {
			capMask |= 1 << i
		}
		// "AP", "U.S." must be written in capitals; initials need not.
		if t.f&fNoLower != 0 && t.f&fInitial == 0 && t.e-t.s >= 2 && i < 16 {
			upMask |= 1 << i
		}
	}
	return acc, len(toks), capMask, upMask, true
}

// lines yields the non-comment, non-empty lines of an embedded file.
func lines(name string, fn func(lineNo int, fields []string) error) error {
	f, err := dataFS.Open("data/" + name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		l := strings.TrimRight(sc.Text(), "\r")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if err := fn(n, strings.Split(l, "\t")); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

func splitAliases(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, a := range strings.Split(s, "|") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// loadData reads every embedded file and the leaders dataset.
func loadData() (*data, error) {
	d := &data{
		gaz:         make(map[uint64]*entry, 1<<15),
		words:       make(map[uint64]uint32, 1<<16),
		byName:      make(map[string]int32),
		byFirstLast: make(map[[2]uint64]int32),
		placeIdx:    make(map[string]int32),
		demonyms:    make(map[string]string),
		outletIdx:   make(map[string]int32),
		nicks:       make(map[uint64][]uint64),
	}
	lead, err := leaders.Load()
	if err != nil {
		return nil, fmt.Errorf("load leaders: %w", err)
	}
	d.lead = lead
	d.addWordLists()
	for _, f := range []struct {
		name string
		fn   func(int, []string) error
	}{
		{"given.txt", d.givenLine},
		{"surnames-first.txt", d.wordLine(wSurnameFirst)},
		{"common.txt", d.wordLine(wCommon)},
		{"nonperson.txt", d.wordLine(wNonPerson)},
		{"places.tsv", d.placeLine},
		{"outlets.tsv", d.outletLine},
		{"stopphrases.txt", d.stopLine},
		{"nicknames.txt", d.nickLine},
	} {
		if err := lines(f.name, f.fn); err != nil {
			return nil, err
		}
	}
	d.addLeaders()
	if err := lines("people.tsv", d.personLine); err != nil {
		return nil, err
	}
	d.windowSharedAliases()
	d.addTitles()
	d.markWeakPlaces()
	d.markWeakAliases()
	d.gazT = newTable(d.gaz)
	d.wordsT = newTable(d.words)
	return d, nil
}

// givenLine reads given.txt: English names get wGivenEn too.
func (d *data) givenLine(_ int, f []string) error {
	w := strings.TrimSpace(f[0])
	if w == "" {
		return nil
	}
	class := wGiven | wGivenEn
	if len(f) > 1 && strings.TrimSpace(f[1]) == "i" {
		class = wGiven
	}
	d.words[hashWord(w)] |= class
	return nil
}

func (d *data) wordLine(class uint32) func(int, []string) error {
	return func(_ int, f []string) error {
		w := strings.TrimSpace(f[0])
		if w == "" {
			return nil
		}
		h := hashWord(w)
		if class == wCommon {
			// A given name that is mostly lower case ("will", "mark")
			// stays a given name only if the list says so.
			if d.words[h]&wGiven != 0 {
				return nil
			}
		}
		d.words[h] |= class
		return nil
	}
}

func (d *data) placeLine(_ int, f []string) error {
	if len(f) < 3 {
		return fmt.Errorf("want canonical, type, country[, aliases[, demonyms]], got %d fields", len(f))
	}
	p := place{name: f[0], typ: f[1], country: f[2]}
	if _, dup := d.placeIdx[p.name]; dup {
		return nil
	}
	d.places = append(d.places, p)
	idx := int32(len(d.places))
	d.placeIdx[p.name] = idx - 1
	var aliases []string
	skip := map[string]bool{}
	if len(f) > 3 {
		for _, a := range splitAliases(f[3]) {
			if strings.HasPrefix(a, "-") {
				skip[a[1:]] = true
				continue
			}
			aliases = append(aliases, a)
		}
	}
	if !skip[p.name] {
		aliases = append(aliases, p.name)
	}
	for _, a := range aliases {
		key, n, cm, um, ok := d.phrase(a)
		if !ok {
			continue
		}
		e := d.entry(key)
		if e.place == idx {
			e.shape(cm, um)
			continue
		}
		if e.place != 0 {
			continue // first listed wins: countries, regions, cities
		}
		e.place, e.n = idx, uint8(n)
		e.shape(cm, um)
	}
	if len(f) > 4 {
		if dems := splitAliases(f[4]); len(dems) > 0 && p.typ == "country" {
			d.demonyms[p.name] = dems[0]
		}
		for _, dem := range splitAliases(f[4]) {
			key, n, cm, um, ok := d.phrase(dem)
			if !ok {
				continue
			}
			e := d.entry(key)
			if e.demonym == 0 {
				e.demonym, e.n = idx, uint8(n)
				e.shape(cm, um)
			}
		}
	}
	return nil
}

func (d *data) outletLine(_ int, f []string) error {
	name := f[0]
	idx, ok := d.outletIdx[name]
	if !ok {
		d.outlets = append(d.outlets, name)
		idx = int32(len(d.outlets) - 1)
		d.outletIdx[name] = idx
	}
	aliases := []string{name}
	if len(f) > 1 {
		for _, a := range splitAliases(f[1]) {
			if a == "?"+name {
				aliases[0] = a // "Time", "Reason": the name itself needs a cue
				continue
			}
			aliases = append(aliases, a)
		}
	}
	for _, a := range aliases {
		if f := foldDiacritics(a); f != a {
			aliases = append(aliases, f)
		}
	}
	for _, a := range aliases {
		amb := strings.HasPrefix(a, "?")
		a = strings.TrimPrefix(a, "?")
		key, n, cm, um, ok := d.phrase(a)
		if !ok {
			continue
		}
		e := d.entry(key)
		if e.outlet == idx+1 {
			e.shape(cm, um) // another spelling of the same outlet
			e.outletAmb = e.outletAmb && amb
			continue
		}
		if e.outlet != 0 {
			continue
		}
		e.outlet, e.outletAmb, e.n = idx+1, amb, uint8(n)
		e.shape(cm, um)
	}
	return nil
}

// nickLine reads nicknames.txt: every pair of names on a line is linked.
func (d *data) nickLine(_ int, f []string) error {
	if len(f) < 2 {
		return fmt.Errorf("want formal<TAB>short|short, got %q", strings.Join(f, "\t"))
	}
	names := append([]string{f[0]}, splitAliases(f[1])...)
	for _, a := range names {
		for _, b := range names {
			if a != b {
				d.nicks[hashWord(a)] = append(d.nicks[hashWord(a)], hashWord(b))
			}
		}
	}
	return nil
}

// sameGiven reports whether two given names (hashes) are the same name or
// one is a short form of the other.
func (d *data) sameGiven(a, b uint64) bool {
	if a == b {
		return true
	}
	for _, v := range d.nicks[a] {
		if v == b {
			return true
		}
	}
	return false
}

// knownByVariant returns the known person named first+last or a variant of
// first with last ("Charles Grassley" → Chuck Grassley).
func (d *data) knownByVariant(first, last uint64) (int32, bool) {
	if idx, ok := d.byFirstLast[[2]uint64{first, last}]; ok {
		return idx, true
	}
	for _, v := range d.nicks[first] {
		if idx, ok := d.byFirstLast[[2]uint64{v, last}]; ok {
			return idx, true
		}
	}
	return 0, false
}

func (d *data) stopLine(_ int, f []string) error {
	key, n, cm, um, ok := d.phrase(f[0])
	if !ok {
		return nil
	}
	e := d.entry(key)
	e.stop, e.n = true, uint8(n)
	e.shape(cm, um)
	return nil
}

// addPerson registers a canonical person and returns its index.
func (d *data) addPerson(name string, leader bool) int32 {
	if i, ok := d.byName[name]; ok {
		if leader {
			d.people[i].leader = true
		}
		return i
	}
	toks := d.tk.tokenize(name)
	p := person{name: name, leader: leader, nTokens: len(toks)}
	if len(toks) > 0 {
		p.first = toks[0].h
		p.last = toks[len(toks)-1].h
		// "Joseph R. Biden Jr.": the surname is before the suffix.
		for k := len(toks) - 1; k > 0; k-- {
			if toks[k].f&fPunct == 0 && d.words[toks[k].h]&wSuffix == 0 {
				p.last = toks[k].h
				break
			}
		}
	}
	d.people = append(d.people, p)
	i := int32(len(d.people) - 1)
	d.byName[name] = i
	if len(toks) >= 2 {
		k := [2]uint64{p.first, p.last}
		if _, dup := d.byFirstLast[k]; !dup {
			d.byFirstLast[k] = i
		}
	}
	return i
}

// addAlias makes alias name person i in articles dated from..to; the
// spelling without diacritics is added too ("Jaroslaw Kaczynski").
func (d *data) addAlias(alias string, i int32, from, to int16) {
	if f := foldDiacritics(alias); f != alias {
		d.addAlias1(f, i, from, to)
	}
	d.addAlias1(alias, i, from, to)
}

func (d *data) addAlias1(alias string, i int32, from, to int16) {
	key, n, cm, um, ok := d.phrase(alias)
	if !ok {
		return
	}
	e := d.entry(key)
	for k, c := range e.persons {
		if c.person == i {
			// The later file wins: people.tsv, curated by hand, overrides
			// the window derived from the leaders' terms.
			e.persons[k].from, e.persons[k].to = from, to
			return
		}
	}
	if e.n == 0 || len(e.persons) == 0 {
		e.n = uint8(n)
	}
	e.shape(cm, um)
	e.persons = append(e.persons, cand{person: i, from: from, to: to})
}

// addLeaders registers every person of the leaders dataset with the
// aliases it lists. A one-word alias ("Bush") names the person only from
// three years before the first term to five years after the last.
func (d *data) addLeaders() {
	for _, name := range d.lead.People() {
		terms := d.lead.Terms(name)
		i := d.addPerson(name, true)
		if len(terms) == 0 {
			continue
		}
		from := int16(terms[0].Start.Year() - 3)
		to := int16(0)
		last := terms[len(terms)-1]
		if !last.End.IsZero() {
			to = int16(last.End.Year() + 5)
		}
		for _, t := range terms {
			if !t.End.IsZero() && int16(t.End.Year()+5) > to && to != 0 {
				to = int16(t.End.Year() + 5)
			}
			if t.End.IsZero() {
				to = 0
			}
		}
		d.addAlias(name, i, 0, 0)
		for _, a := range terms[0].Aliases {
			if strings.ContainsAny(a, " -") {
				d.addAlias(a, i, 0, 0)
			} else {
				d.addAlias(a, i, from, to)
			}
		}
	}
}

// personLine reads people.tsv. A person already in the leaders dataset
// under another spelling (same folded name) keeps the leaders spelling.
func (d *data) personLine(_ int, f []string) error {
	name := f[0]
	var aliases []string
	if len(f) > 1 {
		aliases = splitAliases(f[1])
	}
	// "=Volodymyr Zelensky": display a leaders person under this name.
	if display, ok := strings.CutPrefix(name, "="); ok {
		ps := d.lead.Lookup(display)
		if len(ps) != 1 {
			return fmt.Errorf("display name %q: want one leaders person, got %v", display, ps)
		}
		i := d.byName[ps[0]]
		d.people[i].display = display
		d.addAlias(display, i, 0, 0)
		for _, a := range aliases {
			d.addAlias(a, i, 0, 0)
		}
		return nil
	}
	// A person of the leaders dataset keeps the leaders spelling; ours
	// becomes an alias.
	own := name
	if ps := d.lead.Lookup(name); len(ps) == 1 {
		name = ps[0]
	}
	i := d.addPerson(name, false)
	d.addAlias(name, i, 0, 0)
	if own != name {
		d.addAlias(own, i, 0, 0)
	}
	for _, a := range aliases {
		from, to := int16(0), int16(0)
		if at := strings.IndexByte(a, '@'); at >= 0 {
			span := a[at+1:]
			a = a[:at]
			lo, hi, ok := strings.Cut(span, "-")
			if !ok {
				return fmt.Errorf("alias window %q: want FROM-TO", span)
			}
			y1, err1 := strconv.Atoi(lo)
			y2, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("alias window %q: want years", span)
			}
			from, to = int16(y1), int16(y2)
		}
		d.addAlias(a, i, from, to)
	}
	return nil
}

// windowSharedAliases gives an alias that names several people without a
// date window ("George Bush" in the leaders data) the active years of each
// leader, so the article's date picks one.
func (d *data) windowSharedAliases() {
	for _, e := range d.gaz {
		if len(e.persons) < 2 {
			continue
		}
		for k, c := range e.persons {
			if c.from != 0 || c.to != 0 || !d.people[c.person].leader {
				continue
			}
			terms := d.lead.Terms(d.people[c.person].name)
			if len(terms) == 0 {
				continue
			}
			from, to := int16(terms[0].Start.Year()-3), int16(0)
			for _, t := range terms {
				if t.End.IsZero() {
					to = 0
					break
				}
				to = max(to, int16(t.End.Year()+5))
			}
			e.persons[k].from, e.persons[k].to = from, to
		}
	}
}

// markWeakAliases flags one-word place aliases ("Leon" for León) that are
// given names, common words or person aliases.
func (d *data) markWeakAliases() {
	for key, e := range d.gaz {
		if e.place == 0 || e.n != 1 {
			continue
		}
		if typ := d.places[e.place-1].typ; typ != "city" && typ != "province" {
			continue // countries, states and hand-listed regions are never weak
		}
		if d.words[key]&(wGiven|wCommon|wNonPerson) != 0 || len(e.persons) > 0 {
			e.placeWeak = true
		}
	}
}

// markWeakPlaces flags one-word places that are also given names, common
// words or person aliases: they need a locative cue.
func (d *data) markWeakPlaces() {
	for i := range d.places {
		p := &d.places[i]
		toks := d.tk.tokenize(p.name)
		if len(toks) != 1 || p.typ == "country" {
			continue
		}
		if p.typ == "province" {
			p.weak = true // first-level divisions from a generic list: need a cue
			continue
		}
		if p.typ != "city" {
			continue // states and provinces of the hand-written list are never weak
		}
		w := d.words[toks[0].h]
		if w&(wGiven|wCommon|wNonPerson) != 0 {
			p.weak = true
		}
		if e := d.gaz[toks[0].h]; e != nil && len(e.persons) > 0 {
			p.weak = true
		}
	}
}

// foldDiacritics removes combining marks and maps the letters NFD leaves
// alone ("ł", "ø"), keeping case and punctuation.
func foldDiacritics(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'ł':
			b.WriteByte('l')
		case 'Ł':
			b.WriteByte('L')
		case 'ø':
			b.WriteByte('o')
		case 'Ø':
			b.WriteByte('O')
		case 'ß':
			b.WriteString("ss")
		case 'ı':
			b.WriteByte('i')
		case 'đ':
			b.WriteByte('d')
		case 'Đ':
			b.WriteByte('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
