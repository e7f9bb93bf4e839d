package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
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
