package bench

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"text/tabwriter"
)

// Targets of issue 6, against FTS5 measured in the same run.
const (
	targetIndexRate = 1.0  // newsdex articles/s ÷ FTS5's, at least
	targetIndexSize = 1.5  // newsdex index size ÷ FTS5's, at most
	targetP50       = 0.5  // newsdex in-process p50 ÷ FTS5's, at most
	targetP99       = 1.0  // newsdex in-process p99 ÷ FTS5's, at most
	targetReqPerSec = 1000 // HTTP requests/s at 16 connections, at least
	targetHTTPP99   = 50.0 // HTTP p99 in ms, at most
)

func ratios(rep *Report) []Ratio {
	nd := rep.Newsdex
	if nd == nil {
		return nil
	}
	var out []Ratio
	add := func(peer, measure string, a, b float64, target string, ok func(float64) bool) {
		r := Ratio{Peer: peer, Measure: measure, Newsdex: a, Other: b, Target: target}
		if b > 0 {
			r.Ratio = round(a/b, 3)
			if ok != nil {
				met := ok(r.Ratio)
				r.Met = &met
			}
		}
		out = append(out, r)
	}
	for _, p := range rep.Peers {
		if p.Error != "" {
			continue
		}
		fts5 := strings.HasPrefix(p.Peer, "sqlite-fts5")
		pick := func(target string, ok func(float64) bool) (string, func(float64) bool) {
			if fts5 {
				return target, ok
			}
			return "", nil
		}
		t, ok := pick("≥ 1.0", func(r float64) bool { return r >= targetIndexRate })
		add(p.Peer, "index articles/s", nd.Index.DocsPerSec, p.IndexDocsPerS, t, ok)
		t, ok = pick("≤ 1.5", func(r float64) bool { return r <= targetIndexSize })
		add(p.Peer, "index MB", nd.Index.SizeMB, p.IndexMB, t, ok)
		t, ok = pick("≤ 0.5", func(r float64) bool { return r <= targetP50 })
		add(p.Peer, "query p50 ms", nd.Query.P50, p.QueryP50, t, ok)
		t, ok = pick("≤ 1.0", func(r float64) bool { return r <= targetP99 })
		add(p.Peer, "query p99 ms", nd.Query.P99, p.QueryP99, t, ok)
		for _, f := range nd.Floor {
			add(p.Peer, "bleve floor articles/s ("+f.Kind+", "+writersText(f.Writers)+")", f.DocsPerSec, p.IndexDocsPerS, "", nil)
		}
		add(p.Peer, "query p50 ms (AND)", nd.QueryAnd.P50, p.QueryP50, "", nil)
		add(p.Peer, "query p99 ms (AND)", nd.QueryAnd.P99, p.QueryP99, "", nil)
	}
	return out
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// WriteTable prints the comparison for people: one row per measure, one
// column per system, then the ratios against each peer and the targets.
func (rep *Report) WriteTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	defer tw.Flush()
	nd := rep.Newsdex
	fmt.Fprintf(tw, "machine: %d CPUs (%s), %s, load %s → %s\n", rep.Machine.CPUs, rep.Machine.CPU, rep.Machine.GoVersion, rep.Machine.LoadStart, rep.Machine.LoadEnd)
	if nd == nil {
		return
	}
	head := "measure\tnewsdex\t"
	for _, p := range rep.Peers {
		head += p.Peer + "\tratio\t"
	}
	fmt.Fprintln(tw, head)
	row := func(name string, v float64, peer func(PeerResult) float64, format string) {
		line := name + "\t" + fmt.Sprintf(format, v) + "\t"
		for _, p := range rep.Peers {
			if p.Error != "" || peer == nil {
				line += "-\t-\t"
				continue
			}
			o := peer(p)
			r := "-"
			if o > 0 {
				r = fmt.Sprintf("%.2f×", v/o)
			}
			line += fmt.Sprintf(format, o) + "\t" + r + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	row("articles indexed", float64(nd.Index.Articles), func(p PeerResult) float64 { return float64(p.Articles) }, "%.0f")
	row("index articles/s", nd.Index.DocsPerSec, func(p PeerResult) float64 { return p.IndexDocsPerS }, "%.0f")
	for _, f := range nd.Floor {
		row("Bleve floor articles/s ("+f.Kind+", "+writersText(f.Writers)+")", f.DocsPerSec,
			func(p PeerResult) float64 { return p.IndexDocsPerS }, "%.0f")
	}
	row("index MB", nd.Index.SizeMB, func(p PeerResult) float64 { return p.IndexMB }, "%.1f")
	row("query p50 ms", nd.Query.P50, func(p PeerResult) float64 { return p.QueryP50 }, "%.2f")
	row("query p99 ms", nd.Query.P99, func(p PeerResult) float64 { return p.QueryP99 }, "%.2f")
	row("query p50 ms (AND)", nd.QueryAnd.P50, func(p PeerResult) float64 { return p.QueryP50 }, "%.2f")
	row("query p99 ms (AND)", nd.QueryAnd.P99, func(p PeerResult) float64 { return p.QueryP99 }, "%.2f")
	row("query p50 ms (15-40 words)", nd.QueryLong.P50, nil, "%.2f")
	row("query max ms (15-40 words)", nd.QueryLong.Max, nil, "%.2f")
	if h := nd.HTTPNoCache; h != nil {
		row(fmt.Sprintf("HTTP req/s (%d conns, no cache)", h.Conns), h.ReqPerSec, nil, "%.0f")
		row("HTTP p50 ms (no cache)", h.Latency.P50, nil, "%.2f")
		row("HTTP p99 ms (no cache)", h.Latency.P99, nil, "%.2f")
		row("HTTP CPU ms/req (no cache, with clients)", h.Latency.CPUMS, nil, "%.2f")
		row("HTTP errors (no cache)", float64(h.Errors), nil, "%.0f")
	}
	if h := nd.HTTPNoCacheAnd; h != nil {
		row(fmt.Sprintf("HTTP req/s (%d conns, no cache, AND)", h.Conns), h.ReqPerSec, nil, "%.0f")
		row("HTTP p99 ms (no cache, AND)", h.Latency.P99, nil, "%.2f")
		row("HTTP CPU ms/req (no cache, AND, with clients)", h.Latency.CPUMS, nil, "%.2f")
		row("HTTP errors (no cache, AND)", float64(h.Errors), nil, "%.0f")
	}
	if h := nd.HTTP; h != nil {
		row(fmt.Sprintf("HTTP req/s (%d conns, serve)", h.Conns), h.ReqPerSec, nil, "%.0f")
		row("HTTP p50 ms (serve)", h.Latency.P50, nil, "%.2f")
		row("HTTP p99 ms (serve)", h.Latency.P99, nil, "%.2f")
		row("HTTP errors (serve)", float64(h.Errors), nil, "%.0f")
		if h.RSSMB > 0 {
			row("serve RSS MB (peak)", h.PeakRSSMB, nil, "%.0f")
		}
	}
	if rep.Embedded != nil {
		row("with embeddings articles/s", rep.Embedded.DocsPerSec, nil, "%.1f")
	}
	tw.Flush()
	fmt.Fprintf(w, "\nnewsdex queried %d articles (AllSides%s); as typed, words side by side are OR (more hits and facet work than FTS5's AND); \"AND\" rows join them with AND.\n",
		nd.Searched, map[bool]string{true: " + Reuters", false: ""}[nd.Searched > nd.Index.Articles])
	if rep.EmbedNote != "" {
		fmt.Fprintf(w, "embeddings: %s\n", rep.EmbedNote)
	}
	for _, p := range rep.Peers {
		if p.Error != "" {
			fmt.Fprintf(w, "peer %s failed: %s\n", p.Peer, p.Error)
		}
	}
	fmt.Fprintln(w, "\ntargets (issue 6, against FTS5 in this run):")
	for _, r := range rep.Ratios {
		if r.Met == nil {
			continue
		}
		fmt.Fprintf(w, "  %-28s %8.2f vs %8.2f = %.2f× (target %s) %s\n", r.Measure, r.Newsdex, r.Other, r.Ratio, r.Target, verdict(*r.Met))
	}
	for _, r := range rep.Ratios {
		if strings.HasPrefix(r.Measure, "bleve floor") && strings.HasPrefix(r.Peer, "sqlite-fts5") {
			fmt.Fprintf(w, "  %-28s %8.2f vs %8.2f = %.2f× (Bleve alone, title and body only)\n",
				strings.TrimPrefix(r.Measure, "bleve "), r.Newsdex, r.Other, r.Ratio)
		}
	}
	for _, v := range []struct {
		name string
		h    *Load
	}{{"no cache", nd.HTTPNoCache}, {"no cache, AND", nd.HTTPNoCacheAnd}, {"serve", nd.HTTP}} {
		if h := v.h; h != nil {
			fmt.Fprintf(w, "  %-28s %8.0f (target ≥ %d) %s\n", "HTTP req/s ("+v.name+")", h.ReqPerSec, targetReqPerSec, verdict(h.ReqPerSec >= targetReqPerSec))
			fmt.Fprintf(w, "  %-28s %8.2f (target ≤ %.0f ms, 0 errors) %s\n", "HTTP p99 ms ("+v.name+")", h.Latency.P99, targetHTTPP99, verdict(h.Latency.P99 <= targetHTTPP99 && h.Errors == 0))
		}
	}
	fmt.Fprintln(w, "  (serve answers repeated queries from its result cache, dropped on every write; \"no cache\" is the engine alone)")
	if len(rep.Scale) > 0 {
		fmt.Fprintln(w, "\nscale curve (AllSides replicated, new ids, dates shifted):")
		st := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(st, "times\tarticles\tarticles/s\tindex MB\tp50 ms\tp99 ms\tp50 AND\tp99 AND\tHTTP req/s\tHTTP p99\tserve RSS MB\tpeak RSS MB\t")
		for _, p := range rep.Scale {
			var rps, hp99, rss, peak float64
			if p.HTTP != nil {
				rps, hp99, rss, peak = p.HTTP.ReqPerSec, p.HTTP.Latency.P99, p.HTTP.RSSMB, p.HTTP.PeakRSSMB
			}
			fmt.Fprintf(st, "%d×\t%d\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t%.1f\t%.0f\t%.0f\t\n", p.Times, p.Index.Articles, p.Index.DocsPerSec, p.Index.SizeMB,
				p.Query.P50, p.Query.P99, p.QueryAnd.P50, p.QueryAnd.P99, rps, hp99, rss, peak)
		}
		st.Flush()
	}
	fmt.Fprintf(w, "\nrun took %.0f s\n", rep.Seconds)
}

func writersText(n int) string {
	if n == 1 {
		return "1 writer"
	}
	return fmt.Sprintf("%d writers", n)
}

func verdict(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

func heapMB() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / 1e6
}
