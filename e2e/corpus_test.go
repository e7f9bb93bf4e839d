package e2e_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

// article is an article in newsdex's native JSON (JSONL files and
// POST /v1/articles).
type article struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Published string   `json:"published"`
	Outlet    string   `json:"outlet,omitempty"`
	Authors   []string `json:"authors,omitempty"`
	Body      string   `json:"body"`
}

// The generated corpus is written for these tests (no third-party text):
// each article covers one topic, names one or two people and a place, and
// comes from one of a few invented outlets, so that queries, filters and
// facets have something to match.
var (
	genPeople  = []string{"Vladimir Putin", "Xi Jinping", "Angela Merkel", "Emmanuel Macron", "Joe Biden", "Narendra Modi"}
	genPlaces  = []string{"Moscow", "Beijing", "Berlin", "Paris", "Washington", "New Delhi", "Tokyo", "Cairo"}
	genOutlets = []string{"Daily Planet", "Morning Ledger", "Evening Courier", "Harbour Gazette"}
	genTopics  = []struct{ name, words string }{
		{"pipeline", "gas pipeline energy supply contract export capacity winter prices"},
		{"summit", "summit leaders talks agreement statement delegation cooperation partnership"},
		{"election", "election ballot voters campaign turnout parliament candidate results"},
		{"flood", "flood rain river evacuation rescue damage weather emergency"},
		{"trade", "trade tariffs exports imports customs negotiations market goods"},
		{"football", "football match league goal stadium coach season championship"},
		{"vaccine", "vaccine health ministry doses hospital virus clinical trial"},
		{"satellite", "satellite launch rocket orbit space agency mission engineers"},
	}
	filler = strings.Fields("the a report officials said on statement added that week during after before several new " +
		"plans month told reporters according local national government public support announced people city region")
)

// genArticles returns n articles with ids prefix-000000…, deterministic for
// a prefix and seed. size scales the body (about 60*size words).
func genArticles(prefix string, n int, seed uint64, size int) []article {
	// The prefix is part of the seed: two calls with different prefixes
	// never write the same text (which the index would fold as a wire copy).
	h := fnv.New64a()
	h.Write([]byte(prefix))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	out := make([]article, n)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		topic := genTopics[r.IntN(len(genTopics))]
		tw := strings.Fields(topic.words)
		p1 := genPeople[r.IntN(len(genPeople))]
		p2 := genPeople[r.IntN(len(genPeople))]
		place := genPlaces[r.IntN(len(genPlaces))]
		day := base.AddDate(0, 0, r.IntN(700))
		var b strings.Builder
		fmt.Fprintf(&b, "%s, %s %d: %s spoke about the %s on %s.", place, day.Month(), day.Day(), p1, topic.name, day.Weekday())
		for s := 0; s < 6*size; s++ {
			b.WriteString(" ")
			for w := 0; w < 9; w++ {
				if r.IntN(3) == 0 {
					b.WriteString(tw[r.IntN(len(tw))])
				} else {
					b.WriteString(filler[r.IntN(len(filler))])
				}
				b.WriteString(" ")
			}
			if s == 2 {
				fmt.Fprintf(&b, "%s met %s in %s", p1, p2, place)
			} else {
				b.WriteString(tw[r.IntN(len(tw))])
			}
			b.WriteString(".")
		}
		out[i] = article{
			ID:        fmt.Sprintf("%s-%06d", prefix, i),
			Title:     fmt.Sprintf("%s: %s %s in %s", strings.ToUpper(topic.name[:1])+topic.name[1:], p1, tw[r.IntN(len(tw))], place),
			Published: day.Format("2006-01-02"),
			Outlet:    genOutlets[r.IntN(len(genOutlets))],
			Authors:   []string{fmt.Sprintf("Reporter %d", r.IntN(20))},
			Body:      b.String(),
		}
	}
	return out
}

// writeJSONL writes arts to path, one per line.
func writeJSONL(t testing.TB, path string, arts []article) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, a := range arts {
		if err := enc.Encode(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// buildIndex indexes arts into a fresh index at dir directly (no server).
func buildIndex(t testing.TB, dir string, arts []article) {
	t.Helper()
	src := dir + ".jsonl"
	writeJSONL(t, src, arts)
	r := mustNewsdex(t, 5*time.Minute, "index", "--index", dir, "--quiet", "--json", src)
	var sum struct {
		Indexed int `json:"indexed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Indexed != len(arts) {
		t.Fatalf("index: indexed %d of %d (%v)\n%s", sum.Indexed, len(arts), err, r.stdout)
	}
	t.Logf("built index of %d articles in %.1f s", len(arts), r.took.Seconds())
}
