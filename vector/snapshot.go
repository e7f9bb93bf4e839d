package vector

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// A snapshot is the whole store in one file, so that opening a large index
// need not re-read every article's vectors. It is only a cache: the index
// writes it with the write sequence it reflects and ignores it when that no
// longer matches.
//
// Format (little endian): magic, uint64 tag (the caller's sequence), uint32
// dims, uint32 labels, then each label as uint32 length + bytes, uint32
// docs, then per doc: uint32 id length + id, int64 time, uint32 labels +
// uint32 label ids, uint32 vectors, hashes, scales, int8 data.
var magic = [8]byte{'N', 'D', 'X', 'V', 'E', 'C', '0', '1'}

// ErrBadSnapshot is returned (wrapped) by Load for a file that is not a
// complete snapshot.
var ErrBadSnapshot = errors.New("vector: bad snapshot")

// Save writes the store to w with tag, which Load returns.
func (s *Store) Save(w io.Writer, tag uint64) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	bw := bufio.NewWriterSize(w, 1<<20)
	put := func(v any) {
		_ = binary.Write(bw, binary.LittleEndian, v) // errors surface at Flush
	}
	putString := func(str string) {
		put(uint32(len(str)))
		_, _ = bw.WriteString(str)
	}
	_, _ = bw.Write(magic[:])
	put(tag)
	put(uint32(s.dims))
	names := make([]string, len(s.labels))
	for l, id := range s.labels {
		names[id] = l
	}
	put(uint32(len(names)))
	for _, l := range names {
		putString(l)
	}
	put(uint32(len(s.slots)))
	for _, e := range s.docs {
		if e.id == "" {
			continue
		}
		putString(e.id)
		put(e.time)
		put(uint32(len(e.labels)))
		put(e.labels)
		put(uint32(e.n))
		lo, hi := int(e.first), int(e.first+e.n)
		put(s.hashes[lo:hi])
		put(s.scales[lo:hi])
		put(s.data[lo*s.dims : hi*s.dims])
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("vector: save snapshot: %w", err)
	}
	return nil
}

// Load reads a snapshot written by Save and returns the store and its tag.
func Load(r io.Reader) (*Store, uint64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var err error
	get := func(v any) {
		if err == nil {
			err = binary.Read(br, binary.LittleEndian, v)
		}
	}
	getString := func(limit uint32) string {
		var n uint32
		get(&n)
		if err != nil {
			return ""
		}
		if n > limit {
			err = fmt.Errorf("string of %d bytes", n)
			return ""
		}
		b := make([]byte, n)
		if _, e := io.ReadFull(br, b); e != nil {
			err = e
		}
		return string(b)
	}
	bad := func(e error) (*Store, uint64, error) {
		if errors.Is(e, io.EOF) || errors.Is(e, io.ErrUnexpectedEOF) {
			e = fmt.Errorf("truncated: %w", e)
		}
		return nil, 0, fmt.Errorf("%w: %w", ErrBadSnapshot, e)
	}
	var m [8]byte
	get(&m)
	if err == nil && m != magic {
		return bad(errors.New("wrong magic"))
	}
	var tag uint64
	var dims, nlabels uint32
	get(&tag)
	get(&dims)
	get(&nlabels)
	if err != nil {
		return bad(err)
	}
	if dims > maxDims {
		return bad(fmt.Errorf("%d dimensions", dims))
	}
	s := New()
	s.dims = int(dims)
	for i := range nlabels {
		l := getString(1 << 16)
		if err != nil {
			return bad(err)
		}
		s.labels[l] = i
	}
	var ndocs uint32
	get(&ndocs)
	for range ndocs {
		if err != nil {
			break
		}
		e := entry{id: getString(1 << 16)}
		get(&e.time)
		var nl, n uint32
		get(&nl)
		if err != nil || nl > nlabels || e.id == "" {
			return bad(fmt.Errorf("doc %q: %v", e.id, err))
		}
		e.labels = make([]uint32, nl)
		get(e.labels)
		for _, l := range e.labels {
			if l >= nlabels {
				return bad(fmt.Errorf("doc %q: label %d of %d", e.id, l, nlabels))
			}
		}
		get(&n)
		if err != nil || n == 0 || n > maxCount {
			return bad(fmt.Errorf("doc %q: %d vectors: %v", e.id, n, err))
		}
		e.first, e.n = int32(len(s.scales)), int32(n)
		hashes := make([]uint64, n)
		scales := make([]float32, n)
		data := make([]int8, int(n)*s.dims)
		get(hashes)
		get(scales)
		get(data)
		if _, dup := s.slots[e.id]; dup {
			return bad(fmt.Errorf("doc %q twice", e.id))
		}
		for _, sc := range scales {
			if math.IsNaN(float64(sc)) {
				return bad(fmt.Errorf("doc %q: NaN scale", e.id))
			}
		}
		s.hashes = append(s.hashes, hashes...)
		s.scales = append(s.scales, scales...)
		s.data = append(s.data, data...)
		s.slots[e.id] = int32(len(s.docs))
		s.docs = append(s.docs, e)
	}
	if err != nil {
		return bad(err)
	}
	return s, tag, nil
}
