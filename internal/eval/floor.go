package eval

import (
	"cmp"
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

// FloorRule is how a query's floor is set. With Band 0 it is the
// absolute cosine Min; with Band > 0 it is relative to the query,
// max(Min, best − Band), where best is the highest best-passage cosine of
// any article in the whole index. A relative floor is still a function
// of the query alone (not of the filters), so that the pure semantic hit
// set {articles passing the filters with cosine ≥ floor(q)} keeps facet
// counts reproducible: a facet click adds a filter, not a new floor.
type FloorRule struct {
	Min  float64 `json:"min"`
	Band float64 `json:"band,omitempty"`
}

// Absolute returns the absolute rules of thresholds, in order.
func Absolute(thresholds []float64) []FloorRule {
	rs := make([]FloorRule, len(thresholds))
	for i, t := range thresholds {
		rs[i] = FloorRule{Min: t}
	}
	return rs
}

// Relative returns the relative rules max(A, best − D) of every pair of
// mins and bands, mins outer.
func Relative(mins, bands []float64) []FloorRule {
	var rs []FloorRule
	for _, a := range mins {
		for _, d := range bands {
			rs = append(rs, FloorRule{Min: a, Band: d})
		}
	}
	return rs
}

// Floor returns the floor for a query whose nearest article has cosine
// best (ignored by an absolute rule). It computes in float32, as the
// engine compares cosines, so that best − Band is the value a search
// would use.
func (r FloorRule) Floor(best float32) float32 {
	f := float32(r.Min)
	if r.Band > 0 {
		f = max(f, best-float32(r.Band))
	}
	return f
}

// String is the rule as the tables print it: "0.65" or "max(0.30,b-0.05)".
func (r FloorRule) String() string {
	if r.Band > 0 {
		return fmt.Sprintf("max(%.2f,b-%.2f)", r.Min, r.Band)
	}
	return fmt.Sprintf("%.2f", r.Min)
}

// FloorRow is one rule's figures over a collection's judged queries.
// Counts are kept beside the ratios so that rows can be checked and
// summed; a ratio whose denominator is zero is 0.
type FloorRow struct {
	// Threshold is the rule's Min (the absolute floor when Band is 0).
	Threshold float64 `json:"threshold"`
	// Band is the relative rule's band D, 0 for an absolute floor.
	Band    float64 `json:"band,omitempty"`
	Queries int     `json:"queries"`
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
	return SweepRules(qs, Absolute(thresholds), ks)
}

// SweepRules measures, for each rule, the sets {articles with cosine ≥
// floor(q)} of qs and their top ks.
func SweepRules(qs []FloorQuery, rules []FloorRule, ks []int) []FloorRow {
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
	rows := make([]FloorRow, 0, len(rules))
	for _, r := range rules {
		row := FloorRow{Threshold: r.Min, Band: r.Band, Queries: len(ps), Top: make([]FloorTop, len(ks))}
		for i, k := range ks {
			row.Top[i].K = k
		}
		for _, p := range ps {
			n := setSize(p.scores, r)
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

// setSize is the size of the set a rule gives over scores, best first:
// a prefix, since the floor is one number per query.
func setSize(scores []float32, r FloorRule) int {
	if len(scores) == 0 {
		return 0
	}
	f := r.Floor(scores[0])
	n := 0
	for n < len(scores) && scores[n] >= f {
		n++
	}
	return n
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
	// Probes are the set sizes of FloorSpec.Probes, in order.
	Probes []FloorProbe `json:"probes,omitempty"`
	// Index and Sweep are wall-clock seconds.
	Index float64 `json:"index_s"`
	Sweep float64 `json:"sweep_s"`
}

// FloorProbe is the set size each rule gives one unjudged query.
type FloorProbe struct {
	Query string `json:"query"`
	// Best is the cosine of the nearest article; 0 when no article
	// reaches the lowest Min.
	Best float32 `json:"best"`
	// Sizes has one set size per rule, in the order of FloorSpec.Rules.
	Sizes []int `json:"sizes"`
}

// FloorSpec is what MeasureFloor measures.
type FloorSpec struct {
	// Rules are the floors swept, one row each.
	Rules []FloorRule
	// Ks are the neighbour depths (FloorKs).
	Ks []int
	// Probes are query texts without judgments (such as one-word
	// queries) whose set sizes under each rule are reported.
	Probes []string
}

// MeasureFloor indexes c as Measure does and sweeps the rules and ks over
// its judged queries, each embedded as the engine embeds a query (its
// positive words, through index.EmbedText) and searched over all of the
// index's passage vectors. It needs o.Embedder; Modes and Peer are unused.
func MeasureFloor(ctx context.Context, c *Collection, o Options, spec FloorSpec) (*FloorResult, error) {
	if o.Embedder == nil {
		return nil, fmt.Errorf("eval %s: the floor sweep needs the embedding model (`newsdex model fetch`)", c.Name)
	}
	if len(spec.Rules) == 0 {
		return nil, fmt.Errorf("eval %s: the floor sweep needs at least one rule", c.Name)
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
	// Every rule's floor is at least its Min, so no set reaches below
	// the lowest Min; and best(q), the first hit, is above it whenever
	// any set is non-empty.
	lowest := float32(slices.MinFunc(spec.Rules, func(a, b FloorRule) int { return cmp.Compare(a.Min, b.Min) }).Min)
	nearest := func(id, q string) ([]vector.Hit, error) {
		text, err := QueryEmbedText(q)
		if err != nil {
			return nil, fmt.Errorf("eval %s: query %s: %w", c.Name, id, err)
		}
		if text == "" { // nothing to embed: the engine answers lexically, with no neighbours
			return nil, nil
		}
		vs, err := o.Embedder.Embed(ctx, []string{text})
		if err != nil {
			return nil, fmt.Errorf("eval %s: embed query %s: %w", c.Name, id, err)
		}
		if len(vs) != 1 {
			return nil, fmt.Errorf("eval %s: embed query %s: got %d vectors", c.Name, id, len(vs))
		}
		hits, err := st.Search(vector.Query{Vector: vs[0], K: docs, MinScore: lowest})
		if err != nil {
			return nil, fmt.Errorf("eval %s: query %s: %w", c.Name, id, err)
		}
		return hits, nil
	}
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
		hits, err := nearest(q.ID, c.QueryText(q))
		if err != nil {
			return nil, err
		}
		qs = append(qs, FloorQuery{Relevant: q.Relevant, Hits: hits})
	}
	if r.Queries > 0 {
		r.MeanRelevant /= float64(r.Queries)
	}
	r.Rows = SweepRules(qs, spec.Rules, spec.Ks)
	for _, p := range spec.Probes {
		hits, err := nearest(fmt.Sprintf("%q", p), p)
		if err != nil {
			return nil, err
		}
		r.Probes = append(r.Probes, ProbeSizes(p, hits, spec.Rules))
	}
	r.Sweep = time.Since(start).Seconds()
	return r, nil
}

// ProbeSizes returns the set size each rule gives a query whose nearest
// articles are hits (in any order).
func ProbeSizes(query string, hits []vector.Hit, rules []FloorRule) FloorProbe {
	scores := make([]float32, len(hits))
	for i, h := range hits {
		scores[i] = h.Score
	}
	slices.SortFunc(scores, func(a, b float32) int { return cmp.Compare(b, a) })
	p := FloorProbe{Query: query, Sizes: make([]int, len(rules))}
	if len(scores) > 0 {
		p.Best = scores[0]
	}
	for i, r := range rules {
		p.Sizes[i] = setSize(scores, r)
	}
	return p
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
	head := "t"
	if slices.ContainsFunc(r.Rows, func(row FloorRow) bool { return row.Band > 0 }) {
		fmt.Fprintln(w, "max(A,b-D): relative floor, t = max(A, b - D) where b is the query's best cosine over the whole index")
		head = "floor"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tmean |S|\tempty\tmean P\tmicro P\tmean R\tn>%d/q\tP>%d\t\n", head, FloorDeep, FloorDeep)
	for _, row := range r.Rows {
		deep := "-"
		if row.Deep > 0 {
			deep = fmt.Sprintf("%.3f", row.DeepPrecision)
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.2f\t%s\t%s\t%.3f\t%.1f\t%s\t\n", row.Rule(), row.MeanSize, row.EmptyShare,
			orDash(row.MeanPrecision, row.Queries > row.Empty), orDash(row.MicroPrecision, row.InSets > 0),
			row.MeanRecall, ratio(row.Deep, row.Queries), deep)
	}
	tw.Flush()
	writeProbes(w, r)
	if len(r.Rows) == 0 || len(r.Rows[0].Top) == 0 {
		return
	}
	fmt.Fprintln(w, "neighbours: precision of the top k nearest with cosine >= t, mean over queries with a non-empty S_t (P@k) and micro (µP@k)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\t", head)
	for _, top := range r.Rows[0].Top {
		fmt.Fprintf(tw, "P@%d\t", top.K)
	}
	for _, top := range r.Rows[0].Top {
		fmt.Fprintf(tw, "µP@%d\t", top.K)
	}
	fmt.Fprintln(tw)
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%s\t", row.Rule())
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

// Rule returns the row's rule.
func (row FloorRow) Rule() FloorRule { return FloorRule{Min: row.Threshold, Band: row.Band} }

// writeProbes prints the probe queries' set sizes, one row per rule (the
// rows of r.Rows) and one column per query, below a line of their best
// cosines.
func writeProbes(w io.Writer, r *FloorResult) {
	if len(r.Probes) == 0 {
		return
	}
	fmt.Fprintln(w, "unjudged queries: set size under each floor (b = the query's best cosine)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "floor\t")
	for _, p := range r.Probes {
		fmt.Fprintf(tw, "%s\t", p.Query)
	}
	fmt.Fprint(tw, "\nb\t")
	for _, p := range r.Probes {
		fmt.Fprintf(tw, "%.3f\t", p.Best)
	}
	fmt.Fprintln(tw)
	for i, row := range r.Rows {
		fmt.Fprintf(tw, "%s\t", row.Rule())
		for _, p := range r.Probes {
			fmt.Fprintf(tw, "%d\t", p.Sizes[i])
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
