package eval

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/newsdex/newsdex/embed"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/newsdex/newsdex/vector"
)

// Embedder turns texts into vectors; embed.USE implements it (as does the
// cache below, so that it can stand in for the model).
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Name() string
}

// CachedEmbedder is an Embedder that remembers every vector its model
// computed in an append-only file, keyed by vector.Hash of the text, so
// that a second evaluation run embeds nothing and only re-ranks (embedding
// is what takes the time: about 13 articles a second on two cores).
//
// The file holds records "NDEV" | hash u64 | dims u32 | dims × float32 |
// CRC-32 of hash, dims and data (little endian). Vectors are stored
// unquantised, so a cached run ranks exactly as the first one did. A run
// interrupted part-way leaves at worst a torn record at the end, which the
// next load skips (it resynchronises on the magic and the checksum), and
// appends go on after it.
type CachedEmbedder struct {
	m    Embedder
	path string

	mu   sync.Mutex
	vecs map[uint64][]float32
	f    *os.File

	// Hits and Misses count texts served from the cache and embedded by
	// the model.
	Hits, Misses atomic.Int64
}

// recordMagic opens every cache record; the loader resynchronises on it.
const recordMagic = "NDEV"

// DefaultCacheDir is where evaluation embeddings are cached:
// $XDG_CACHE_HOME/newsdex/eval-embeddings, else
// ~/.cache/newsdex/eval-embeddings; "" if neither can be found.
func DefaultCacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "newsdex", "eval-embeddings")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".cache", "newsdex", "eval-embeddings")
}

// OpenCache returns m behind the cache file for m's model in dir (created
// if needed), with the vectors it already holds loaded.
func OpenCache(dir string, m Embedder) (*CachedEmbedder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("eval: embedding cache %s: %w", dir, err)
	}
	// The kernel is part of the key: its vectors differ (within the
	// tolerance the embed package measures), and a cache of one kernel's
	// vectors would measure the other's retrieval with them.
	key := m.Name()
	if k, ok := m.(interface{ Kernel() embed.Kernel }); ok && k.Kernel() != embed.KernelPrecise {
		key += "-" + string(k.Kernel())
	}
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r == 0 {
			return '_'
		}
		return r
	}, key)
	path := filepath.Join(dir, name+".vec")
	c := &CachedEmbedder{m: m, path: path, vecs: map[uint64][]float32{}}
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("eval: read embedding cache %s: %w", path, err)
	}
	decodeRecords(b, func(h uint64, v []float32) { c.vecs[h] = v })
	c.f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("eval: open embedding cache %s: %w", path, err)
	}
	return c, nil
}

// Name returns the model's name: cached vectors are the model's own.
func (c *CachedEmbedder) Name() string { return c.m.Name() }

// Len returns the number of cached vectors.
func (c *CachedEmbedder) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.vecs)
}

// Path returns the cache file.
func (c *CachedEmbedder) Path() string { return c.path }

// Embed returns the vectors of texts, from the cache where it has them and
// from the model (appending them to the file) where it does not.
func (c *CachedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var missing []string
	var at []int
	c.mu.Lock()
	for i, t := range texts {
		if v, ok := c.vecs[vector.Hash(t)]; ok {
			out[i] = v
		} else {
			missing = append(missing, t)
			at = append(at, i)
		}
	}
	c.mu.Unlock()
	c.Hits.Add(int64(len(texts) - len(missing)))
	if len(missing) == 0 {
		return out, nil
	}
	// The model runs outside the lock, in slices, each appended as soon
	// as it is embedded, so that an interrupted run keeps all but the
	// last slice's work. Two callers missing the same text both embed it
	// and both append it, which loading tolerates.
	for lo := 0; lo < len(missing); lo += embedSlice {
		hi := min(lo+embedSlice, len(missing))
		vs, err := c.m.Embed(ctx, missing[lo:hi])
		if err != nil {
			return nil, err
		}
		if len(vs) != hi-lo {
			return nil, fmt.Errorf("eval: embed %d texts: the model returned %d vectors", hi-lo, len(vs))
		}
		for j, v := range vs {
			out[at[lo+j]] = v
		}
		if err := c.add(missing[lo:hi], vs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// embedSlice is how many texts are embedded between two appends.
const embedSlice = 128

// add records vs as the vectors of texts, in memory and in the file.
func (c *CachedEmbedder) add(texts []string, vs [][]float32) error {
	c.Misses.Add(int64(len(texts)))
	var buf bytes.Buffer
	for j, t := range texts {
		appendRecord(&buf, vector.Hash(t), vs[j])
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for j, t := range texts {
		c.vecs[vector.Hash(t)] = vs[j]
	}
	if c.f == nil {
		return fmt.Errorf("eval: embedding cache %s is closed", c.path)
	}
	// One write per slice: with O_APPEND a crash tears at most this
	// slice's tail, and earlier records stay whole.
	if _, err := c.f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("eval: append to embedding cache %s: %w", c.path, err)
	}
	return nil
}

// Close closes the cache file.
func (c *CachedEmbedder) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return nil
	}
	err := c.f.Close()
	c.f = nil
	return err
}

func appendRecord(buf *bytes.Buffer, h uint64, v []float32) {
	buf.WriteString(recordMagic)
	start := buf.Len()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], h)
	buf.Write(b[:8])
	binary.LittleEndian.PutUint32(b[:4], uint32(len(v)))
	buf.Write(b[:4])
	for _, x := range v {
		binary.LittleEndian.PutUint32(b[:4], math.Float32bits(x))
		buf.Write(b[:4])
	}
	sum := crc32.ChecksumIEEE(buf.Bytes()[start:])
	binary.LittleEndian.PutUint32(b[:4], sum)
	buf.Write(b[:4])
}

// maxDims bounds a record's length so that a corrupt dims field cannot
// make the loader read past a sane record.
const maxDims = 1 << 16

// decodeRecords calls fn for every whole record of b, skipping torn or
// corrupt bytes up to the next record that checks out.
func decodeRecords(b []byte, fn func(uint64, []float32)) {
	for i := 0; i < len(b); {
		j := bytes.Index(b[i:], []byte(recordMagic))
		if j < 0 {
			return
		}
		i += j
		body := b[i+len(recordMagic):]
		if len(body) < 12 {
			return
		}
		dims := int(binary.LittleEndian.Uint32(body[8:12]))
		n := 12 + 4*dims
		if dims == 0 || dims > maxDims || len(body) < n+4 ||
			crc32.ChecksumIEEE(body[:n]) != binary.LittleEndian.Uint32(body[n:n+4]) {
			i++
			continue
		}
		v := make([]float32, dims)
		for k := range v {
			v[k] = math.Float32frombits(binary.LittleEndian.Uint32(body[12+4*k:]))
		}
		fn(binary.LittleEndian.Uint64(body[:8]), v)
		i += len(recordMagic) + n + 4
	}
}
