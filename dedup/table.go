package dedup

// table is an open-addressing (linear probing) multimap of non-zero uint32
// cells. It stores no keys: keyOf recomputes a cell's 64-bit key from data
// the Detector keeps anyway (the signature arena, the id), which is what
// keeps an index entry at 4 bytes instead of a Go map entry's 16–50. Equal
// keys may occur many times.
type table struct {
	cells []uint32
	n     int
	keyOf func(cell uint32) uint64
}

// maxLoad is the fill ratio that triggers growth; linear probing stays
// short up to about this point. Tables grow by half rather than doubling
// (sizes need not be powers of two: see home), so that the average fill,
// and with it the memory per cell, stays high: about 6.5 bytes per 4-byte
// cell instead of 8.5.
const maxLoad = 0.75

// home is the first cell probed for key: the high 32 bits of key scaled to
// the table size (Lemire's multiply-shift range reduction).
func (t *table) home(key uint64) int {
	return int((key >> 32) * uint64(len(t.cells)) >> 32)
}

// step returns the cell after i, wrapping around.
func (t *table) step(i int) int {
	if i++; i == len(t.cells) {
		return 0
	}
	return i
}

// insert adds cell under key, unless limit > 0 and key already holds limit
// cells; it reports whether it added cell.
func (t *table) insert(cell uint32, key uint64, limit int) bool {
	if float64(t.n+1) > maxLoad*float64(len(t.cells)) {
		t.grow()
	}
	i := t.home(key)
	same := 0
	for t.cells[i] != 0 {
		if limit > 0 && t.keyOf(t.cells[i]) == key {
			if same++; same >= limit {
				return false
			}
		}
		i = t.step(i)
	}
	t.cells[i] = cell
	t.n++
	return true
}

func (t *table) grow() {
	old := t.cells
	t.cells = make([]uint32, max(64, len(old)+len(old)/2))
	for _, c := range old {
		if c == 0 {
			continue
		}
		i := t.home(t.keyOf(c))
		for t.cells[i] != 0 {
			i = t.step(i)
		}
		t.cells[i] = c
	}
}

// each calls fn for every cell stored under key until fn returns false.
func (t *table) each(key uint64, fn func(cell uint32) bool) {
	if len(t.cells) == 0 {
		return
	}
	for i := t.home(key); t.cells[i] != 0; i = t.step(i) {
		if c := t.cells[i]; t.keyOf(c) == key && !fn(c) {
			return
		}
	}
}

// remove deletes cell, stored under key, if present. It shifts later cells
// of the probe run back (Knuth's Algorithm R) instead of leaving tombstones,
// so that tables under steady add/remove churn do not silt up.
func (t *table) remove(cell uint32, key uint64) {
	if len(t.cells) == 0 {
		return
	}
	i := t.home(key)
	for t.cells[i] != cell {
		if t.cells[i] == 0 {
			return
		}
		i = t.step(i)
	}
	t.cells[i] = 0
	t.n--
	for j := t.step(i); t.cells[j] != 0; j = t.step(j) {
		h := t.home(t.keyOf(t.cells[j]))
		// The cell at j may move into the hole at i unless its home h lies
		// cyclically in (i, j].
		if (i <= j && (h <= i || h > j)) || (i > j && h <= i && h > j) {
			t.cells[i], t.cells[j] = t.cells[j], 0
			i = j
		}
	}
}
