package extract

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/internal/corpora"
)

// corpusDir returns ../shared/corpora/name relative to the repository root
// (found by walking up to go.mod), or skips the test when it is absent.
func corpusDir(tb testing.TB, name string) string {
	tb.Helper()
	return corpora.Path(tb, name)
}

// reutersRecord is one Reuters-21578 record with its <PEOPLE> tags.
type reutersRecord struct {
	article newsdex.Article
	people  []string
}

// sgmlField returns the content of the first <tag ...>...</tag> in rec.
func sgmlField(rec []byte, tag string) []byte {
	i := bytes.Index(rec, []byte("<"+tag))
	if i < 0 {
		return nil
	}
	j := bytes.IndexByte(rec[i:], '>')
	k := bytes.Index(rec[i:], []byte("</"+tag+">"))
	if j < 0 || k < 0 || k < j {
		return nil
	}
	return rec[i+j+1 : i+k]
}

// sgmlText decodes Latin-1 and the few entities the files use, and drops
// control-character references and the closing "Reuter".
func sgmlText(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '&' {
			if j := bytes.IndexByte(b[i:], ';'); j > 0 && j < 8 {
				switch ent := string(b[i+1 : i+j]); {
				case ent == "lt":
					sb.WriteByte('<')
				case ent == "gt":
					sb.WriteByte('>')
				case ent == "amp":
					sb.WriteByte('&')
				default:
					sb.WriteByte(' ')
				}
				i += j
				continue
			}
		}
		sb.WriteRune(rune(c)) // Latin-1 byte → rune
	}
	s := strings.TrimSpace(sb.String())
	return strings.TrimSpace(strings.TrimSuffix(s, "Reuter"))
}

// readReuters parses the SGML files minimally (the ingest package does it
// properly; this keeps the test independent of it). With taggedOnly it
// returns only records with <PEOPLE> tags; n is the number of records seen.
func readReuters(tb testing.TB, dir string, taggedOnly bool) (out []reutersRecord, n int) {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "reut2-*.sgm.gz"))
	sort.Strings(files)
	open, closeTag := []byte("<REUTERS"), []byte("</REUTERS>")
	for _, f := range files {
		raw := gunzipFile(tb, f)
		for {
			i := bytes.Index(raw, open)
			if i < 0 {
				break
			}
			j := bytes.Index(raw[i:], closeTag)
			if j < 0 {
				break
			}
			rec := raw[i : i+j]
			raw = raw[i+j+len(closeTag):]
			n++
			var r reutersRecord
			people := sgmlField(rec, "PEOPLE")
			for len(people) > 0 {
				a := bytes.Index(people, []byte("<D>"))
				b := bytes.Index(people, []byte("</D>"))
				if a < 0 || b < a {
					break
				}
				r.people = append(r.people, string(people[a+3:b]))
				people = people[b+4:]
			}
			if taggedOnly && len(r.people) == 0 {
				continue
			}
			// "26-FEB-1987 15:01:01.79" or " 5-MAR-1987 ...".
			if f := strings.SplitN(strings.Fields(string(sgmlField(rec, "DATE")) + " x")[0], "-", 3); len(f) == 3 && len(f[1]) == 3 {
				if t, err := time.Parse("2-Jan-2006", f[0]+"-"+f[1][:1]+strings.ToLower(f[1][1:])+"-"+f[2]); err == nil {
					r.article.Published = t
				}
			}
			r.article.Title = sgmlText(sgmlField(rec, "TITLE"))
			r.article.Body = sgmlText(sgmlField(rec, "BODY"))
			r.article.Outlet = "Reuters"
			out = append(out, r)
		}
	}
	return out, n
}

func gunzipFile(tb testing.TB, path string) []byte {
	tb.Helper()
	fh, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return raw
}

// loadReutersMap reads data/reuters-people.tsv: tag → canonical name.
func loadReutersMap(tb testing.TB) map[string]string {
	tb.Helper()
	m := map[string]string{}
	err := lines("reuters-people.tsv", func(_ int, f []string) error {
		if len(f) < 2 {
			return fmt.Errorf("want tag and name, got %q", f)
		}
		m[f[0]] = f[1]
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestReutersPeopleRecall checks that the people tagged in Reuters-21578
// are among the extracted people (acceptance bar: recall ≥ 0.90).
func TestReutersPeopleRecall(t *testing.T) {
	dir := corpusDir(t, "reuters21578")
	names := loadReutersMap(t)
	for _, tag := range strings.Fields(mustRead(t, filepath.Join(dir, "all-people-strings.lc.txt"))) {
		if _, ok := names[tag]; !ok {
			t.Errorf("reuters-people.tsv lacks tag %q", tag)
		}
	}
	recs, n := readReuters(t, dir, true)
	if n != 21578 {
		t.Errorf("parsed %d records, want 21578", n)
	}
	for _, r := range recs {
		if r.article.Published.IsZero() {
			t.Fatalf("record without a date: %q", r.article.Title)
		}
	}
	x := mustNew(t)
	tagged, pairs, hits, recHits := 0, 0, 0, 0
	missed := map[string]int{}
	for _, r := range recs {
		if len(r.people) == 0 {
			continue
		}
		tagged++
		a := r.article
		x.Extract(&a)
		got := newsdex.Names(a.People)
		all := true
		for _, tag := range r.people {
			pairs++
			want := names[tag]
			found := false
			for _, g := range got {
				if g == want {
					found = true
					break
				}
			}
			if found {
				hits++
			} else {
				all = false
				missed[want]++
			}
		}
		if all {
			recHits++
		}
	}
	recall := float64(hits) / float64(pairs)
	t.Logf("Reuters-21578: %d tagged records, %d (record, person) pairs, recall %.3f; records with every tag found: %.3f", tagged, pairs, recall, float64(recHits)/float64(tagged))
	type kv struct {
		k string
		v int
	}
	var ms []kv
	for k, v := range missed {
		ms = append(ms, kv{k, v})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].v > ms[j].v || ms[i].v == ms[j].v && ms[i].k < ms[j].k })
	var b strings.Builder
	for i, m := range ms {
		if i == 25 {
			break
		}
		fmt.Fprintf(&b, "%s %d; ", m.k, m.v)
	}
	t.Logf("most missed: %s", b.String())
	if tagged != 1156 {
		t.Errorf("tagged records = %d, want 1156", tagged)
	}
	if recall < 0.90 {
		t.Errorf("recall %.3f < 0.90", recall)
	}
}

func mustRead(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// allSidesArticle is a record of the AllSides/ABP corpus.
type allSidesArticle struct {
	ID      string `json:"ID"`
	Date    string `json:"date"`
	Source  string `json:"source"`
	Title   string `json:"title"`
	Content string `json:"content_original"`
}

// readAllSides streams the full-text AllSides records; limit 0 means all.
func readAllSides(tb testing.TB, limit int, fn func(newsdex.Article)) {
	tb.Helper()
	dir := corpusDir(tb, "allsides-abp")
	files, _ := filepath.Glob(filepath.Join(dir, "articles-*.jsonl.gz"))
	sort.Strings(files)
	n := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			tb.Fatalf("read %s: %v", f, err)
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			var r allSidesArticle
			if err := json.Unmarshal(bytes.TrimSpace(sc.Bytes()), &r); err != nil {
				tb.Fatalf("%s: %v", f, err)
			}
			a := newsdex.Article{ID: r.ID, Title: strings.TrimSpace(r.Title), Body: r.Content, Outlet: r.Source}
			if t, err := time.Parse(time.DateOnly, r.Date); err == nil {
				a.Published = t
			}
			fn(a)
			n++
			if limit > 0 && n >= limit {
				fh.Close()
				return
			}
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
	}
}
