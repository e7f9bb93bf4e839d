package extract

// table is an open-addressing hash table keyed by token hashes. It is
// built once and read concurrently; lookups are faster than a Go map for
// the extractor's hot path (one or two per token) because keys and values
// sit in flat arrays and probing is linear.
type table[V any] struct {
	keys []uint64 // 0 marks an empty slot
	vals []V
	mask uint64
}

// newTable builds a table from m.
func newTable[V any](m map[uint64]V) table[V] {
	size := uint64(16)
	for size < uint64(len(m))*2 {
		size <<= 1
	}
	t := table[V]{keys: make([]uint64, size), vals: make([]V, size), mask: size - 1}
	for k, v := range m {
		k = nonZero(k)
		i := mix(k) & t.mask
		for t.keys[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.keys[i], t.vals[i] = k, v
	}
	return t
}

// get returns the value of k and whether it is present.
func (t *table[V]) get(k uint64) (V, bool) {
	k = nonZero(k)
	i := mix(k) & t.mask
	for {
		switch t.keys[i] {
		case k:
			return t.vals[i], true
		case 0:
			var zero V
			return zero, false
		}
		i = (i + 1) & t.mask
	}
}

func nonZero(k uint64) uint64 {
	if k == 0 {
		return 1
	}
	return k
}

// mix spreads the bits of an FNV hash, whose low bits are weak.
func mix(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	return k
}
