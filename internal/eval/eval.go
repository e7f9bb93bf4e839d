// Package eval measures ranking quality on test collections with relevance
// judgments (TIME-1963, known-item paraphrase and headline sets): it loads
// a collection, indexes it through the same pipeline as `newsdex index`,
// ranks every query in each search mode, runs the SQLite FTS5 BM25 peer on
// the same documents and queries, and scores all of them alike (nDCG@10,
// MAP, MRR@10, P@10, recall@100). It sits beside the pipeline, not in it:
// `newsdex eval` wires it.
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

// Metric names, as in Scores' JSON and Collection.Primary.
const (
	MetricNDCG10 = "ndcg@10"
	MetricMRR10  = "mrr@10"
)

// Collection is a set of documents, queries and judgments.
type Collection struct {
	// Name is the collection's name on the command line ("time", ...).
	Name    string
	Docs    []newsdex.Article
	Queries []Query
	// Stop is the collection's own stop-word list (lowercase), which the
	// SQLite FTS5 peer also removes from queries; nil means none (the peer
	// then uses its small English list).
	Stop map[string]bool
	// Primary is the metric the collection is judged by: MetricNDCG10 for
	// graded topic sets, MetricMRR10 for known-item sets. "" means nDCG@10.
	Primary string
	// PeerFields are the document fields the peer indexes, comma
	// separated; "" means title,body.
	PeerFields string
	// Plain makes queries pass through PlainQuery (with Stop) before
	// newsdex sees them: for topic texts and headlines, whose punctuation
	// (colons, quotes, a leading hyphen) the query language would read as
	// syntax. Known-item queries written for users go in as typed.
	Plain bool
	// About says in one line what the collection is and how it was drawn.
	About string
	// Complete says that every relevant document of every query is judged
	// (TIME). Otherwise the judgments are known items, one or a few
	// targets per query, and other documents may be relevant too: a
	// set's precision against them is a lower bound.
	Complete bool
}

// QueryText returns the text newsdex is asked for query q.
func (c *Collection) QueryText(q Query) string {
	if c.Plain {
		return PlainQuery(q.Text, c.Stop)
	}
	return q.Text
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
	c := &Collection{
		Name: "time", Primary: MetricNDCG10, PeerFields: "body", Plain: true, Complete: true,
		About: "TIME-1963: 423 articles, 83 topics with judgments (TIME.REL.ALL by ordinal); TIME.STP removed from queries",
	}
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

// Scores are mean metrics over the judged queries. MAP is at the depth
// the ranking was cut at (100 in the workbench, as the peer's --k).
type Scores struct {
	Queries   int     `json:"queries"`
	NDCG10    float64 `json:"ndcg@10"`
	MAP       float64 `json:"map"`
	P10       float64 `json:"p@10"`
	MRR10     float64 `json:"mrr@10"`
	Recall100 float64 `json:"recall@100"`
}

func (s Scores) String() string {
	return fmt.Sprintf("queries %d nDCG@10 %.3f MAP %.3f P@10 %.3f MRR@10 %.3f recall@100 %.3f", s.Queries, s.NDCG10, s.MAP, s.P10, s.MRR10, s.Recall100)
}

// Metric returns the named metric (MetricNDCG10, MetricMRR10, "map",
// "p@10", "recall@100"), or 0 for an unknown name.
func (s Scores) Metric(name string) float64 {
	switch name {
	case MetricNDCG10, "":
		return s.NDCG10
	case MetricMRR10:
		return s.MRR10
	case "map":
		return s.MAP
	case "p@10":
		return s.P10
	case "recall@100":
		return s.Recall100
	}
	return 0
}

// Run ranks every judged query with rank (top 1000 for MAP) and averages.
func Run(ctx context.Context, c *Collection, rank Ranker) (Scores, error) {
	return RunDepth(ctx, c, rank, 1000)
}

// RunDepth ranks every judged query's QueryText with rank to depth k and
// averages the metrics over them.
func RunDepth(ctx context.Context, c *Collection, rank Ranker, k int) (Scores, error) {
	var s Scores
	for _, q := range c.Queries {
		if len(q.Relevant) == 0 {
			continue
		}
		ranked, err := rank(ctx, c.QueryText(q), k)
		if err != nil {
			return s, fmt.Errorf("eval: query %s: %w", q.ID, err)
		}
		ranked = ranked[:min(k, len(ranked))]
		s.Queries++
		s.NDCG10 += NDCG(ranked, q.Relevant, 10)
		s.MAP += AveragePrecision(ranked, q.Relevant)
		found := 0
		for _, id := range ranked[:min(100, len(ranked))] {
			if q.Relevant[id] {
				found++
			}
		}
		s.Recall100 += float64(found) / float64(len(q.Relevant))
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
		s.Recall100 /= n
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
