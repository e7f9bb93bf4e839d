package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/internal/testenv"
)

func TestAndQueries(t *testing.T) {
	got := andQueries([]string{"xi jinping trade", `"supreme court" abortion`, "coronavirus", `a "b c" d`})
	want := []string{"xi AND jinping AND trade", `"supreme court" AND abortion`, "coronavirus", `a AND "b c" AND d`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("andQueries mismatch (-want +got):\n%s", diff)
	}
}

func TestSummarise(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	got := summarise(lat)
	// Nearest rank as the peers compute it: sorted[int(n*p)].
	want := Latency{N: 100, P50: 51, P90: 91, P99: 100, Max: 100}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summarise mismatch (-want +got):\n%s", diff)
	}
	if (summarise(nil) != Latency{}) {
		t.Error("summarise(nil) is not zero")
	}
}

func TestReplica(t *testing.T) {
	day := 24 * time.Hour
	a := newsdex.Article{ID: "x", Published: time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC)}
	if got := Replica(a, 0, day); got.ID != "x" || !got.Published.Equal(a.Published) {
		t.Errorf("Replica 0 = %+v, want the article itself", got)
	}
	got := Replica(a, 3, 10*day)
	if got.ID != "x~r3" || !got.Published.Equal(a.Published.Add(-30*day)) {
		t.Errorf("Replica 3 = %s %s", got.ID, got.Published)
	}
	arts := []newsdex.Article{a, {ID: "y", Published: a.Published.Add(5*day + time.Hour)}, {ID: "z"}}
	if s := span(arts); s != 6*day {
		t.Errorf("span = %s, want 6 days", s)
	}
}

func TestPeerScripts(t *testing.T) {
	for peers, want := range map[string]int{"none": 0, "fts5": 1, "all": 3, "": 1} {
		if got := len(peerScripts(peers)); got != want {
			t.Errorf("peerScripts(%q) has %d scripts, want %d", peers, got, want)
		}
	}
}

// writeCorpus writes n synthetic articles in the AllSides layout.
func writeCorpus(t *testing.T, dir string, n int) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	enc := json.NewEncoder(zw)
	people := []string{"Vladimir Putin", "Xi Jinping", "Theresa May", "Kim Jong Un"}
	words := strings.Fields("trade election interference climate change paris agreement supreme court abortion north korea summit " +
		"impeachment inquiry whistleblower coronavirus vaccine border wall funding shutdown tariffs china soybeans brexit " +
		"iran nuclear deal sanctions syria chemical weapons strike talks market")
	for i := range n {
		var body strings.Builder
		for s := range 12 {
			fmt.Fprintf(&body, "%s said the %s and %s were %s. ", people[(i+s)%len(people)], words[(i*7+s)%len(words)],
				words[(i*3+s*5)%len(words)], words[(i+s*11)%len(words)])
			if s%4 == 3 {
				body.WriteString("\n\n")
			}
		}
		if err := enc.Encode(map[string]string{
			"ID": fmt.Sprintf("s%04d", i), "title": fmt.Sprintf("%s on %s", people[i%len(people)], words[i%len(words)]),
			"content_original": body.String(), "source": fmt.Sprintf("Outlet %d", i%5),
			"date": time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly),
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "articles-2018.jsonl.gz"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRun runs the whole benchmark on a small synthetic corpus with a
// fake FTS5 peer: peers, indexing, queries in-process and over HTTP, the
// scale curve, the table and the JSON.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a few hundred articles several times")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		testenv.Missing(t, "python3 (the FTS5 peer runs in it)", "apt-get install python3")
	}
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	peers := filepath.Join(dir, "peers")
	for _, d := range []string{corpus, peers} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeCorpus(t, corpus, 120)
	qs, _ := json.Marshal(Queries)
	fake := fmt.Sprintf(`import json
print("log line")
print(json.dumps({"peer": "sqlite-fts5 fake", "articles": 120, "text_mb": 0.1, "index_s": 0.1,
  "index_docs_per_s": 1200, "index_mb": 1.0, "query_ms_p50": 2.0, "query_ms_p99": 4.0, "queries": %s}))
`, qs)
	if err := os.WriteFile(filepath.Join(peers, "fts5_peer.py"), []byte(fake), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	rep, err := Run(context.Background(), Config{
		Corpus: corpus, PeerDir: peers, Python: python, Reps: 2, ScaleReps: 1,
		HTTPDuration: 300 * time.Millisecond, Conns: 4, Scales: []int{1, 2},
		WorkDir: filepath.Join(dir, "work"), Log: &log,
	})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	if len(rep.Peers) != 1 || rep.Peers[0].Error != "" || rep.Peers[0].IndexDocsPerS != 1200 {
		t.Errorf("peers = %+v", rep.Peers)
	}
	nd := rep.Newsdex
	if nd == nil || nd.Index.Articles != 120 || nd.Index.SizeMB <= 0 || nd.Query.N != 24 || nd.QueryAnd.N != 24 {
		t.Fatalf("newsdex = %+v", nd)
	}
	if nd.HTTP == nil || nd.HTTPNoCache == nil || nd.HTTP.Requests == 0 || nd.HTTP.Errors != 0 || nd.HTTPNoCache.Errors != 0 {
		t.Errorf("HTTP = %+v, no cache %+v", nd.HTTP, nd.HTTPNoCache)
	}
	if len(nd.Floor) != 3 || nd.Floor[0].Writers != 1 || nd.Floor[1].Writers != 2 || nd.Floor[2].Kind != "bare" || nd.Floor[0].DocsPerSec <= 0 || nd.Floor[2].DocsPerSec <= 0 {
		t.Errorf("floor = %+v", nd.Floor)
	}
	if len(rep.Scale) != 2 || rep.Scale[1].Index.Articles != 240 {
		t.Errorf("scale = %+v", rep.Scale)
	}
	if len(rep.Ratios) == 0 || rep.Ratios[0].Met == nil {
		t.Errorf("ratios = %+v", rep.Ratios)
	}
	var table bytes.Buffer
	rep.WriteTable(&table)
	for _, want := range []string{"index articles/s", "Bleve floor articles/s (like FTS5, 2 writers)", "sqlite-fts5 fake", "targets", "scale curve", "HTTP req/s"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	out := filepath.Join(dir, "bench.json")
	if err := rep.WriteJSON(out); err != nil {
		t.Fatal(err)
	}
	var back Report
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &back); err != nil || back.Newsdex.Index.Articles != 120 {
		t.Errorf("JSON round trip: %v, %+v", err, back.Newsdex)
	}
}

func TestRunPeerFailure(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		testenv.Missing(t, "python3 (the FTS5 peer runs in it)", "apt-get install python3")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "fts5_peer.py"), []byte("import sys\nsys.exit('no corpus')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pr := runPeer(context.Background(), Config{PeerDir: dir, Python: python, Corpus: dir, PeerReps: 1}, "fts5_peer.py")
	if !strings.Contains(pr.Error, "no corpus") {
		t.Errorf("peer error = %q, want the script's message", pr.Error)
	}
}
