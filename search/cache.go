package search

import (
	"encoding/json"
	"sync"
	"weak"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// resultCache keeps recent lexical results of the current index snapshot.
//
// A search page asks the same few queries again and again (the first
// page of a popular query, a facet click and back). Bleve makes a new
// snapshot object for every write, merge and generation switch, so a
// result is valid exactly as long as the snapshot it was computed on is
// the live one: entries are tagged with a weak pointer to that snapshot
// (weak, so the cache never keeps an old snapshot's segments alive; weak
// pointers to different objects never compare equal, even at a reused
// address), and the whole cache is dropped when the live snapshot
// changes. BenchmarkEngine and `newsdex bench` measure with it off, so
// that they measure the search and not the cache.
type resultCache struct {
	mu    sync.Mutex
	snap  weak.Pointer[scorch.IndexSnapshot]
	items map[string]*Results
	order []string // insertion order, for eviction
	max   int
}

// defaultCacheSize is how many results the cache holds. A page of 10
// hits with snippets and facets is 20 to 50 kB.
const defaultCacheSize = 512

// WithoutResultCache turns the result cache off (benchmarks of the engine
// itself, tests that count the work done).
func WithoutResultCache() Option {
	return func(e *Engine) { e.cache = nil }
}

func newResultCache(n int) *resultCache {
	return &resultCache{items: map[string]*Results{}, max: n}
}

// cacheKey identifies a normalised request; it is "" for requests that
// are not cached.
func cacheKey(r *Request) string {
	b, err := json.Marshal(r)
	if err != nil {
		return ""
	}
	return string(b)
}

// get returns the result of key if it was computed on snap.
func (c *resultCache) get(snap weak.Pointer[scorch.IndexSnapshot], key string) *Results {
	if c == nil || key == "" || snap == (weak.Pointer[scorch.IndexSnapshot]{}) {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != snap {
		return nil
	}
	return c.items[key]
}

// put stores res, computed on snap. A result of another snapshot than
// the cached ones replaces them all: snapshots only move forward, and a
// search that started on an older one is rare and not worth keeping.
func (c *resultCache) put(snap weak.Pointer[scorch.IndexSnapshot], key string, res *Results) {
	if c == nil || key == "" || snap == (weak.Pointer[scorch.IndexSnapshot]{}) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != snap {
		c.snap = snap
		clear(c.items)
		c.order = c.order[:0]
	}
	if _, ok := c.items[key]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.items, c.order[0])
		c.order = c.order[1:]
	}
	c.items[key] = res
	c.order = append(c.order, key)
}

// liveSnapshot returns a weak pointer to the index's current snapshot, or
// the zero pointer when it cannot tell (the cache is then bypassed).
func (e *Engine) liveSnapshot() weak.Pointer[scorch.IndexSnapshot] {
	adv, err := e.src.Bleve().Advanced()
	if err != nil {
		return weak.Pointer[scorch.IndexSnapshot]{}
	}
	r, err := adv.Reader()
	if err != nil {
		return weak.Pointer[scorch.IndexSnapshot]{}
	}
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok || is == nil { // nil: a closed generation
		return weak.Pointer[scorch.IndexSnapshot]{}
	}
	defer is.Close()
	return weak.Make(is)
}
