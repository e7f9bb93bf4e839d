// Package bench measures newsdex against peer search engines side by side,
// in one run on one machine: the peers (SQLite FTS5 always, Xapian and
// PostgreSQL on request) index the same AllSides articles and answer the
// same twelve queries, then newsdex does the same in-process and over HTTP
// under concurrent load. Only ratios from the same run are meaningful: the
// machine is shared and absolute times drift by a factor of two from one
// hour to the next. `newsdex bench` and `make bench` drive it.
//
// Run also measures a scale curve: AllSides replicated k times with new ids
// and dates shifted by k corpus spans, indexed from scratch at each size.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/newsdex/newsdex"
)

// Queries are the twelve queries of ../shared/bench/fts5_peer.py (the peers
// import them from there). Run checks that the FTS5 peer reports the same
// list, so that the comparison stays like for like.
var Queries = []string{
	"xi jinping trade", "putin election interference", "climate change paris agreement",
	`"supreme court" abortion`, "north korea summit kim", "impeachment inquiry whistleblower",
	"coronavirus vaccine", "border wall funding shutdown", "tariffs china soybeans",
	"brexit theresa may", "iran nuclear deal sanctions", "syria chemical weapons strike",
}

// LongQueries are natural-language questions of 15 to 40 words, as people
// type them into a semantic search box. The relevance issue wants each
// answered in under 100 ms in-process over AllSides + Reuters; every word
// is a clause, so they are the slowest shape of the bench's mix.
var LongQueries = []string{
	"what did the president say about the trade war with china and the tariffs on soybeans that hurt american farmers in the midwest last year",
	"how did congress react when the whistleblower complaint about the phone call with the ukrainian president became public and the speaker announced an impeachment inquiry",
	"why did the government shut down over the money for a wall on the southern border and how long did federal workers go without pay before it reopened",
	"which countries pulled out of the nuclear agreement with iran, what sanctions did the united states impose afterwards, and how did european leaders respond to the decision to reimpose them on oil exports",
	"the supreme court hears a case on abortion restrictions in a southern state while protesters gather outside and both parties prepare for the election campaign ahead",
	"what happened at the summit between the american president and the north korean leader in singapore and did it lead to any agreement on nuclear weapons or missile tests in the months that followed",
}

// Config says what a run measures. The zero value of a field means its
// default (see Defaults).
type Config struct {
	// Corpus is the AllSides directory (articles-*.jsonl.gz).
	Corpus string
	// Reuters is the Reuters-21578 directory indexed beside AllSides for
	// the query measurements; "" queries AllSides alone.
	Reuters string
	// PeerDir holds fts5_peer.py, xapian_peer.py and postgres_peer.py.
	PeerDir string
	// Peers is "fts5" (default), "all" or "none".
	Peers string
	// PeerReps is passed to the peers as --reps (default 20).
	PeerReps int
	// Python runs the peers (default python3).
	Python string
	// Limit indexes only the first Limit articles of the corpus (0 = all);
	// the peers get the same --limit.
	Limit int

	// BatchSize is the number of articles per index batch (0: the
	// service's default, as `newsdex index` uses).
	BatchSize int

	// Embed also indexes with passage embeddings, when the model is there.
	Embed bool
	// ModelDir is where the embedding model lives ("" = embed.DefaultDir()).
	ModelDir string

	// Reps is how often the twelve queries run in-process (default 50).
	Reps int
	// Conns is the number of concurrent HTTP connections (default 16).
	Conns int
	// HTTPDuration is how long the HTTP load runs (default 10 s); negative
	// skips the HTTP measurements.
	HTTPDuration time.Duration
	// ServeBin, if set, is a newsdex binary: the HTTP load then goes to
	// `ServeBin serve` in its own process, whose RSS is reported. Empty
	// serves the API in-process (RSS not reported).
	ServeBin string

	// Scales lists the replication factors of the scale curve (e.g. 1,4,16);
	// empty skips it.
	Scales []int
	// ScaleReps is how often the queries run at each scale (default 20).
	ScaleReps int

	// WorkDir is where indexes are built (default a temp dir); everything
	// Run creates under it is removed at the end unless Keep is set.
	WorkDir string
	Keep    bool
	// ProfileDir, if set, receives CPU and allocation profiles of the
	// indexing and query phases (index.cpu.pprof, query.cpu.pprof, ...).
	ProfileDir string

	// NoFloor skips the Bleve floor runs (floor.Index).
	NoFloor bool

	// QueryIndex, if set, names an index directory built by an earlier run
	// (--work DIR --keep leaves DIR/lexical): the run skips the peers and
	// indexing and measures queries on it, for profiling query changes.
	QueryIndex string

	// Log receives progress lines (default io.Discard).
	Log io.Writer
}

// Defaults fills the zero fields of c.
func (c *Config) Defaults() {
	if c.Peers == "" {
		c.Peers = "fts5"
	}
	if c.PeerReps == 0 {
		c.PeerReps = 20
	}
	if c.Python == "" {
		c.Python = "python3"
	}
	if c.Reps == 0 {
		c.Reps = 50
	}
	if c.Conns == 0 {
		c.Conns = 16
	}
	if c.HTTPDuration == 0 {
		c.HTTPDuration = 10 * time.Second
	}
	if c.ScaleReps == 0 {
		c.ScaleReps = 20
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Report is what a run measured; it is written as JSON.
type Report struct {
	Started  string  `json:"started"`
	Machine  Machine `json:"machine"`
	Queries  []string
	Peers    []PeerResult `json:"peers"`
	Newsdex  *Result      `json:"newsdex,omitempty"`
	Embedded *IndexResult `json:"newsdex_embedded,omitempty"`
	// EmbedNote says why the embedded run is missing, if it is.
	EmbedNote string       `json:"embed_note,omitempty"`
	Scale     []ScalePoint `json:"scale,omitempty"`
	Ratios    []Ratio      `json:"ratios,omitempty"`
	Seconds   float64      `json:"seconds"`
}

// Machine describes where the run happened; the load averages show how
// much else was running.
type Machine struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPU        string `json:"cpu,omitempty"`
	GoVersion  string `json:"go"`
	LoadStart  string `json:"loadavg_start,omitempty"`
	LoadEnd    string `json:"loadavg_end,omitempty"`
}

// PeerResult is the JSON line a peer script prints (its common keys).
type PeerResult struct {
	Peer          string   `json:"peer"`
	Articles      int      `json:"articles"`
	TextMB        float64  `json:"text_mb"`
	IndexSeconds  float64  `json:"index_s"`
	IndexDocsPerS float64  `json:"index_docs_per_s"`
	IndexMB       float64  `json:"index_mb"`
	QueryP50      float64  `json:"query_ms_p50"`
	QueryP99      float64  `json:"query_ms_p99"`
	Queries       []string `json:"queries"`
	Counts        []int    `json:"counts,omitempty"`
	WallSeconds   float64  `json:"wall_s"`
	Error         string   `json:"error,omitempty"`
	CommandLine   string   `json:"command"`
}

// Result is newsdex's side of the comparison.
type Result struct {
	Index IndexResult `json:"index"`
	// Searched is the number of articles the queries ran over (AllSides,
	// plus Reuters when configured).
	Searched int `json:"searched_articles"`
	// Query is the in-process latency of the twelve queries as typed
	// (newsdex reads words side by side as OR), top 10, 3 snippets, all
	// facets; QueryAnd the same with the words joined by AND, as FTS5
	// reads them.
	Query    Latency `json:"query"`
	QueryAnd Latency `json:"query_and"`
	// QueryLong is the in-process latency of LongQueries as typed.
	QueryLong Latency `json:"query_long"`
	// Totals are the hit counts of the twelve queries as typed and ANDed.
	Totals    []uint64 `json:"totals"`
	TotalsAnd []uint64 `json:"totals_and"`
	// HTTP is the server as deployed (`newsdex serve`, result cache on);
	// HTTPNoCache the engine alone behind the same handler, cache off.
	HTTP        *Load `json:"http,omitempty"`
	HTTPNoCache *Load `json:"http_no_cache,omitempty"`
	// HTTPNoCacheAnd is the engine alone on the queries with their words
	// joined by AND, as FTS5 reads them.
	HTTPNoCacheAnd *Load `json:"http_no_cache_and,omitempty"`
	// Floor is Bleve alone on the same articles (floor.Index), title and
	// body only: doing what the FTS5 peer does (positions, text stored)
	// with one and two writers, and bare (neither) with two.
	Floor []FloorResult `json:"bleve_floor,omitempty"`
}

// FloorResult is one floor.Index run.
type FloorResult struct {
	Kind       string  `json:"kind"` // "like FTS5" or "bare"
	Writers    int     `json:"writers"`
	Seconds    float64 `json:"seconds"`
	DocsPerSec float64 `json:"docs_per_s"`
	CPUSeconds float64 `json:"cpu_s"`
}

// IndexResult is one indexing run.
type IndexResult struct {
	Articles   int     `json:"articles"`
	Seconds    float64 `json:"seconds"`
	DocsPerSec float64 `json:"docs_per_s"`
	// CPUSeconds is the user+system CPU time of this process while
	// indexing (extraction, analysis, segment building, merging, GC): on a
	// shared machine it varies far less than the wall time.
	CPUSeconds float64 `json:"cpu_s"`
	SizeMB     float64 `json:"size_mb"`
	// Passages is the number of passages written (and embedded).
	Passages int `json:"passages,omitempty"`
}

// Latency summarises repeated query timings.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
	// CPUMS is the process CPU time per query (all goroutines, background
	// merges included), a load-independent cost.
	CPUMS float64 `json:"cpu_ms_per_query"`
}

// Ratio compares newsdex with a peer on one measure; >1 is better for
// newsdex when HigherIsBetter, <1 otherwise.
type Ratio struct {
	Peer    string  `json:"peer"`
	Measure string  `json:"measure"`
	Newsdex float64 `json:"newsdex"`
	Other   float64 `json:"other"`
	Ratio   float64 `json:"ratio"`
	Target  string  `json:"target,omitempty"`
	Met     *bool   `json:"met,omitempty"`
}

// Run measures everything c asks for and returns the report. It returns an
// error only when newsdex itself cannot be measured; a failing peer is
// recorded in its PeerResult.
func Run(ctx context.Context, c Config) (*Report, error) {
	c.Defaults()
	start := time.Now()
	rep := &Report{Started: start.UTC().Format(time.RFC3339), Machine: machine(), Queries: Queries}
	rep.Machine.LoadStart = loadavg()
	work := c.WorkDir
	if work == "" {
		d, err := os.MkdirTemp("", "newsdex-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: work dir: %w", err)
		}
		work = d
		if !c.Keep {
			defer os.RemoveAll(d)
		}
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, fmt.Errorf("bench: work dir %s: %w", work, err)
	}

	if c.QueryIndex != "" {
		res, err := measureQueries(ctx, c, c.QueryIndex, &Result{})
		rep.Newsdex = res
		rep.Machine.LoadEnd = loadavg()
		rep.Seconds = time.Since(start).Seconds()
		return rep, err
	}
	for _, p := range peerScripts(c.Peers) {
		logf(c.Log, "peer %s ...", p)
		pr := runPeer(ctx, c, p)
		if pr.Error == "" && !sameQueries(pr.Queries, Queries) {
			pr.Error = fmt.Sprintf("peer query list %q differs from newsdex's", pr.Queries)
		}
		logf(c.Log, "peer %s: %.0f articles/s, %.1f MB, p50 %.2f ms, p99 %.2f ms %s", pr.Peer, pr.IndexDocsPerS, pr.IndexMB, pr.QueryP50, pr.QueryP99, pr.Error)
		rep.Peers = append(rep.Peers, pr)
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}

	logf(c.Log, "loading %s ...", c.Corpus)
	arts, err := LoadAllSides(ctx, c.Corpus, c.Limit)
	if err != nil {
		return rep, err
	}
	var extra []newsdex.Article
	if c.Reuters != "" {
		extra, err = LoadDir(ctx, c.Reuters)
		if err != nil {
			return rep, err
		}
	}
	res, err := measureNewsdex(ctx, c, filepath.Join(work, "lexical"), arts, extra)
	rep.Newsdex = res
	if err != nil {
		return rep, err
	}
	if c.Embed {
		er, note := measureEmbedded(ctx, c, filepath.Join(work, "embedded"), arts)
		rep.Embedded, rep.EmbedNote = er, note
	}
	if len(c.Scales) > 0 {
		rep.Scale, err = measureScale(ctx, c, filepath.Join(work, "scale"), arts)
		if err != nil {
			return rep, err
		}
	}
	rep.Ratios = ratios(rep)
	rep.Machine.LoadEnd = loadavg()
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// WriteJSON writes rep to path, indented.
func (rep *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("bench: encode report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	return nil
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// loadavg returns the 1, 5 and 15 minute load averages, "" off Linux.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func logf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func sameQueries(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
