package eval

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/ingest"
)

// Collection names.
const (
	ColTIME           = "time"
	ColParaphrase     = "paraphrase"
	ColParaphraseMix  = "paraphrase-mix"
	ColHeadlines      = "headlines"
	ColParaphraseGold = "paraphrase-gold"
)

// DefaultCollections returns the collections `newsdex eval` runs when none
// is named: the development collections of the relevance work.
// ColParaphraseGold (the CI test's small fixture) runs only when named.
func DefaultCollections() []string {
	return []string{ColTIME, ColParaphrase, ColParaphraseMix, ColHeadlines}
}

// KnownCollections returns every collection name Sources.Load accepts.
func KnownCollections() []string {
	return append(DefaultCollections(), ColParaphraseGold)
}

// Sample sizes and seeds. They are fixed so that every run measures the
// same articles; change them and the figures are no longer comparable.
const (
	mixAllSides       = 2500
	mixReuters        = 2000
	seedMixAllSides   = 1
	seedMixReuters    = 2
	headlinesPer      = 700 // AllSides, Reuters and BBC each; Wikinews all
	seedHeadlines     = 3
	minHeadlineWords  = 4
	minHeadlineBodyWs = 40
)

// allsidesMap reads the AllSides JSON lines as the README's "Index the
// corpora" does.
const allsidesMap = "id=ID,title=title,body=content_original,outlet=source,published=date,url=url,authors=authors"

// Sources loads collections from the repository (committed queries and
// fixtures) and the shared corpora, reading each corpus at most once.
type Sources struct {
	// Repo is the repository root (where go.mod is).
	Repo string
	// Corpora is the shared corpora folder (../shared/corpora).
	Corpora string
	// TIME is the TIME-1963 folder; "" means Corpora/time-magazine-1963.
	TIME string

	memo map[string][]newsdex.Article
}

// Load returns the named collection (see KnownCollections).
func (s *Sources) Load(ctx context.Context, name string) (*Collection, error) {
	switch name {
	case ColTIME:
		dir := s.TIME
		if dir == "" {
			dir = filepath.Join(s.Corpora, "time-magazine-1963")
		}
		return LoadTIME(dir)
	case ColParaphrase:
		return s.paraphrase(ctx, false)
	case ColParaphraseMix:
		return s.paraphrase(ctx, true)
	case ColHeadlines:
		return s.headlines(ctx)
	case ColParaphraseGold:
		return LoadParaphraseGold(s.Repo)
	}
	return nil, fmt.Errorf("eval: unknown collection %q, want one of %s", name, strings.Join(KnownCollections(), ", "))
}

// Paths of the committed query sets and fixtures, relative to the
// repository root.
const (
	paraphraseQueriesJSON  = "search/testdata/paraphrase/queries.json"
	paraphraseQueriesJSONL = "internal/eval/testdata/paraphrase/queries.jsonl"
	goldArticles           = "extract/testdata/gold/articles.jsonl"
)

// paraphrase is the known-item paraphrase set over all of Wikinews
// 2019–2020 and the seed, alone or (mix) among AllSides and Reuters
// distractors.
func (s *Sources) paraphrase(ctx context.Context, mix bool) (*Collection, error) {
	wn, err := s.wikinews(ctx)
	if err != nil {
		return nil, err
	}
	seed, err := seedArticles(ctx)
	if err != nil {
		return nil, err
	}
	docs := slices.Concat(wn, seed)
	c := &Collection{
		Name: ColParaphrase, Primary: MetricMRR10,
		About: fmt.Sprintf("known-item paraphrase queries over all %d Wikinews 2019-2020 articles and the seed", len(wn)),
	}
	if mix {
		as, err := s.allsides(ctx)
		if err != nil {
			return nil, err
		}
		rt, err := s.reuters(ctx)
		if err != nil {
			return nil, err
		}
		as = Sample(slices.DeleteFunc(slices.Clone(as), noBody), mixAllSides, seedMixAllSides)
		rt = Sample(slices.DeleteFunc(slices.Clone(rt), noBody), mixReuters, seedMixReuters)
		docs = slices.Concat(docs, as, rt)
		c.Name = ColParaphraseMix
		c.About = fmt.Sprintf("the paraphrase queries among %d articles: Wikinews, the seed, %d AllSides and %d Reuters-21578 sampled (seeds %d, %d)",
			len(docs), len(as), len(rt), seedMixAllSides, seedMixReuters)
	}
	c.Docs = docs
	c.Queries, err = LoadParaphraseQueries(s.Repo)
	if err != nil {
		return nil, err
	}
	if err := checkTargets(c); err != nil {
		return nil, err
	}
	return c, nil
}

func noBody(a newsdex.Article) bool { return strings.TrimSpace(a.Body) == "" }

// checkTargets fails when a judged document is not in the collection: a
// typo in a target would otherwise score as a miss of every system.
func checkTargets(c *Collection) error {
	ids := make(map[string]bool, len(c.Docs))
	for _, d := range c.Docs {
		if ids[d.ID] {
			return fmt.Errorf("eval %s: document id %q twice", c.Name, d.ID)
		}
		ids[d.ID] = true
	}
	for _, q := range c.Queries {
		for id := range q.Relevant {
			if !ids[id] {
				return fmt.Errorf("eval %s: query %s targets %q, which is not in the collection", c.Name, q.ID, id)
			}
		}
	}
	return nil
}

// LoadParaphraseQueries reads the paraphrase queries under repo: the 66 of
// search/testdata/paraphrase/queries.json (ids p001…, in file order) and,
// when present, internal/eval/testdata/paraphrase/queries.jsonl, one
// {"qid", "query", "target"} per line.
func LoadParaphraseQueries(repo string) ([]Query, error) {
	qs, err := loadParaphraseJSON(repo)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, q := range qs {
		seen[q.ID] = true
	}
	p := filepath.Join(repo, paraphraseQueriesJSONL)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return qs, nil
	}
	if err != nil {
		return nil, fmt.Errorf("eval: paraphrase queries: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q struct{ QID, Query, Target string }
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("eval: %s:%d: %w", p, n, err)
		}
		if q.QID == "" || q.Query == "" || q.Target == "" {
			return nil, fmt.Errorf("eval: %s:%d: want qid, query and target, got %q", p, n, line)
		}
		if seen[q.QID] {
			return nil, fmt.Errorf("eval: %s:%d: qid %q used twice", p, n, q.QID)
		}
		seen[q.QID] = true
		qs = append(qs, Query{ID: q.QID, Text: q.Query, Relevant: map[string]bool{q.Target: true}})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval: read %s: %w", p, err)
	}
	return qs, nil
}

// loadParaphraseJSON reads search/testdata/paraphrase/queries.json, the
// queries written for the gold set's articles.
func loadParaphraseJSON(repo string) ([]Query, error) {
	p := filepath.Join(repo, paraphraseQueriesJSON)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("eval: paraphrase queries: %w", err)
	}
	var list []struct{ Query, Target string }
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("eval: paraphrase queries %s: %w", p, err)
	}
	qs := make([]Query, 0, len(list))
	for i, q := range list {
		qs = append(qs, Query{ID: fmt.Sprintf("p%03d", i+1), Text: q.Query, Relevant: map[string]bool{q.Target: true}})
	}
	return qs, nil
}

// LoadParaphraseGold returns the small committed collection the CI test
// runs: the 66 queries of search/testdata/paraphrase/queries.json over
// the 67 articles of the entity gold set (66 Wikinews and the seed), whose
// embeddings search/testdata/paraphrase/embeddings.bin caches.
func LoadParaphraseGold(repo string) (*Collection, error) {
	docs, err := LoadGoldArticles(filepath.Join(repo, goldArticles))
	if err != nil {
		return nil, err
	}
	// Only the queries written for these articles, whose embeddings the
	// committed cache holds: not the larger set of queries.jsonl.
	qs, err := loadParaphraseJSON(repo)
	if err != nil {
		return nil, err
	}
	c := &Collection{
		Name: ColParaphraseGold, Primary: MetricMRR10, Docs: docs, Queries: qs,
		About: "the paraphrase queries over the 67 articles of the entity gold set (committed; the CI test's collection)",
	}
	return c, checkTargets(c)
}

// LoadGoldArticles reads the entity gold set's articles.jsonl, whose
// dates are bare YYYY-MM-DD (or empty); blank lines are skipped.
func LoadGoldArticles(file string) ([]newsdex.Article, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("eval: gold articles: %w", err)
	}
	defer f.Close()
	var arts []newsdex.Article
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var g struct{ ID, Title, URL, Published, Outlet, Body, Language string }
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			return nil, fmt.Errorf("eval: %s:%d: %w", file, n, err)
		}
		a := newsdex.Article{ID: g.ID, Title: g.Title, URL: g.URL, Outlet: g.Outlet, Body: g.Body, Language: g.Language}
		if g.Published != "" {
			if a.Published, err = time.Parse(time.DateOnly, g.Published); err != nil {
				return nil, fmt.Errorf("eval: %s:%d: published %q: %w", file, n, g.Published, err)
			}
		}
		arts = append(arts, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval: read %s: %w", file, err)
	}
	return arts, nil
}

// headlines is the headline → article known-item set: each sampled
// article's headline is its query, and the article, indexed without its
// title, is its only relevant document.
func (s *Sources) headlines(ctx context.Context) (*Collection, error) {
	type pool struct {
		name string
		arts []newsdex.Article
		n    int // 0 = all
	}
	var pools []pool
	for _, src := range []struct {
		name string
		load func(context.Context) ([]newsdex.Article, error)
		n    int
	}{
		{"allsides", s.allsides, headlinesPer},
		{"reuters", s.reuters, headlinesPer},
		{"bbc", s.bbc, headlinesPer},
		{"wikinews", s.wikinews, 0},
	} {
		arts, err := src.load(ctx)
		if err != nil {
			return nil, err
		}
		pools = append(pools, pool{src.name, arts, src.n})
	}
	// A headline that two articles share (Reuters' recurring "…
	// WEEKLY …" items, a story filed twice) has no single relevant
	// article: drop every article carrying it, across all sources.
	count := map[string]int{}
	for _, p := range pools {
		for _, a := range p.arts {
			count[headlineKey(a.Title)]++
		}
	}
	c := &Collection{Name: ColHeadlines, Primary: MetricMRR10, Plain: true}
	var about []string
	for i, p := range pools {
		ok := slices.DeleteFunc(slices.Clone(p.arts), func(a newsdex.Article) bool {
			k := headlineKey(a.Title)
			return k == "" || len(strings.Fields(k)) < minHeadlineWords || count[k] > 1 ||
				len(strings.Fields(untitled(a).Body)) < minHeadlineBodyWs
		})
		if p.n > 0 {
			ok = Sample(ok, p.n, seedHeadlines+uint64(i))
		}
		about = append(about, fmt.Sprintf("%d %s", len(ok), p.name))
		for _, a := range ok {
			q := Query{ID: fmt.Sprintf("h%04d", len(c.Queries)+1), Text: a.Title, Relevant: map[string]bool{a.ID: true}}
			c.Queries = append(c.Queries, q)
			c.Docs = append(c.Docs, untitled(a))
		}
	}
	c.About = fmt.Sprintf("headline -> its article (indexed without title) over %d articles: %s (seed %d)",
		len(c.Docs), strings.Join(about, ", "), seedHeadlines)
	return c, checkTargets(c)
}

// untitled returns a without its title, and without a copy of the title
// that opens the body (AllSides' scraper often put it there), so that the
// headline query cannot match its own text verbatim.
func untitled(a newsdex.Article) newsdex.Article {
	t := strings.TrimSpace(a.Title)
	if t != "" && len(a.Body) >= len(t) && strings.EqualFold(a.Body[:len(t)], t) {
		a.Body = strings.TrimSpace(a.Body[len(t):])
	}
	a.Title = ""
	return a
}

// headlineKey normalises a headline for duplicate detection: lower case,
// letters and digits only.
func headlineKey(t string) string {
	return strings.Join(strings.Fields(strings.ToLower(nonWord.ReplaceAllString(t, " "))), " ")
}

// Sample returns n of items chosen with a fixed seed, in their original
// order (all of them if there are at most n).
func Sample[T any](items []T, n int, seed uint64) []T {
	if len(items) <= n {
		return items
	}
	r := rand.New(rand.NewPCG(seed, 0x6e657773646578)) // "newsdex"
	idx := r.Perm(len(items))[:n]
	slices.Sort(idx)
	out := make([]T, n)
	for i, j := range idx {
		out[i] = items[j]
	}
	return out
}

// memoized reads a corpus once per Sources.
func (s *Sources) memoized(name string, read func() ([]newsdex.Article, error)) ([]newsdex.Article, error) {
	if a, ok := s.memo[name]; ok {
		return a, nil
	}
	a, err := read()
	if err != nil {
		return nil, err
	}
	if s.memo == nil {
		s.memo = map[string][]newsdex.Article{}
	}
	s.memo[name] = a
	return a, nil
}

// walk reads sources with ingest's readers; bad records are counted into
// skipped.
func walk(ctx context.Context, sources []string, opts ingest.Options, emit func(newsdex.Article), skip func(*ingest.RecordError)) error {
	return ingest.Walk(ctx, sources, opts, func(a newsdex.Article) error { emit(a); return nil }, skip)
}

// wikinews reads Wikinews 2019-2020 with ids wikinews-<year>-<NNN>, NNN
// the 0-based data row of the year's CSV (the entity gold set's ids).
func (s *Sources) wikinews(ctx context.Context) ([]newsdex.Article, error) {
	return s.memoized("wikinews", func() ([]newsdex.Article, error) {
		var out []newsdex.Article
		for _, year := range []string{"2019", "2020"} {
			file := filepath.Join(s.Corpora, "wikinews-2019-2020", "wikinews_"+year+".csv.gz")
			// Every data row is either emitted or skipped, in order, so
			// their running count is the row ordinal.
			row := 0
			err := walk(ctx, []string{file}, ingest.Options{}, func(a newsdex.Article) {
				a.ID = fmt.Sprintf("wikinews-%s-%03d", year, row)
				a.Outlet = "Wikinews"
				out = append(out, a)
				row++
			}, func(*ingest.RecordError) { row++ })
			if err != nil {
				return nil, fmt.Errorf("eval: read Wikinews: %w", err)
			}
		}
		return out, nil
	})
}

// seedArticles reads the embedded seed article(s).
func seedArticles(ctx context.Context) ([]newsdex.Article, error) {
	sub, err := fs.Sub(newsdex.Seeds, "seeds")
	if err != nil {
		return nil, err
	}
	var out []newsdex.Article
	err = ingest.ReadFS(ctx, sub, ingest.Options{}, func(a newsdex.Article) error { out = append(out, a); return nil }, nil)
	if err != nil {
		return nil, fmt.Errorf("eval: read seeds: %w", err)
	}
	return out, nil
}

// allsides reads every full-text AllSides article.
func (s *Sources) allsides(ctx context.Context) ([]newsdex.Article, error) {
	return s.memoized("allsides", func() ([]newsdex.Article, error) {
		files, err := filepath.Glob(filepath.Join(s.Corpora, "allsides-abp", "articles-20*.jsonl.gz"))
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("eval: no AllSides articles-20*.jsonl.gz in %s", filepath.Join(s.Corpora, "allsides-abp"))
		}
		m, err := ingest.ParseMap(allsidesMap)
		if err != nil {
			return nil, err
		}
		var out []newsdex.Article
		if err := walk(ctx, files, ingest.Options{Map: m}, func(a newsdex.Article) { out = append(out, a) }, nil); err != nil {
			return nil, fmt.Errorf("eval: read AllSides: %w", err)
		}
		return out, nil
	})
}

// reuters reads every Reuters-21578 record (some have a title only).
func (s *Sources) reuters(ctx context.Context) ([]newsdex.Article, error) {
	return s.memoized("reuters", func() ([]newsdex.Article, error) {
		files, err := filepath.Glob(filepath.Join(s.Corpora, "reuters21578", "reut2-*.sgm.gz"))
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("eval: no reut2-*.sgm.gz in %s", filepath.Join(s.Corpora, "reuters21578"))
		}
		var out []newsdex.Article
		if err := walk(ctx, files, ingest.Options{}, func(a newsdex.Article) { out = append(out, a) }, nil); err != nil {
			return nil, fmt.Errorf("eval: read Reuters: %w", err)
		}
		return out, nil
	})
}

// bbc reads the BBC archive: bbc/<category>/NNN.txt, the title on the
// first line and the body after it. ingest has no tar reader, and the
// format is this simple.
func (s *Sources) bbc(ctx context.Context) ([]newsdex.Article, error) {
	return s.memoized("bbc", func() ([]newsdex.Article, error) {
		file := filepath.Join(s.Corpora, "bbc-news-2004-2005", "bbc-fulltext.tar.gz")
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("eval: read BBC: %w", err)
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("eval: read BBC %s: %w", file, err)
		}
		tr := tar.NewReader(gz)
		var out []newsdex.Article
		for {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("eval: read BBC %s: %w", file, err)
			}
			dir, name := path.Split(h.Name)
			cat := path.Base(dir)
			if h.Typeflag != tar.TypeReg || path.Ext(name) != ".txt" || cat == "bbc" {
				continue // README.TXT and folders
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("eval: read BBC %s: %w", h.Name, err)
			}
			text := string(b)
			if !utf8.ValidString(text) {
				// sport/199.txt has one Latin-1 byte (a pound sign).
				text = latin1(b)
			}
			title, body, _ := strings.Cut(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
			out = append(out, newsdex.Article{
				ID:    "bbc-" + cat + "-" + strings.TrimSuffix(name, ".txt"),
				Title: strings.TrimSpace(title), Body: strings.TrimSpace(body),
				Outlet: "BBC News", Language: "en",
			})
		}
		return out, nil
	})
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
