// Package eval measures ranking quality on test collections with relevance
// judgments: TIME-1963 (nDCG@10, MAP, P@10, MRR@10).
package eval

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/newsdex/newsdex"
)

// Collection is a set of documents, queries and judgments.
type Collection struct {
	Docs    []newsdex.Article
	Queries []Query
	// Stop is the collection's own stop-word list (lowercase), which the
	// SQLite FTS5 peer also removes from queries.
	Stop map[string]bool
}

// Query is one topic with the ids of its relevant documents.
type Query struct {
	ID       string
	Text     string
	Relevant map[string]bool
}

var (
	textHeader = regexp.MustCompile(`^\*TEXT\s+(\d+)\s+(\d\d)/(\d\d)[/ ](\d\d)`)
	findHeader = regexp.MustCompile(`^\*FIND\s+(\d+)`)
)

// LoadTIME reads the TIME-1963 collection from dir. Judgments in
// TIME.REL.ALL name documents by ordinal position in TIME.ALL, so document
// ids here are "time-<ordinal>".
func LoadTIME(dir string) (*Collection, error) {
	c := &Collection{}
	f, err := os.Open(filepath.Join(dir, "TIME.ALL.gz"))
	if err != nil {
		return nil, fmt.Errorf("eval: open TIME.ALL.gz: %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("eval: read TIME.ALL.gz: %w", err)
	}
	var body []string
	flush := func() {
		if len(c.Docs) > 0 {
			c.Docs[len(c.Docs)-1].Body = strings.Join(body, "\n")
		}
		body = body[:0]
	}
	err = eachLine(gz, func(line string) {
		if m := textHeader.FindStringSubmatch(line); m != nil || strings.HasPrefix(line, "*TEXT") {
			flush()
			a := newsdex.Article{ID: "time-" + strconv.Itoa(len(c.Docs)+1), Outlet: "TIME", Language: "en"}
			if m != nil {
				mo, _ := strconv.Atoi(m[2])
				d, _ := strconv.Atoi(m[3])
				a.Published = time.Date(1963, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
			}
			c.Docs = append(c.Docs, a)
			return
		}
		if strings.HasPrefix(line, "*STOP") {
			return
		}
		if s := strings.TrimSpace(line); s != "" {
			body = append(body, s)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("eval: read TIME.ALL.gz: %w", err)
	}
	flush()

	qf, err := os.Open(filepath.Join(dir, "TIME.QUE"))
	if err != nil {
		return nil, fmt.Errorf("eval: open TIME.QUE: %w", err)
	}
	defer qf.Close()
	var qtext []string
	qflush := func() {
		if len(c.Queries) > 0 {
			c.Queries[len(c.Queries)-1].Text = strings.Join(qtext, " ")
		}
		qtext = qtext[:0]
	}
	err = eachLine(qf, func(line string) {
		if m := findHeader.FindStringSubmatch(line); m != nil {
			qflush()
			c.Queries = append(c.Queries, Query{ID: m[1], Relevant: map[string]bool{}})
			return
		}
		if s := strings.TrimSpace(line); s != "" && !strings.HasPrefix(s, "*STOP") {
			qtext = append(qtext, s)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("eval: read TIME.QUE: %w", err)
	}
	qflush()

	rf, err := os.Open(filepath.Join(dir, "TIME.REL.ALL"))
	if err != nil {
		return nil, fmt.Errorf("eval: open TIME.REL.ALL: %w", err)
	}
	defer rf.Close()
	byID := map[string]*Query{}
	for i := range c.Queries {
		byID[c.Queries[i].ID] = &c.Queries[i]
	}
	err = eachLine(rf, func(line string) {
		fs := strings.Fields(line)
		if len(fs) < 2 {
			return
		}
		q := byID[fs[0]]
		if q == nil {
			return
		}
		for _, s := range fs[1:] {
			n, err := strconv.Atoi(s)
			if err == nil && n >= 1 && n <= len(c.Docs) {
				q.Relevant["time-"+strconv.Itoa(n)] = true
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("eval: read TIME.REL.ALL: %w", err)
	}
	sf, err := os.Open(filepath.Join(dir, "TIME.STP"))
	if err != nil {
		return nil, fmt.Errorf("eval: open TIME.STP: %w", err)
	}
	defer sf.Close()
	c.Stop = map[string]bool{}
	err = eachLine(sf, func(line string) {
		if w := strings.ToLower(strings.TrimSpace(line)); w != "" {
			c.Stop[w] = true
		}
	})
	if err != nil {
		return nil, fmt.Errorf("eval: read TIME.STP: %w", err)
	}
	return c, nil
}

func eachLine(r io.Reader, fn func(string)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		// The collection is Latin-1; its text is ASCII in practice.
		fn(sc.Text())
	}
	return sc.Err()
}

// Ranker returns the ids of the top k documents for a query text.
type Ranker func(ctx context.Context, text string, k int) ([]string, error)

// Scores are mean metrics over the judged queries.
type Scores struct {
	Queries int     `json:"queries"`
	NDCG10  float64 `json:"ndcg@10"`
	MAP     float64 `json:"map"`
	P10     float64 `json:"p@10"`
	MRR10   float64 `json:"mrr@10"`
}

func (s Scores) String() string {
	return fmt.Sprintf("queries %d nDCG@10 %.3f MAP %.3f P@10 %.3f MRR@10 %.3f", s.Queries, s.NDCG10, s.MAP, s.P10, s.MRR10)
}

// Run ranks every judged query with rank (top 1000 for MAP) and averages.
func Run(ctx context.Context, c *Collection, rank Ranker) (Scores, error) {
	var s Scores
	for _, q := range c.Queries {
		if len(q.Relevant) == 0 {
			continue
		}
		ranked, err := rank(ctx, q.Text, 1000)
		if err != nil {
			return s, fmt.Errorf("eval: query %s: %w", q.ID, err)
		}
		s.Queries++
		s.NDCG10 += NDCG(ranked, q.Relevant, 10)
		s.MAP += AveragePrecision(ranked, q.Relevant)
		hits := 0
		for _, id := range ranked[:min(10, len(ranked))] {
			if q.Relevant[id] {
				hits++
			}
		}
		s.P10 += float64(hits) / 10
		for i, id := range ranked[:min(10, len(ranked))] {
			if q.Relevant[id] {
				s.MRR10 += 1 / float64(i+1)
				break
			}
		}
	}
	if s.Queries > 0 {
		n := float64(s.Queries)
		s.NDCG10 /= n
		s.MAP /= n
		s.P10 /= n
		s.MRR10 /= n
	}
	return s, nil
}

// NDCG returns binary-relevance nDCG@k of ranked.
func NDCG(ranked []string, rel map[string]bool, k int) float64 {
	var dcg, idcg float64
	for i, id := range ranked[:min(k, len(ranked))] {
		if rel[id] {
			dcg += 1 / math.Log2(float64(i+2))
		}
	}
	for i := range min(k, len(rel)) {
		idcg += 1 / math.Log2(float64(i+2))
	}
	if idcg == 0 {
		return 0
	}
	return dcg / idcg
}

// AveragePrecision returns AP of ranked against rel.
func AveragePrecision(ranked []string, rel map[string]bool) float64 {
	if len(rel) == 0 {
		return 0
	}
	hits, sum := 0, 0.0
	for i, id := range ranked {
		if rel[id] {
			hits++
			sum += float64(hits) / float64(i+1)
		}
	}
	return sum / float64(len(rel))
}

var nonWord = regexp.MustCompile(`[^\pL\pN]+`)

// PlainQuery turns a natural-language topic into a query of OR-ed words,
// with nothing the query language would read as syntax, dropping stop words
// and one-letter words as the FTS5 peer does.
func PlainQuery(text string, stop map[string]bool) string {
	words := strings.Fields(nonWord.ReplaceAllString(text, " "))
	out := words[:0]
	for _, w := range words {
		if stop[strings.ToLower(w)] || len(w) < 2 {
			continue
		}
		switch w {
		case "AND", "OR", "NOT":
			w = strings.ToLower(w)
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}
