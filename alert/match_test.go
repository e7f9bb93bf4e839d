package alert

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/search"
)

// matchWords are the words of the fixture articles and queries: few, so
// that random queries match some articles and not others.
var matchWords = vocabulary(strings.Fields(`minister president court election vote senate budget climate
	storm flood market stocks prices border migrants police protest school teachers hospital
	vaccine virus trade tariffs china russia ukraine europe water energy oil wind solar
	strike union workers judge ruling appeal governor mayor city council campaign debate
	poll rally prime river bridge fire smoke`))

// vocabulary adds 250 made-up words to words, so that an article holds
// a tenth of them and a query of two words matches few articles.
func vocabulary(words []string) []string {
	syll := []string{"ba", "de", "ki", "lo", "mu", "ra", "se", "ti", "vo", "zu", "pa", "ne"}
	for i := range 250 {
		words = append(words, syll[i%12]+syll[i/12%12]+syll[(i*7+3)%12]+"n")
	}
	return words
}

var matchOutlets = []string{"Daily Planet", "Gotham Gazette", "Central Courier", "Metro Times"}

// matchFixture returns n random articles and, after them, copies of some
// of them under new ids (wire copies, which a match set folds).
func matchFixture(r *rand.Rand, n, copies int) []newsdex.Article {
	words := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = matchWords[r.IntN(len(matchWords))]
		}
		return strings.Join(ws, " ")
	}
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	arts := make([]newsdex.Article, 0, n+copies)
	for i := range n {
		arts = append(arts, newsdex.Article{
			ID:        fmt.Sprintf("m%04d", i),
			Title:     strings.ToUpper(words(1)[:1]) + words(6)[1:],
			Body:      words(15) + ". " + words(15) + ".",
			Outlet:    matchOutlets[r.IntN(len(matchOutlets))],
			Published: day.AddDate(0, 0, r.IntN(30)),
			URL:       fmt.Sprintf("https://example.org/m%04d", i),
		})
	}
	for i := range copies {
		c := arts[r.IntN(n)]
		c.ID, c.URL = fmt.Sprintf("c%04d", i), fmt.Sprintf("https://example.org/c%04d", i)
		c.Outlet = matchOutlets[r.IntN(len(matchOutlets))]
		arts = append(arts, c)
	}
	r.Shuffle(len(arts), func(i, j int) { arts[i], arts[j] = arts[j], arts[i] })
	return arts
}

// randomQuery returns a random alert query over matchWords: words,
// operators, phrases, fields, wildcards, filters and dates.
func randomQuery(r *rand.Rand) Query {
	w := func() string { return matchWords[r.IntN(len(matchWords))] }
	var q string
	switch r.IntN(10) {
	case 0:
		q = w()
	case 1:
		q = w() + " " + w()
	case 2:
		q = w() + " OR " + w()
	case 3:
		q = `"` + w() + " " + w() + `"`
	case 4:
		q = w() + " -" + w()
	case 5:
		q = "title:" + w()
	case 6:
		q = w()[:3] + "*"
	case 7:
		q = "(" + w() + " OR " + w() + ") " + w()
	case 8:
		q = `"` + w() + " " + w() + `"~3`
	default:
		q = "the " + w() // a stop word and a word
	}
	out := Query{"q": q}
	if r.IntN(3) == 0 {
		out["outlet"] = []string{matchOutlets[r.IntN(len(matchOutlets))]}
	}
	if r.IntN(5) == 0 {
		out["from"] = fmt.Sprintf("2024-03-%02d", 1+r.IntN(20))
	}
	if r.IntN(6) == 0 {
		out["collapse"] = "false"
	}
	if r.IntN(8) == 0 {
		out["op"] = "or"
	}
	return out
}

// TestMatchBatchAsMembers checks that testing many alerts at once against
// a batch (MatchBatch, plain and prefiltered) gives each alert exactly
// what its own id-restricted search (Members) gives.
func TestMatchBatchAsMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 460 articles")
	}
	r := rand.New(rand.NewPCG(7, 11))
	arts := matchFixture(r, 400, 60)
	base, batchArts := arts[:230], arts[230:]
	svc, eng, _ := benchIndex(t, base)
	ctx := context.Background()
	if _, err := svc.Ingest(ctx, sliceSource(batchArts), nil); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(batchArts)+2)
	for _, a := range batchArts {
		ids = append(ids, a.ID)
	}
	ids = append(ids, "absent", ids[0]) // an unknown id and a repeat

	const alerts = 400
	sets := make([]*search.MatchSet, alerts+1) // the last is nil: a query that no longer compiles
	queries := make([]Query, alerts)
	for i := range alerts {
		queries[i] = randomQuery(r)
		req, err := queries[i].Request()
		if err != nil {
			t.Fatalf("query %v: %v", queries[i], err)
		}
		if sets[i], err = eng.CompileMatch(ctx, req); err != nil {
			t.Fatalf("compile %v: %v", queries[i], err)
		}
	}
	plain, err := eng.MatchBatch(ctx, sets, ids, search.BatchOptions{Plain: true})
	if err != nil {
		t.Fatal(err)
	}
	pre, err := eng.MatchBatch(ctx, sets, ids, search.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	matched, empty := 0, 0
	for i, set := range sets {
		if set == nil {
			if plain.Members[i] != nil || pre.Members[i] != nil {
				t.Errorf("nil set %d matched %v / %v", i, plain.Members[i], pre.Members[i])
			}
			continue
		}
		want, err := eng.Members(ctx, set, ids)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(plain.Members[i], want) {
			t.Errorf("alert %v: plain MatchBatch = %v, Members = %v", queries[i], plain.Members[i], want)
		}
		if !slices.Equal(pre.Members[i], want) {
			t.Errorf("alert %v: prefiltered MatchBatch = %v, Members = %v", queries[i], pre.Members[i], want)
		}
		for _, id := range want {
			a, ok := pre.Articles[id]
			if !ok || a.ID != id {
				t.Errorf("alert %v: no stored article for member %s", queries[i], id)
			}
		}
		if len(want) == 0 {
			empty++
		}
		matched += len(want)
	}
	// The fixture must test something: alerts that match and alerts that
	// do not.
	if matched == 0 || empty == 0 || empty > alerts*9/10 {
		t.Errorf("%d matches, %d alerts without any: the fixture does not exercise matching", matched, empty)
	}
	// The prefilter must have pruned: fewer sets and articles tested.
	if pre.Tested >= plain.Tested || pre.Candidates >= plain.Candidates/2 {
		t.Errorf("prefilter tested %d sets on %d articles, plain %d on %d: it prunes too little",
			pre.Tested, pre.Candidates, plain.Tested, plain.Candidates)
	}
	t.Logf("%d alerts, %d matches, %d alerts without a match; exact query on %d sets, %d articles (plain: %d sets, %d articles)",
		alerts, matched, empty, pre.Tested, pre.Candidates, plain.Tested, plain.Candidates)
}

// TestBatchMatchedOnlyWhenWritten checks that a round leaves alone a batch
// whose write has begun and not ended: matched then, it would find none
// of its articles and drop the record, losing them.
func TestBatchMatchedOnlyWhenWritten(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	arts := matchFixture(r, 20, 0)
	svc, eng, dir := benchIndex(t, nil)
	ctx := context.Background()
	m, err := Open(dir, eng, Options{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	a, _, err := m.Create(ctx, NewAlert{Name: "all", Query: Query{"q": "*"}, WebhookURL: "http://127.0.0.1:9/"})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(arts))
	for i := range arts {
		ids[i] = arts[i].ID
	}
	tok, err := m.Begin(ids)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.matchBatches(ctx); err != nil {
		t.Fatal(err)
	}
	if bs, err := m.st.batches(); err != nil || len(bs) != 1 {
		t.Fatalf("during the write: batches = %v, %v; want the one recorded", bs, err)
	}
	if _, err := svc.Ingest(ctx, sliceSource(arts), nil); err != nil {
		t.Fatal(err)
	}
	m.Done(tok, nil)
	if err := m.matchBatches(ctx); err != nil {
		t.Fatal(err)
	}
	q, err := m.st.queue(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != len(arts) {
		t.Errorf("after the write: %d articles queued, want %d", len(q), len(arts))
	}
	if bs, err := m.st.batches(); err != nil || len(bs) != 0 {
		t.Errorf("after matching: batches = %v, %v; want none", bs, err)
	}
}
