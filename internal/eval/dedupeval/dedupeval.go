// Package dedupeval measures package dedup's wire-copy detector over a
// corpus: the groups it forms, their sizes, its throughput, and a sample
// of groups to check by hand (dedup/testdata/sample-verdicts.md). It is
// measurement code; the product uses package dedup alone.
package dedupeval

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newsdex/newsdex/dedup"
)

// Doc is one article given to Evaluate.
type Doc struct {
	ID, Outlet, Title, Date string
	// Text is the body, without the headline.
	Text string
}

// Report is what Evaluate measured over a corpus.
type Report struct {
	Options  dedup.Options
	Articles int
	// Skipped counts texts shorter than Options.MinWords.
	Skipped int
	// Groups counts groups of two or more articles, Grouped the articles in
	// them, and Sizes the groups by size.
	Groups, Grouped int
	Sizes           map[int]int
	// Bytes is the total text length; SignatureTime and AddTime the time
	// spent in Signature and Add on one goroutine.
	Bytes                  int64
	SignatureTime, AddTime time.Duration

	d      *dedup.Detector
	docs   []Doc
	sigs   []dedup.Signature
	groups [][]int // doc indexes, canonical first, then members in add order
}

// Evaluate adds docs in order to a new dedup.Detector with opts and reports the
// groups found. It stops early, returning ctx's error, if ctx is done.
func Evaluate(ctx context.Context, docs []Doc, opts dedup.Options) (*Report, error) {
	d := dedup.New(opts)
	r := &Report{Options: d.Options(), Articles: len(docs), Sizes: map[int]int{}, d: d, docs: docs,
		sigs: make([]dedup.Signature, len(docs))}
	start := time.Now()
	for i, doc := range docs {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("dedupeval: evaluate %d docs: %w", len(docs), ctx.Err())
		}
		r.sigs[i] = d.Signature(doc.Text)
		r.Bytes += int64(len(doc.Text))
	}
	r.SignatureTime = time.Since(start)
	index := make(map[string]int, len(docs))
	byCanon := map[int][]int{}
	start = time.Now()
	for i, doc := range docs {
		index[doc.ID] = i
		if r.sigs[i].IsZero() {
			r.Skipped++
			continue
		}
		if dup, _ := d.Add(doc.ID, r.sigs[i]); dup != "" {
			c := index[dup]
			byCanon[c] = append(byCanon[c], i)
		}
	}
	r.AddTime = time.Since(start)
	for c, members := range byCanon {
		r.groups = append(r.groups, append([]int{c}, members...))
	}
	slices.SortFunc(r.groups, func(a, b []int) int { return cmp.Compare(a[0], b[0]) })
	for _, g := range r.groups {
		r.Groups++
		r.Grouped += len(g)
		r.Sizes[len(g)]++
	}
	return r, nil
}

// WriteSummary writes the figures of r: counts, the group-size histogram
// and throughput.
func (r *Report) WriteSummary(w io.Writer) error {
	o := r.Options
	var b strings.Builder
	fmt.Fprintf(&b, "options: shingle=%d bands=%d rows=%d threshold=%.2f minwords=%d\n",
		o.Shingle, o.Bands, o.Rows, o.Threshold, o.MinWords)
	fmt.Fprintf(&b, "articles: %d (skipped as too short: %d)\n", r.Articles, r.Skipped)
	fmt.Fprintf(&b, "groups: %d, articles in groups: %d (duplicates beyond the canonical: %d)\n",
		r.Groups, r.Grouped, r.Grouped-r.Groups)
	sizes := make([]int, 0, len(r.Sizes))
	for s := range r.Sizes {
		sizes = append(sizes, s)
	}
	slices.Sort(sizes)
	b.WriteString("group sizes:")
	for _, s := range sizes {
		fmt.Fprintf(&b, " %d×%d", s, r.Sizes[s])
	}
	b.WriteString("\n")
	mb := float64(r.Bytes) / 1e6
	fmt.Fprintf(&b, "signature: %.1f MB in %v (%.1f MB/s, one goroutine); add: %v (%.1f µs/article)\n",
		mb, r.SignatureTime.Round(time.Millisecond), mb/r.SignatureTime.Seconds(),
		r.AddTime.Round(time.Millisecond), float64(r.AddTime.Microseconds())/float64(max(1, r.Articles)))
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write dedup summary: %w", err)
	}
	return nil
}

// WriteSample writes n groups chosen at random (reproducibly, by seed) for
// checking by hand: per member its id, outlet, date, title, the estimated
// and exact shingle Jaccard similarity to the canonical, the opening of
// its text and an excerpt from its middle. The output quotes the texts, so
// mind their licence when choosing w.
func (r *Report) WriteSample(w io.Writer, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	order := rng.Perm(len(r.groups))[:min(n, len(r.groups))]
	var b strings.Builder
	for gi, g := range order {
		group := r.groups[g]
		canon := r.docs[group[0]]
		cs := r.d.Shingles(canon.Text)
		fmt.Fprintf(&b, "=== group %d/%d (size %d) canonical %s\n", gi+1, len(order), len(group), canon.ID)
		for mi, i := range group {
			doc := r.docs[i]
			est, exact := 1.0, 1.0
			if mi > 0 {
				est = dedup.Similarity(r.sigs[group[0]], r.sigs[i])
				exact = dedup.Jaccard(cs, r.d.Shingles(doc.Text))
			}
			fmt.Fprintf(&b, "--- %s | %s | %s | est %.2f exact %.2f | %d chars\n    title: %s\n    start: %s\n    middle: %s\n",
				doc.ID, doc.Outlet, doc.Date, est, exact, len(doc.Text), doc.Title,
				excerpt(doc.Text, 0, 300), excerpt(doc.Text, len(doc.Text)/2, 200))
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write dedup sample: %w", err)
	}
	return nil
}

// excerpt returns about n bytes of text from byte offset from, on rune
// boundaries, with runs of white space squashed to one space.
func excerpt(text string, from, n int) string {
	for from > 0 && from < len(text) && !utf8.RuneStart(text[from]) {
		from++
	}
	end := min(len(text), from+n)
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end++
	}
	return strings.Join(strings.Fields(text[from:end]), " ")
}
