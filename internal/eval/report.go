package eval

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is one `newsdex eval` run: every collection's result, the mix
// summary and what was measured (commit, date).
type Report struct {
	Commit  string    `json:"commit"`
	Date    time.Time `json:"date"`
	Systems []string  `json:"systems"`
	Results []*Result `json:"collections"`
	// Mix maps each system to the mean of the primary metric over the
	// collections it ran on (all of them, or it is left out).
	Mix map[string]float64 `json:"mix"`
}

// NewReport summarises results; systems are the row order (the peer
// first, then the modes).
func NewReport(results []*Result, systems []string, commit string, date time.Time) *Report {
	r := &Report{Commit: commit, Date: date.UTC().Truncate(time.Second), Systems: systems, Results: results, Mix: map[string]float64{}}
	for _, sys := range systems {
		sum, n := 0.0, 0
		for _, res := range results {
			if v, ok := res.Score(sys); ok {
				sum += v
				n++
			}
		}
		if n == len(results) && n > 0 {
			r.Mix[sys] = sum / float64(n)
		}
	}
	return r
}

// metricLabel is how the tables name a metric.
func metricLabel(m string) string {
	switch m {
	case MetricMRR10:
		return "MRR@10"
	default:
		return "nDCG@10"
	}
}

// WriteTables prints one table per collection (rows: the systems;
// columns: nDCG@10, MAP, MRR@10, P@10, recall@100 and the difference to
// the peer in the primary metric), its timings, and the mix summary.
func (r *Report) WriteTables(w io.Writer) {
	fmt.Fprintf(w, "newsdex eval at %s, %s\n", r.Commit, r.Date.Format(time.RFC3339))
	for _, res := range r.Results {
		WriteResult(w, res, r.Systems)
	}
	r.WriteMix(w)
}

// WriteMix prints the mix summary: each system's primary metric per
// collection and their mean.
func (r *Report) WriteMix(w io.Writer) {
	if len(r.Results) == 0 {
		return
	}
	fmt.Fprintf(w, "\nmix: mean primary metric over %d collections (", len(r.Results))
	var names []string
	for _, res := range r.Results {
		names = append(names, res.Collection+" "+metricLabel(res.Primary))
	}
	fmt.Fprintf(w, "%s)\n", strings.Join(names, ", "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "system\t")
	for _, res := range r.Results {
		fmt.Fprintf(tw, "%s\t", res.Collection)
	}
	fmt.Fprint(tw, "mean\tΔ peer\t\n")
	peer, hasPeer := r.Mix[PeerName]
	for _, sys := range r.Systems {
		fmt.Fprintf(tw, "%s\t", sys)
		for _, res := range r.Results {
			if v, ok := res.Score(sys); ok {
				fmt.Fprintf(tw, "%.3f\t", v)
			} else {
				fmt.Fprint(tw, "-\t")
			}
		}
		if v, ok := r.Mix[sys]; ok {
			fmt.Fprintf(tw, "%.3f\t%s\t\n", v, delta(v, peer, hasPeer && sys != PeerName))
		} else {
			fmt.Fprint(tw, "-\t\t\n")
		}
	}
	tw.Flush()
}

func delta(v, peer float64, ok bool) string {
	if !ok {
		return ""
	}
	return fmt.Sprintf("%+.3f", v-peer)
}

// WriteResult prints one collection's table.
func WriteResult(w io.Writer, res *Result, systems []string) {
	fmt.Fprintf(w, "\n%s: %s\n%d docs, %d queries; primary %s. index %.1fs (embedded %d texts, %d from cache), peer %.1fs",
		res.Collection, res.About, res.Docs, res.Queries, metricLabel(res.Primary), res.Timings.Index,
		res.Timings.Embedded, res.Timings.Cached, res.Timings.Peer)
	for _, sys := range systems {
		if t, ok := res.Timings.Rank[sys]; ok {
			fmt.Fprintf(w, ", %s %.1fs", sys, t)
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "system\tnDCG@10\tMAP\tMRR@10\tP@10\trecall@100\tΔ %s vs peer\t\n", metricLabel(res.Primary))
	peer, hasPeer := res.Score(PeerName)
	for _, sys := range systems {
		s, ok := res.Systems[sys]
		if !ok {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t\t\n", sys)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t\n", sys, s.NDCG10, s.MAP, s.MRR10, s.P10, s.Recall100,
			delta(s.Metric(res.Primary), peer, hasPeer && sys != PeerName))
	}
	tw.Flush()
	for _, sys := range systems {
		if why, ok := res.Skipped[sys]; ok {
			fmt.Fprintf(w, "%s skipped: %s\n", sys, why)
		}
	}
}

// Commit returns the commit the running binary was built from (with
// "-dirty" for uncommitted changes), from the build's VCS stamp, else from
// git in dir, else "unknown".
func Commit(dir string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			if modified == "true" {
				rev += "-dirty"
			}
			return rev
		}
	}
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		rev += "-dirty"
	}
	return rev
}

// Systems returns the row order for modes: the peer, then the modes.
func Systems(modes []string) []string {
	return slices.Concat([]string{PeerName}, modes)
}

// RepoRoot returns the nearest folder at or above the working directory
// that holds go.mod, or "" if there is none.
func RepoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
