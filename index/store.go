package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/blevesearch/bleve/v2"

	"github.com/newsdex/newsdex/index/internal/scorch"
)

// An index directory holds generations: complete Bleve indexes named
// gen-NNNNNN, and CURRENT, a one-line file naming the live one. A rebuild
// fills a new generation beside the live one and then replaces CURRENT
// atomically (write + rename), so a crash at any point leaves CURRENT naming
// a complete generation; generations CURRENT does not name are leftovers and
// are removed by the next writer, which holds the directory's lock.
const (
	currentFile = "CURRENT"
	genPrefix   = "gen-"
	lockFile    = "LOCK"
)

// ErrBusy is returned by Open when another process holds the index
// directory (a running `newsdex serve`, or another command).
var ErrBusy = errors.New("index: directory is in use by another process")

// Index is an open newsdex index directory: its live generation behind a
// Bleve alias, so that searches keep working while a rebuilt generation
// replaces it. It is safe for concurrent use.
type Index struct {
	dir   string
	lock  *os.File
	alias bleve.IndexAlias

	mu      sync.RWMutex // guards gen, bi and rebuild
	gen     string
	bi      bleve.Index
	vec     *genVectors // the live generation's vectors
	rebuild *Rebuild    // the generation being built, if any

	// writers is held shared by each Add and Delete from the moment it
	// reads which generations to write until its last write (the live one
	// and, during a rebuild, the mirrored one) is done; BeginRebuild,
	// Commit and Abort hold it exclusively while they change rebuild. So a
	// write that did not see a rebuild has reached the live generation
	// before the rebuild starts reading it, and a write that did see one
	// has reached both generations before either of them changes role.
	writers sync.RWMutex
	hooks   hooks

	retiring  sync.WaitGroup // swapped-out generations waiting to close
	closing   chan struct{}
	closeOnce sync.Once
	lastWrite atomic.Value // time.Time of the last Add or Delete
}

// hooks let a test stop a write or a rebuild at a chosen point, to force an
// interleaving that timing alone would produce only now and then. Nil
// hooks are skipped.
type hooks struct {
	// writing is called by Add and Delete once they know which
	// generations they write to, before writing.
	writing func()
	// rebuildWaits is called by BeginRebuild when writes in flight hold it
	// back from registering the new generation.
	rebuildWaits func()
}

// Open opens the index directory dir, creating it with an empty first
// generation if it holds none. It takes the directory's lock and returns
// ErrBusy if another process has it.
func Open(dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index: create %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	ix := &Index{dir: dir, lock: lock, closing: make(chan struct{})}
	gen, err := readCurrent(dir)
	if errors.Is(err, os.ErrNotExist) {
		gen, err = ix.createFirst()
	}
	if err != nil {
		ix.unlock()
		return nil, err
	}
	bi, err := bleve.OpenUsing(filepath.Join(dir, gen), scorch.Config())
	if err != nil {
		ix.unlock()
		return nil, fmt.Errorf("index: open %s generation %s: %w", dir, gen, err)
	}
	vec, err := openVectors(context.Background(), bi, filepath.Join(dir, gen))
	if err != nil {
		bi.Close()
		ix.unlock()
		return nil, err
	}
	ix.gen, ix.bi, ix.vec = gen, bi, vec
	ix.alias = bleve.NewIndexAlias(bi)
	ix.removeLeftovers()
	return ix, nil
}

// OpenExisting is Open for a directory that must already hold an index; it
// returns an error wrapping os.ErrNotExist otherwise.
func OpenExisting(dir string) (*Index, error) {
	if !Exists(dir) {
		return nil, fmt.Errorf("index: open %s: no index there (create one with `newsdex index`): %w", dir, os.ErrNotExist)
	}
	return Open(dir)
}

// Exists reports whether dir holds an index.
func Exists(dir string) bool {
	_, err := readCurrent(dir)
	return err == nil
}

func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("index: lock %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("index: %s: %w", dir, ErrBusy)
		}
		return nil, fmt.Errorf("index: lock %s: %w", dir, err)
	}
	return f, nil
}

func (ix *Index) unlock() {
	if ix.lock != nil {
		_ = syscall.Flock(int(ix.lock.Fd()), syscall.LOCK_UN)
		ix.lock.Close()
		ix.lock = nil
	}
}

func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if err != nil {
		return "", err
	}
	gen := strings.TrimSpace(string(b))
	if !strings.HasPrefix(gen, genPrefix) || strings.ContainsAny(gen, `/\`) {
		return "", fmt.Errorf("index: %s/%s names %q, not a generation", dir, currentFile, gen)
	}
	return gen, nil
}

// writeCurrent points CURRENT at gen atomically and durably.
func writeCurrent(dir, gen string) error {
	tmp := filepath.Join(dir, currentFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("index: write %s: %w", tmp, err)
	}
	if _, err := f.WriteString(gen + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("index: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("index: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("index: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, currentFile)); err != nil {
		return fmt.Errorf("index: switch %s to %s: %w", dir, gen, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// generations lists the gen-* directories in dir, oldest first.
func generations(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), genPrefix) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

func (ix *Index) nextGeneration() string {
	n := 0
	for _, g := range generations(ix.dir) {
		if k, err := strconv.Atoi(strings.TrimPrefix(g, genPrefix)); err == nil && k > n {
			n = k
		}
	}
	return fmt.Sprintf("%s%06d", genPrefix, n+1)
}

func (ix *Index) createFirst() (string, error) {
	gen := ix.nextGeneration()
	bi, err := newBleve(filepath.Join(ix.dir, gen))
	if err != nil {
		return "", err
	}
	if err := bi.Close(); err != nil {
		return "", fmt.Errorf("index: create %s: %w", gen, err)
	}
	if err := writeCurrent(ix.dir, gen); err != nil {
		return "", err
	}
	return gen, nil
}

func newBleve(path string) (bleve.Index, error) {
	m, err := Mapping()
	if err != nil {
		return nil, err
	}
	_ = os.RemoveAll(path) // a leftover of an interrupted build
	bi, err := bleve.NewUsing(path, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, scorch.Config())
	if err != nil {
		return nil, fmt.Errorf("index: create %s: %w", path, err)
	}
	return bi, nil
}

// removeLeftovers deletes generations CURRENT does not name: builds that
// were interrupted, or old generations a crash kept from being removed.
func (ix *Index) removeLeftovers() {
	for _, g := range generations(ix.dir) {
		if g != ix.gen {
			_ = os.RemoveAll(filepath.Join(ix.dir, g))
		}
	}
	_ = os.Remove(filepath.Join(ix.dir, currentFile+".tmp"))
}

// Dir returns the index directory.
func (ix *Index) Dir() string { return ix.dir }

// Generation returns the name of the live generation.
func (ix *Index) Generation() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.gen
}

// GenerationDir returns the directory of the live generation, where stores
// that belong to it (vectors) live.
func (ix *Index) GenerationDir() string {
	return filepath.Join(ix.dir, ix.Generation())
}

// Bleve returns the alias searches go through; it follows rebuilds.
func (ix *Index) Bleve() bleve.Index { return ix.alias }

func (ix *Index) live() bleve.Index {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.bi
}

// Close closes the live generation and releases the directory.
func (ix *Index) Close() error {
	ix.closeOnce.Do(func() { close(ix.closing) })
	ix.retiring.Wait()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	defer ix.unlock()
	if ix.bi == nil {
		return nil
	}
	// A snapshot of the vectors spares the next Open reading every
	// document; failing to write one only costs that time.
	_ = ix.vec.saveSnapshot(filepath.Join(ix.dir, ix.gen))
	err := ix.bi.Close()
	ix.bi = nil
	if err != nil {
		return fmt.Errorf("index: close %s: %w", ix.dir, err)
	}
	return nil
}
