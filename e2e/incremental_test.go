package e2e_test

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIncrementalWhileServing is issue 5 acceptance 2: `newsdex index` and
// `newsdex delete` hand their work to the running server; a new article is
// searchable within 2 s and the article count stays exact, both in
// GET /v1/search and in `newsdex stats`, and after the server stops.
func TestIncrementalWhileServing(t *testing.T) {
	const base = 500
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "ix")
	buildIndex(t, dir, genArticles("i", base, 7, 2))
	s := startServe(t, dir)

	checkCount := func(step string, want int) {
		t.Helper()
		if n := s.total(t); n != want {
			t.Errorf("%s: GET /v1/search total = %d, want %d", step, n, want)
		}
		if st := readStats(t, dir); st.Articles != want {
			t.Errorf("%s: newsdex stats articles = %d, want %d", step, st.Articles, want)
		}
	}
	findWord := func(word string) []string {
		r, _, err := s.search(url.Values{"q": {word}})
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(r.Hits))
		for i, h := range r.Hits {
			ids[i] = h.ID
		}
		return ids
	}
	checkCount("before", base)

	// Add three new articles, each with a word no other article has.
	fresh := genArticles("new", 3, 8, 1)
	for i := range fresh {
		fresh[i].Body += fmt.Sprintf(" The codeword is zorblax%d.", i)
	}
	src := filepath.Join(tmp, "fresh.jsonl")
	writeJSONL(t, src, fresh)
	start := time.Now()
	r := mustNewsdex(t, time.Minute, "index", "--index", dir, src)
	returned := time.Since(start)
	if !strings.Contains(r.stdout, "handed to the server at "+s.base) || !strings.Contains(r.stdout, "indexed 3") {
		t.Errorf("index said:\n%s", r.stdout)
	}
	var visible time.Duration
	if !waitFor(5*time.Second, func() bool { return len(findWord("zorblax2")) == 1 }) {
		t.Fatalf("the new article is not searchable 5 s after `newsdex index` returned")
	}
	visible = time.Since(start)
	t.Logf("new article searchable %v after `newsdex index` started (the command took %v, including its own start-up)", visible.Round(time.Millisecond), returned.Round(time.Millisecond))
	if visible > 2*time.Second {
		t.Errorf("the new article became searchable after %v, want within 2 s", visible)
	}
	if ids := findWord("zorblax0"); len(ids) != 1 || ids[0] != "new-000000" {
		t.Errorf("q=zorblax0 found %v, want [new-000000]", ids)
	}
	checkCount("after adding 3", base+3)

	// Replacing an article (same id) keeps the count and changes the text.
	fresh[0].Body = strings.Replace(fresh[0].Body, "zorblax0", "quuxinated0", 1)
	writeJSONL(t, src, fresh[:1])
	mustNewsdex(t, time.Minute, "index", "--index", dir, src)
	if ids := findWord("quuxinated0"); len(ids) != 1 {
		t.Errorf("replaced article: q=quuxinated0 found %v", ids)
	}
	if ids := findWord("zorblax0"); len(ids) != 0 {
		t.Errorf("replaced article: the old text is still found: %v", ids)
	}
	checkCount("after replacing 1", base+3)

	// Delete one new and one old article, and an id that does not exist.
	start = time.Now()
	r = mustNewsdex(t, time.Minute, "delete", "--index", dir, "new-000001", "i-000010")
	if !strings.Contains(r.stdout, "deleted 2 of 2 ids (through the server at "+s.base) {
		t.Errorf("delete said:\n%s", r.stdout)
	}
	if ids := findWord("zorblax1"); len(ids) != 0 {
		t.Errorf("deleted article still found: %v", ids)
	}
	t.Logf("delete visible %v after `newsdex delete` started", time.Since(start).Round(time.Millisecond))
	for _, id := range []string{"new-000001", "i-000010"} {
		if ok, err := s.hasArticle(id); ok || err != nil {
			t.Errorf("GET /v1/articles/%s after delete: present=%v err=%v", id, ok, err)
		}
	}
	if ok, err := s.hasArticle("new-000002"); !ok || err != nil {
		t.Errorf("GET /v1/articles/new-000002: present=%v err=%v", ok, err)
	}
	checkCount("after deleting 2", base+1)

	// Unknown ids are ignored, as `newsdex delete` does without a server,
	// and do not stop the ids after them from being deleted.
	r = newsdex(t, time.Minute, "delete", "--index", dir, "no-such-id", "new-000002")
	if r.err != nil || !strings.Contains(r.stdout, "deleted 1 of 2 ids") {
		t.Errorf("delete of an unknown and a known id through the server: %v\nstdout: %s\nstderr: %s", r.err, r.stdout, r.stderr)
	}
	if ok, _ := s.hasArticle("new-000002"); ok {
		t.Errorf("new-000002 is still present: the unknown id before it stopped the delete")
		mustNewsdex(t, time.Minute, "delete", "--index", dir, "new-000002")
	}
	checkCount("after deleting 1 more", base)

	// The writes are in the index on disk, not only in the server.
	if err := s.stop(15 * time.Second); err != nil {
		t.Errorf("serve exited with %v", err)
	}
	st := readStats(t, dir)
	if st.Articles != base {
		t.Errorf("stats after serve stopped: %d articles, want %d", st.Articles, base)
	}
	// Without a server an unknown id is ignored (the behaviour the served
	// delete is held to above).
	if r := mustNewsdex(t, time.Minute, "delete", "--index", dir, "no-such-id"); !strings.Contains(r.stdout, "deleted 0 of 1 ids") {
		t.Errorf("direct delete of an unknown id said:\n%s", r.stdout)
	}
	r = mustNewsdex(t, time.Minute, "search", "--index", dir, "--json", "quuxinated0")
	if !strings.Contains(r.stdout, `"new-000000"`) {
		t.Errorf("direct search after serve stopped does not find the replaced article:\n%s", tail(r.stdout, 500))
	}
}
