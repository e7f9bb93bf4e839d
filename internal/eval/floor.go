package eval

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsdex/newsdex/index"
	uq "github.com/newsdex/newsdex/query"
	"github.com/newsdex/newsdex/vector"
)

// The similarity floor sweep measures how relevant the articles above a
// cosine threshold are, to choose the floor of semantic neighbours and of
// the pure semantic hit set (issue 15, item 3): for each threshold t the
// set S_t of a query is every article whose best passage has a cosine of
// at least t with the query, with no cap.

// FloorThresholds returns the thresholds `newsdex eval --floor` sweeps:
// 0.20 to 0.70 in steps of 0.05.
func FloorThresholds() []float64 {
	var ts []float64
	for c := 20; c <= 70; c += 5 {
		// From integers, so that 0.35 is the float64 nearest 0.35 and not
		// 0.2 plus three rounded steps.
		ts = append(ts, float64(c)/100)
	}
	return ts
}

// FloorKs returns the neighbour depths the sweep measures: the top k
// nearest articles above the threshold, as semantic neighbours would
// show them.
func FloorKs() []int { return []int{10, 20, 50, 100} }

// FloorDeep is the rank beyond which a set's members count as deep: the
// share of them that is relevant says whether a set that long is still
// worth counting.
const FloorDeep = 50

// FloorQuery is one query's articles ranked by similarity.
type FloorQuery struct {
	// Hits are the nearest articles with their best passage's cosine, down
	// to at least the lowest threshold swept; Sweep orders them best
	// first itself.
	Hits []vector.Hit
	// Relevant holds the judged relevant ids; a query without any is not
	// measured.
	Relevant map[string]bool
}

// FloorRow is one threshold's figures over a collection's judged queries.
// Counts are kept beside the ratios so that rows can be checked and
// summed; a ratio whose denominator is zero is 0.
type FloorRow struct {
	Threshold float64 `json:"threshold"`
	Queries   int     `json:"queries"`
	// Empty counts the queries whose set is empty.
	Empty      int     `json:"empty"`
	EmptyShare float64 `json:"empty_share"`
	// InSets and Relevant sum the set sizes and their relevant members
	// over all queries; MeanSize is InSets per query.
	InSets   int     `json:"in_sets"`
	Relevant int     `json:"relevant_in_sets"`
	MeanSize float64 `json:"mean_size"`
	// MeanPrecision is the mean of |S∩R|/|S| over the queries with a
	// non-empty set; MicroPrecision is Relevant/InSets.
	MeanPrecision  float64 `json:"mean_precision"`
	MicroPrecision float64 `json:"micro_precision"`
	// MeanRecall is the mean of |S∩R|/|R| over all queries.
	MeanRecall float64 `json:"mean_recall"`
	// Deep and DeepRelevant count the set members beyond rank FloorDeep
	// and the relevant ones among them; DeepPrecision is their ratio.
	Deep          int     `json:"deep"`
	DeepRelevant  int     `json:"deep_relevant"`
	DeepPrecision float64 `json:"deep_precision"`
	// Top holds the neighbour figures, one per k.
	Top []FloorTop `json:"top"`
}

// FloorTop is the precision of the top k nearest articles restricted to
// the threshold, min(k, |S_t|) of them.
type FloorTop struct {
	K int `json:"k"`
	// Precision is the mean over the queries with a non-empty set of the
	// relevant share of the articles shown.
	Precision float64 `json:"precision"`
	// Shown and Relevant sum the articles shown and the relevant ones over
	// all queries; Micro is their ratio.
	Shown    int     `json:"shown"`
	Relevant int     `json:"relevant"`
	Micro    float64 `json:"micro_precision"`
}

// Sweep measures the sets S_t of qs for each threshold (a cosine compared
// as the engine compares it, in float32) and their top ks.
func Sweep(qs []FloorQuery, thresholds []float64, ks []int) []FloorRow {
	type prepared struct {
		scores []float32
		cum    []int // cum[i]: relevant among the first i hits
		nrel   int
	}
	var ps []prepared
	for _, q := range qs {
		if len(q.Relevant) == 0 {
			continue
		}
		hits := slices.Clone(q.Hits)
		slices.SortStableFunc(hits, func(a, b vector.Hit) int {
			switch {
			case a.Score > b.Score:
				return -1
			case a.Score < b.Score:
				return 1
			}
			return strings.Compare(a.ID, b.ID)
		})
		p := prepared{scores: make([]float32, len(hits)), cum: make([]int, len(hits)+1), nrel: len(q.Relevant)}
		for i, h := range hits {
			p.scores[i] = h.Score
			p.cum[i+1] = p.cum[i]
			if q.Relevant[h.ID] {
				p.cum[i+1]++
			}
		}
		ps = append(ps, p)
	}
	rows := make([]FloorRow, 0, len(thresholds))
	for _, t := range thresholds {
		row := FloorRow{Threshold: t, Queries: len(ps), Top: make([]FloorTop, len(ks))}
		for i, k := range ks {
			row.Top[i].K = k
		}
		for _, p := range ps {
			// The hits are best first, so S_t is a prefix.
			n := 0
			for n < len(p.scores) && p.scores[n] >= float32(t) {
				n++
			}
			rel := p.cum[n]
			row.MeanRecall += float64(rel) / float64(p.nrel)
			if n == 0 {
				row.Empty++
				continue
			}
			row.InSets += n
			row.Relevant += rel
			row.MeanPrecision += float64(rel) / float64(n)
			if n > FloorDeep {
				row.Deep += n - FloorDeep
				row.DeepRelevant += rel - p.cum[FloorDeep]
			}
			for i, k := range ks {
				m := min(k, n)
				row.Top[i].Shown += m
				row.Top[i].Relevant += p.cum[m]
				row.Top[i].Precision += float64(p.cum[m]) / float64(m)
			}
		}
		nonEmpty := row.Queries - row.Empty
		row.EmptyShare = ratio(row.Empty, row.Queries)
		row.MeanSize = ratio(row.InSets, row.Queries)
		row.MicroPrecision = ratio(row.Relevant, row.InSets)
		row.DeepPrecision = ratio(row.DeepRelevant, row.Deep)
		if row.Queries > 0 {
			row.MeanRecall /= float64(row.Queries)
		}
		if nonEmpty > 0 {
			row.MeanPrecision /= float64(nonEmpty)
		}
		for i := range row.Top {
			if nonEmpty > 0 {
				row.Top[i].Precision /= float64(nonEmpty)
			}
			row.Top[i].Micro = ratio(row.Top[i].Relevant, row.Top[i].Shown)
		}
		rows = append(rows, row)
	}
	return rows
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// FloorResult is one collection's sweep.
type FloorResult struct {
	Collection string `json:"collection"`
	About      string `json:"about"`
	Docs       int    `json:"docs"`
	Queries    int    `json:"queries"`
	// Complete is Collection.Complete: without it precision is a lower
	// bound.
	Complete bool `json:"complete_judgments"`
	// MeanRelevant is the mean number of judged relevant documents per
	// judged query.
	MeanRelevant float64    `json:"mean_relevant"`
	Rows         []FloorRow `json:"rows"`
	// Index and Sweep are wall-clock seconds.
	Index float64 `json:"index_s"`
	Sweep float64 `json:"sweep_s"`
}

// MeasureFloor indexes c as Measure does and sweeps the thresholds and ks
// over its judged queries, each embedded as the engine embeds a query (its
// positive words, through index.EmbedText) and searched over all of the
// index's passage vectors. It needs o.Embedder; Modes and Peer are unused.
func MeasureFloor(ctx context.Context, c *Collection, o Options, thresholds []float64, ks []int) (*FloorResult, error) {
	if o.Embedder == nil {
		return nil, fmt.Errorf("eval %s: the floor sweep needs the embedding model (`newsdex model fetch`)", c.Name)
	}
	if len(thresholds) == 0 {
		return nil, fmt.Errorf("eval %s: the floor sweep needs at least one threshold", c.Name)
	}
	tmp, err := os.MkdirTemp(o.TempDir, "newsdex-floor-"+c.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("eval %s: %w", c.Name, err)
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	ix, err := build(ctx, c, o, tmp)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	r := &FloorResult{Collection: c.Name, About: c.About, Docs: len(c.Docs), Complete: c.Complete, Index: time.Since(start).Seconds()}

	start = time.Now()
	st, model := ix.Vectors()
	docs, _ := st.Len()
	if docs == 0 || model == "" {
		return nil, fmt.Errorf("eval %s: the index holds no passage vectors", c.Name)
	}
	if m := o.Embedder.Name(); m != model {
		return nil, fmt.Errorf("eval %s: the index's vectors come from model %q, queries would be embedded with %q", c.Name, model, m)
	}
	lowest := float32(slices.Min(thresholds))
	var qs []FloorQuery
	for _, q := range c.Queries {
		if len(q.Relevant) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.Queries++
		r.MeanRelevant += float64(len(q.Relevant))
		fq := FloorQuery{Relevant: q.Relevant}
		text, err := QueryEmbedText(c.QueryText(q))
		if err != nil {
			return nil, fmt.Errorf("eval %s: query %s: %w", c.Name, q.ID, err)
		}
		if text != "" { // nothing to embed: the engine answers lexically, with no neighbours
			vs, err := o.Embedder.Embed(ctx, []string{text})
			if err != nil {
				return nil, fmt.Errorf("eval %s: embed query %s: %w", c.Name, q.ID, err)
			}
			if len(vs) != 1 {
				return nil, fmt.Errorf("eval %s: embed query %s: got %d vectors", c.Name, q.ID, len(vs))
			}
			fq.Hits, err = st.Search(vector.Query{Vector: vs[0], K: docs, MinScore: lowest})
			if err != nil {
				return nil, fmt.Errorf("eval %s: query %s: %w", c.Name, q.ID, err)
			}
		}
		qs = append(qs, fq)
	}
	if r.Queries > 0 {
		r.MeanRelevant /= float64(r.Queries)
	}
	r.Rows = Sweep(qs, thresholds, ks)
	r.Sweep = time.Since(start).Seconds()
	return r, nil
}

// QueryEmbedText returns the text the search engine embeds for query q:
// its positive words and phrases in order, wildcards stripped, through
// index.EmbedText (as search's embedText does; the sweep must measure the
// vectors the engine searches with). It is "" for a query without
// positive words.
func QueryEmbedText(q string) (string, error) {
	n, err := uq.Parse(q)
	if err != nil {
		return "", fmt.Errorf("parse query %q: %w", q, err)
	}
	var words []string
	for _, t := range uq.Terms(n) {
		w := t.Text
		if t.Wildcard {
			w = strings.NewReplacer("*", "", "?", "").Replace(w)
		}
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	return index.EmbedText(strings.Join(words, " ")), nil
}

// WriteFloor prints one collection's sweep: the sets above each threshold,
// then the neighbours (top k above it).
func WriteFloor(w io.Writer, r *FloorResult) {
	fmt.Fprintf(w, "\n%s: %s\n%d docs, %d judged queries, %.1f relevant per query; index %.1fs, sweep %.1fs\n",
		r.Collection, r.About, r.Docs, r.Queries, r.MeanRelevant, r.Index, r.Sweep)
	if r.Complete {
		fmt.Fprintln(w, "judgments complete: every relevant document is judged, so precision is exact")
	} else {
		fmt.Fprintln(w, "judgments are known items (one or a few targets per query): precision is a LOWER BOUND, other articles may be relevant")
	}
	fmt.Fprintf(w, "S_t = every article whose best passage has cosine >= t (no cap); mean P over queries with a non-empty S_t; P>%d = relevant share of S_t beyond rank %d\n", FloorDeep, FloorDeep)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "t\tmean |S|\tempty\tmean P\tmicro P\tmean R\tn>%d/q\tP>%d\t\n", FloorDeep, FloorDeep)
	for _, row := range r.Rows {
		deep := "-"
		if row.Deep > 0 {
			deep = fmt.Sprintf("%.3f", row.DeepPrecision)
		}
		fmt.Fprintf(tw, "%.2f\t%.1f\t%.2f\t%s\t%s\t%.3f\t%.1f\t%s\t\n", row.Threshold, row.MeanSize, row.EmptyShare,
			orDash(row.MeanPrecision, row.Queries > row.Empty), orDash(row.MicroPrecision, row.InSets > 0),
			row.MeanRecall, ratio(row.Deep, row.Queries), deep)
	}
	tw.Flush()
	if len(r.Rows) == 0 || len(r.Rows[0].Top) == 0 {
		return
	}
	fmt.Fprintln(w, "neighbours: precision of the top k nearest with cosine >= t, mean over queries with a non-empty S_t (P@k) and micro (µP@k)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "t\t")
	for _, top := range r.Rows[0].Top {
		fmt.Fprintf(tw, "P@%d\t", top.K)
	}
	for _, top := range r.Rows[0].Top {
		fmt.Fprintf(tw, "µP@%d\t", top.K)
	}
	fmt.Fprintln(tw)
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%.2f\t", row.Threshold)
		for _, top := range row.Top {
			fmt.Fprintf(tw, "%s\t", orDash(top.Precision, top.Shown > 0))
		}
		for _, top := range row.Top {
			fmt.Fprintf(tw, "%s\t", orDash(top.Micro, top.Shown > 0))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

func orDash(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.3f", v)
}
