// Package dedup finds wire copies: the same story text republished by
// several outlets or re-sent under a new id. It sits beside the index stage:
// the indexer computes a Signature of each article body, stores it with the
// article, and calls Add, which says whether the article is a near-duplicate
// of one added earlier and, if so, names the group's canonical article; search
// then collapses each group to its best hit.
//
// Detection is MinHash over normalised word shingles (lowercase, punctuation
// stripped, boilerplate lines dropped), with locality-sensitive hashing
// (Bands × Rows) to find candidates and a check of the estimated Jaccard
// similarity against the stored signature to confirm them. The defaults were
// chosen by measurement; see Options and testdata/sample-verdicts.md.
//
// Typical use at index time:
//
//	sig := d.Signature(article.Body)          // store sig.MarshalBinary() with the article
//	dupOf, sim := d.Add(article.ID, sig)      // store dupOf as duplicate_of ("" = canonical)
//
// and when an index is opened, Restore each stored article (canonicals
// first) to rebuild the Detector without recomputing signatures.
package dedup

import (
	"strings"
	"sync"
)

// Options configure a Detector. Zero fields take the defaults below, which
// were chosen by measurement on AllSides (16,651 US political articles) and
// Reuters-21578 (21,578 wire items); testdata/sample-verdicts.md has the
// figures and the hand-checked groups.
type Options struct {
	// Shingle is the number of words per shingle (default 5, at most 16).
	// On AllSides, 3-word shingles scored a rewritten explainer (different
	// article, shared paragraphs) at 0.51, inside the range of true copies;
	// 7 and 9 words lost true copies at the same threshold (19 and 17
	// groups found against 21 for 5).
	Shingle int
	// Bands and Rows shape the candidate search: a pair becomes a candidate
	// if all Rows values of at least one of the Bands bands agree, with
	// probability 1-(1-J^Rows)^Bands for Jaccard similarity J. The signature
	// has Bands×Rows one-byte values. The default 20×3 makes a pair at
	// J = 0.5 a candidate with probability 0.93 (0.99 at 0.6), where 16×4
	// gives only 0.64; fewer rows would make band keys so short (2 bytes
	// for 2 rows) that unrelated articles collide once an index holds
	// millions.
	Bands, Rows int
	// Threshold is the estimated Jaccard similarity of shingle sets at or
	// above which an article is a duplicate (default 0.5). On AllSides every
	// hand-checked pair at exact similarity 0.46 or more was a copy and
	// every pair at 0.43 or less was a different article sharing
	// paragraphs; the estimate from 60 values has a standard error of about
	// 0.065 near 0.5.
	Threshold float64
	// MinWords skips texts with fewer words than this after boilerplate is
	// dropped (default 50; at least Shingle). On Reuters-21578, lowering it
	// to 20 added 46 groups of which about a third joined different items
	// built from one template (dividend notices, price changes, prime-rate
	// moves), and to 10 added 83, half of them wrong.
	MinWords int
}

// Defaults of Options; see Options for what each means.
const (
	DefaultShingle   = 5
	DefaultBands     = 20
	DefaultRows      = 3
	DefaultThreshold = 0.5
	DefaultMinWords  = 50
)

// maxShingle bounds Options.Shingle (the shingle ring is a fixed array), and
// maxValues bounds Bands×Rows (the encoding's count is a uint16, and more
// values than this buy no accuracy worth their cost).
const (
	maxShingle = 16
	maxValues  = 1024
)

// maxPerBand bounds the articles indexed under one band key, so that adding
// the thousandth identical copy of a story costs no more than the hundredth
// (linear probing would otherwise walk every earlier copy): identical
// members are interchangeable for finding the group. An article that finds
// all its band keys full is still registered and grouped, just not itself
// findable; its group stays findable through the indexed members.
const maxPerBand = 32

// withDefaults returns o with zero or out-of-range fields replaced.
func (o Options) withDefaults() Options {
	if o.Shingle <= 0 {
		o.Shingle = DefaultShingle
	}
	o.Shingle = min(o.Shingle, maxShingle)
	if o.Bands <= 0 {
		o.Bands = DefaultBands
	}
	if o.Rows <= 0 {
		o.Rows = DefaultRows
	}
	if o.Bands*o.Rows > maxValues {
		o.Bands = max(1, maxValues/o.Rows)
		o.Rows = min(o.Rows, maxValues)
	}
	if o.Threshold <= 0 || o.Threshold > 1 {
		o.Threshold = DefaultThreshold
	}
	if o.MinWords <= 0 {
		o.MinWords = DefaultMinWords
	}
	o.MinWords = max(o.MinWords, o.Shingle)
	return o
}

// Change says that the canonical of article ID changed to DupOf ("" if ID
// is now itself a canonical). Remove returns Changes so that a caller storing
// duplicate_of beside its articles can keep it in step.
type Change struct {
	ID    string
	DupOf string
}

// Detector groups near-duplicate texts. It keeps per article only the
// signature (Bands×Rows bytes), the id and one 4-byte index cell per band:
// measured at 210–250 bytes plus the id's length for the defaults (the
// spread is where the tables are in their growth cycle). Index cells are
// 32-bit, so it holds at most 2³²/Bands articles (214 million for the
// defaults). It is safe for concurrent use.
type Detector struct {
	opts   Options
	k      int      // values per signature
	mul    []uint64 // hash function i is h*mul[i] + add[i]
	add    []uint64
	pk     uint64 // rollPrime^(Shingle-1), to drop the oldest word from a shingle hash
	boiler boilerplate
	pool   sync.Pool // *scratch

	mu      sync.Mutex
	entries []entry // by slot; freed slots have canon < 0
	free    []int32
	sigs    []byte            // arena: the values of slot s are sigs[s*k : (s+1)*k]
	bands   table             // cells are slot*Bands + band + 1
	ids     table             // cells are slot + 1, keyed by idKey
	groups  map[int32][]int32 // canonical slot → other members, oldest first
	counts  []int32           // Add's scratch: articles per band key
}

// entry is one registered article.
type entry struct {
	id    string
	canon int32   // slot of the group's canonical; the slot itself if canonical
	sim   float32 // estimated similarity to the member it matched when added
}

// New returns an empty Detector with opts (zero fields take defaults).
func New(opts Options) *Detector {
	opts = opts.withDefaults()
	d := &Detector{
		opts:   opts,
		k:      opts.Bands * opts.Rows,
		boiler: compileRules(defaultRules()),
		groups: make(map[int32][]int32),
	}
	// Fixed seeds: signatures are stored with articles and compared with
	// signatures computed by other processes, so they must not vary.
	d.mul = make([]uint64, d.k)
	d.add = make([]uint64, d.k)
	x := uint64(0x6e657773646578) // "newsdex"
	for i := range d.k {
		x += 0x9e3779b97f4a7c15
		d.mul[i] = mix64(x) | 1
		x += 0x9e3779b97f4a7c15
		d.add[i] = mix64(x)
	}
	d.pk = 1
	for range opts.Shingle - 1 {
		d.pk *= rollPrime
	}
	d.bands.keyOf = func(cell uint32) uint64 {
		c := int(cell - 1)
		slot, band := c/d.opts.Bands, c%d.opts.Bands
		return d.bandKey(d.sigs[slot*d.k:(slot+1)*d.k], band)
	}
	d.ids.keyOf = func(cell uint32) uint64 { return idKey(d.entries[cell-1].id) }
	return d
}

// Options returns the options in effect, defaults filled in.
func (d *Detector) Options() Options { return d.opts }

// bandKey hashes the values of one band of a signature, and the band's
// number, so that equal values in different bands do not collide.
func (d *Detector) bandKey(vals []byte, band int) uint64 {
	r := d.opts.Rows
	h := uint64(band+1) * 0x9e3779b97f4a7c15
	row := vals[band*r : (band+1)*r]
	for len(row) > 0 {
		n := min(8, len(row))
		var x uint64
		for _, v := range row[:n] {
			x = x<<8 | uint64(v)
		}
		h = mix64(h ^ x)
		row = row[n:]
	}
	return h
}

// idKey hashes an article id for the id table (FNV-1a, then mixed).
func idKey(id string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * fnvPrime
	}
	return mix64(h)
}

// lookup returns the slot of id, or -1.
func (d *Detector) lookup(id string) int32 {
	slot := int32(-1)
	d.ids.each(idKey(id), func(cell uint32) bool {
		if d.entries[cell-1].id == id {
			slot = int32(cell - 1)
			return false
		}
		return true
	})
	return slot
}

// compatible reports whether sig was computed with d's shingle size and
// signature length.
func (d *Detector) compatible(sig Signature) bool {
	return int(sig.shingle) == d.opts.Shingle && len(sig.vals) == d.k
}

// Add registers id with signature sig. If the text behind sig is a
// near-duplicate (estimated Jaccard similarity ≥ Threshold, checked against
// the stored signature of each LSH candidate) of an article added earlier,
// Add returns the id of that article's group canonical (the group's
// earliest-added member) and the estimated similarity to the closest
// member; otherwise it returns "" and 0, and id starts a group of its own.
//
// Adding an id again replaces its entry: with an equal signature it is a
// no-op that returns the same answer as before; with another signature the
// old entry is removed first (as by Remove, whose Changes are then lost; call
// Remove yourself first if you need them). The zero Signature, or one
// computed with other Options, only removes an existing entry and returns "".
func (d *Detector) Add(id string, sig Signature) (dupOf string, sim float64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if slot := d.lookup(id); slot >= 0 {
		e := d.entries[slot]
		if d.compatible(sig) && string(d.sigs[int(slot)*d.k:int(slot+1)*d.k]) == string(sig.vals) {
			if e.canon == slot {
				return "", 0
			}
			return d.entries[e.canon].id, float64(e.sim)
		}
		d.removeSlot(slot)
	}
	if sig.IsZero() || !d.compatible(sig) {
		return "", 0
	}
	best, bestSim := int32(-1), 0.0
	// counts[b] is how many articles share band b's key, or -1 if the
	// search stopped early; alloc uses it to skip a second walk of the
	// probe run. An identical signature cannot be bettered, so the search
	// stops there, which keeps adding the nth copy of a story cheap.
	counts := d.counts[:0]
	for b := range d.opts.Bands {
		if bestSim == 1 {
			counts = append(counts, -1)
			continue
		}
		n := int32(0)
		d.bands.each(d.bandKey(sig.vals, b), func(cell uint32) bool {
			n++
			slot := int32(int(cell-1) / d.opts.Bands)
			if s := similarity(sig.vals, d.sigs[int(slot)*d.k:int(slot+1)*d.k]); s > bestSim {
				best, bestSim = slot, s
			}
			return bestSim < 1
		})
		if bestSim == 1 {
			n = -1
		}
		counts = append(counts, n)
	}
	d.counts = counts
	slot := d.alloc(id, sig.vals, counts)
	if best < 0 || bestSim < d.opts.Threshold {
		return "", 0
	}
	canon := d.entries[best].canon
	d.entries[slot].canon = canon
	d.entries[slot].sim = float32(bestSim)
	d.groups[canon] = append(d.groups[canon], slot)
	return d.entries[canon].id, bestSim
}

// alloc stores a new canonical entry and indexes it. counts, if not nil,
// holds per band the number of articles already under the band's key (-1:
// unknown), as Add found them.
func (d *Detector) alloc(id string, vals []byte, counts []int32) int32 {
	var slot int32
	if n := len(d.free); n > 0 {
		slot = d.free[n-1]
		d.free = d.free[:n-1]
	} else {
		slot = int32(len(d.entries))
		d.entries = append(d.entries, entry{})
		d.sigs = append(d.sigs, make([]byte, d.k)...)
	}
	// Clone: the caller's id may point into a large buffer we must not pin.
	d.entries[slot] = entry{id: strings.Clone(id), canon: slot}
	copy(d.sigs[int(slot)*d.k:], vals)
	d.ids.insert(uint32(slot)+1, idKey(id), 0)
	for b := range d.opts.Bands {
		cell, key := uint32(int(slot)*d.opts.Bands+b)+1, d.bandKey(vals, b)
		switch {
		case counts == nil || counts[b] < 0:
			d.bands.insert(cell, key, maxPerBand) // counts while probing
		case counts[b] < maxPerBand:
			d.bands.insert(cell, key, 0)
		}
	}
	return slot
}

// Remove forgets id; it is a no-op for an unknown id. If id was the
// canonical of a group, the group's earliest remaining member becomes its
// canonical and the others point to it; Remove returns those changes (the
// new canonical first, with DupOf ""), and nil otherwise.
func (d *Detector) Remove(id string) []Change {
	d.mu.Lock()
	defer d.mu.Unlock()
	if slot := d.lookup(id); slot >= 0 {
		return d.removeSlot(slot)
	}
	return nil
}

func (d *Detector) removeSlot(slot int32) []Change {
	e := d.entries[slot]
	vals := d.sigs[int(slot)*d.k : int(slot+1)*d.k]
	for b := range d.opts.Bands {
		d.bands.remove(uint32(int(slot)*d.opts.Bands+b)+1, d.bandKey(vals, b))
	}
	d.ids.remove(uint32(slot)+1, idKey(e.id))
	var changes []Change
	if e.canon == slot {
		if members := d.groups[slot]; len(members) > 0 {
			delete(d.groups, slot)
			nc := members[0]
			d.entries[nc].canon, d.entries[nc].sim = nc, 0
			changes = append(changes, Change{ID: d.entries[nc].id})
			ncVals := d.sigs[int(nc)*d.k : int(nc+1)*d.k]
			for _, m := range members[1:] {
				d.entries[m].canon = nc
				d.entries[m].sim = float32(similarity(d.sigs[int(m)*d.k:int(m+1)*d.k], ncVals))
				changes = append(changes, Change{ID: d.entries[m].id, DupOf: d.entries[nc].id})
			}
			if len(members) > 1 {
				d.groups[nc] = append([]int32(nil), members[1:]...)
			}
		}
	} else {
		members := d.groups[e.canon]
		for i, m := range members {
			if m == slot {
				members = append(members[:i], members[i+1:]...)
				break
			}
		}
		if len(members) == 0 {
			delete(d.groups, e.canon)
		} else {
			d.groups[e.canon] = members
		}
	}
	d.entries[slot] = entry{canon: -1}
	d.free = append(d.free, slot)
	return changes
}

// Restore registers id as recorded by an earlier Add: as a canonical if
// dupOf is "", else as a member of dupOf's group, without searching. It is
// how a Detector is rebuilt from the signatures and duplicate_of values an
// index stores; restore canonicals before their members. If dupOf is itself
// a member, id joins the group of dupOf's canonical. Restore returns false,
// and registers id as a canonical, if dupOf is not registered; a zero or
// incompatible sig registers nothing and returns false.
func (d *Detector) Restore(id string, sig Signature, dupOf string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if slot := d.lookup(id); slot >= 0 {
		d.removeSlot(slot)
	}
	if sig.IsZero() || !d.compatible(sig) {
		return false
	}
	canon := int32(-1)
	if dupOf != "" && dupOf != id {
		if c := d.lookup(dupOf); c >= 0 {
			canon = d.entries[c].canon // a member's canonical, if dupOf was one
		}
	}
	slot := d.alloc(id, sig.vals, nil)
	if canon < 0 {
		return dupOf == "" || dupOf == id
	}
	d.entries[slot].canon = canon
	d.entries[slot].sim = float32(similarity(sig.vals, d.sigs[int(canon)*d.k:int(canon+1)*d.k]))
	d.groups[canon] = append(d.groups[canon], slot)
	return true
}

// Canonical returns the canonical of id's group ("" if id is itself a
// canonical) and whether id is registered.
func (d *Detector) Canonical(id string) (dupOf string, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	slot := d.lookup(id)
	if slot < 0 {
		return "", false
	}
	if c := d.entries[slot].canon; c != slot {
		return d.entries[c].id, true
	}
	return "", true
}

// Group returns the ids of the group whose canonical is canonical, canonical
// first and then the members in the order they were added, or nil if
// canonical is not a registered canonical.
func (d *Detector) Group(canonical string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	slot := d.lookup(canonical)
	if slot < 0 || d.entries[slot].canon != slot {
		return nil
	}
	out := []string{canonical}
	for _, m := range d.groups[slot] {
		out = append(out, d.entries[m].id)
	}
	return out
}

// Len returns the number of registered articles.
func (d *Detector) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.entries) - len(d.free)
}

// Groups calls fn for every group of two or more articles, with the ids of
// its canonical and members as Group orders them, until fn returns false.
// The Detector is locked meanwhile: fn must not call its methods.
func (d *Detector) Groups(fn func(ids []string) bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for canon, members := range d.groups {
		ids := make([]string, 0, len(members)+1)
		ids = append(ids, d.entries[canon].id)
		for _, m := range members {
			ids = append(ids, d.entries[m].id)
		}
		if !fn(ids) {
			return
		}
	}
}
