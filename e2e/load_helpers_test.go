package e2e_test

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// queryMix is the read load: plain words, phrases, boolean operators,
// wildcards, field queries, filters, date ranges, sorting and facets. Every
// query matches articles of the generated corpus.
func queryMix() []url.Values {
	return []url.Values{
		{"q": {"pipeline"}},
		{"q": {"summit"}, "person": {"Vladimir Putin"}, "facets": {"people,outlets"}},
		{"q": {"election"}, "outlet": {"Daily Planet"}},
		{"place": {"Moscow"}, "from": {"2024-03-01"}, "to": {"2024-12-31"}, "sort": {"date"}},
		{"q": {`"gas pipeline"`}},
		{"q": {"trade AND tariffs"}, "facets": {"published"}, "interval": {"week"}},
		{"q": {"(flood OR vaccine) -football"}, "size": {"20"}, "snippets": {"5"}},
		{"q": {"sat*"}, "outlet": {"Harbour Gazette"}},
		{"q": {"title:summit"}, "person": {"Xi Jinping", "Angela Merkel"}},
		{"q": {"officials"}, "sort": {"date_asc"}, "facets": {"people,outlets,places,published"}, "facet_size": {"20"}},
	}
}

// loadStats is what a query load saw.
type loadStats struct {
	requests  atomic.Int64
	failures  atomic.Int64 // non-200 or transport errors
	empties   atomic.Int64 // total == 0, or a total other than the expected one
	mu        sync.Mutex
	samples   []string // the first failures, for the report
	latencies []time.Duration
	wait      func()        // returns when the workers have stopped
	done      chan struct{} // signalled (not closed) after each request
}

// waitRequests blocks until the load has made at least n requests in all
// (true) or timeout passes (false).
func (l *loadStats) waitRequests(n int64, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for l.requests.Load() < n {
		select {
		case <-l.done:
		case <-deadline.C:
			return l.requests.Load() >= n
		}
	}
	return true
}

func (l *loadStats) note(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.samples) < 10 {
		l.samples = append(l.samples, time.Now().Format("15:04:05.000")+" "+fmt.Sprintf(format, args...))
	}
}

// percentile returns the p-th percentile (0..100) of the latencies.
func (l *loadStats) percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.latencies) == 0 {
		return 0
	}
	s := slices.Clone(l.latencies)
	slices.Sort(s)
	i := int(p / 100 * float64(len(s)-1))
	return s[i]
}

func (l *loadStats) String() string {
	return fmt.Sprintf("%d requests, %d failed, %d empty or wrong, p50 %v, p99 %v, max %v",
		l.requests.Load(), l.failures.Load(), l.empties.Load(),
		l.percentile(50).Round(10*time.Microsecond), l.percentile(99).Round(10*time.Microsecond), l.percentile(100).Round(10*time.Microsecond))
}

// baseline runs every query of qs once and returns its total; each must
// match something.
func baseline(t testing.TB, s *server, qs []url.Values) []int {
	t.Helper()
	out := make([]int, len(qs))
	for i, q := range qs {
		r, _, err := s.search(q)
		if err != nil {
			t.Fatalf("baseline query %v: %v", q, err)
		}
		if r.Total == 0 {
			t.Fatalf("baseline query %v matches nothing", q)
		}
		out[i] = r.Total
	}
	return out
}

// runLoad sends qs round-robin from workers goroutines until ctx is done.
// If want is not nil, each answer's total must equal want[i]; otherwise it
// must be positive.
func runLoad(ctx context.Context, s *server, workers int, qs []url.Values, want []int) *loadStats {
	l := &loadStats{done: make(chan struct{}, 1)}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			defer func() {
				l.mu.Lock()
				l.latencies = append(l.latencies, lat...)
				l.mu.Unlock()
			}()
			for i := w; ctx.Err() == nil; i++ {
				k := i % len(qs)
				start := time.Now()
				r, code, err := s.search(qs[k])
				lat = append(lat, time.Since(start))
				l.requests.Add(1)
				select {
				case l.done <- struct{}{}:
				default:
				}
				switch {
				case err != nil:
					l.failures.Add(1)
					l.note("query %d: status %d: %v", k, code, err)
				case want != nil && r.Total != want[k]:
					l.empties.Add(1)
					l.note("query %d: total %d, want %d", k, r.Total, want[k])
				case r.Total == 0:
					l.empties.Add(1)
					l.note("query %d: total 0", k)
				}
			}
		}()
	}
	go func() { <-ctx.Done(); wg.Wait() }()
	l.wait = wg.Wait
	return l
}

// memSample is the server's memory at a quiet moment (see quietMemory).
type memSample struct {
	live       float64 // least go_gc_heap_live_bytes over the probe's collections
	rssKB      int
	goroutines float64
}

func (m memSample) String() string {
	return fmt.Sprintf("live heap %.1f MiB, RSS %d MiB, %.0f goroutines", m.live/(1<<20), m.rssKB/1024, m.goroutines)
}

// quietGCs is how many garbage collections quietMemory waits for.
const quietGCs = 6

// quietMemory measures what the server retains once a load has stopped.
//
// RSS and the heap in use swing with the garbage collector's timing (the
// heap grows to twice its live size between collections, and freed pages
// go back to the system later), the more so on a busy machine, where the
// collector and the scavenger get less CPU: the server's RSS grew by 20%
// and 24% in runs on a loaded machine, and by 4-8% on an idle one, with
// the same code. The heap a collection finds live does not depend on that
// timing, but it holds whatever is in flight: the load's requests, and for
// a few collections after articles were added, Bleve's merge of their
// segments (the live heap read 17-18 MiB right after the run and 15 MiB
// from the third collection on).
//
// So quietMemory sends one search at a time and reads /metrics every ten,
// until the server has finished quietGCs collections, and returns the
// least live heap from the second on (the first may have begun under the
// load). Memory that leaks stays in every collection's live heap, so the
// least of them still shows it; transient memory does not.
func quietMemory(t testing.TB, s *server, qs []url.Values) memSample {
	t.Helper()
	start, err := s.metrics()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	var ms memSample
	for i := 0; ; i++ {
		if _, _, err := s.search(qs[i%len(qs)]); err != nil {
			t.Fatalf("quiet probe: %v", err)
		}
		if i%10 != 9 {
			continue
		}
		m, err := s.metrics()
		if err != nil {
			t.Fatal(err)
		}
		live, ok := m["go_gc_heap_live_bytes"]
		if !ok {
			t.Fatal("GET /metrics has no go_gc_heap_live_bytes")
		}
		gcs := m["go_gc_duration_seconds_count"] - start["go_gc_duration_seconds_count"]
		if gcs >= 2 && (ms.live == 0 || live < ms.live) {
			ms.live = live
		}
		if gcs >= quietGCs {
			if ms.rssKB, err = rssKB(s.pid()); err != nil {
				t.Fatal(err)
			}
			ms.goroutines = m["go_goroutines"]
			return ms
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server finished %.0f garbage collections in 60 s of %d sequential searches, want %d", gcs, i+1, quietGCs)
		}
	}
}

// metrics reads the unlabelled samples of GET /metrics.
func (s *server) metrics() (map[string]float64, error) {
	resp, err := s.client.Get(s.base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 || strings.HasPrefix(f[0], "#") || strings.Contains(f[0], "{") {
			continue
		}
		if v, err := strconv.ParseFloat(f[1], 64); err == nil {
			out[f[0]] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("GET /metrics: %w", err)
	}
	return out, nil
}
