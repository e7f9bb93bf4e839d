package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsdex/newsdex/internal/bench"
)

func (e *env) benchCmd() *cobra.Command {
	var c bench.Config
	var scales, out string
	var inProcess bool
	cmd := &cobra.Command{
		Use:   "bench [--corpus DIR] [--peers fts5|all|none] [--embed] [--scale 1,4,16] [--out bench.json]",
		Short: "Measure newsdex against SQLite FTS5 (and Xapian, PostgreSQL) side by side on AllSides",
		Long: "Run the peer baselines and newsdex on the same AllSides articles in one run: indexing rate and\n" +
			"size, the twelve peer queries in-process (top 10, 3 snippets, all facets) and over HTTP under\n" +
			"concurrent load, then print a table with the ratios and write the report as JSON.\n" +
			"--scale adds a scale curve: AllSides replicated k times (new ids, shifted dates), indexed and\n" +
			"queried at each k, with the RSS of `newsdex serve`. Only same-run ratios are meaningful.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, s := range strings.Split(scales, ",") {
				if s = strings.TrimSpace(s); s == "" {
					continue
				}
				k, err := strconv.Atoi(s)
				if err != nil || k < 1 {
					return fail("bench: --scale %q: want a list of positive integers like 1,4,16", scales)
				}
				c.Scales = append(c.Scales, k)
			}
			switch c.Peers {
			case "fts5", "all", "none":
			default:
				return fail("bench: --peers %q, want fts5, all or none", c.Peers)
			}
			if !inProcess {
				bin, err := os.Executable()
				if err != nil {
					return fmt.Errorf("bench: find the newsdex binary for serve: %w", err)
				}
				c.ServeBin = bin
			}
			c.Log = e.stderr
			rep, err := bench.Run(cmd.Context(), c)
			if rep != nil {
				rep.WriteTable(e.stdout)
				if out != "" {
					if werr := rep.WriteJSON(out); werr != nil && err == nil {
						err = werr
					}
				}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Corpus, "corpus", "../shared/corpora/allsides-abp", "AllSides directory (articles-*.jsonl.gz)")
	f.StringVar(&c.Reuters, "reuters", "../shared/corpora/reuters21578", "also index this corpus for the query runs (\"\" = AllSides only)")
	f.StringVar(&c.PeerDir, "peer-dir", "../shared/bench", "directory of the peer scripts")
	f.StringVar(&c.Peers, "peers", "fts5", "peers to run: fts5, all (adds xapian, postgres) or none")
	f.IntVar(&c.PeerReps, "peer-reps", 20, "--reps passed to the peers")
	f.StringVar(&c.Python, "python", "python3", "python interpreter for the peers")
	f.IntVar(&c.Limit, "limit", 0, "index only the first N articles (0 = all; peers get the same limit)")
	f.IntVar(&c.BatchSize, "batch", 0, "articles per index batch (0 = the default of `newsdex index`)")
	f.BoolVar(&c.Embed, "embed", false, "also index with passage embeddings when the model is installed")
	f.StringVar(&c.ModelDir, "model", "", "embedding model directory (default: the model cache)")
	f.IntVar(&c.Reps, "reps", 50, "in-process repetitions of the query list")
	f.IntVar(&c.Conns, "conns", 16, "concurrent HTTP connections")
	f.DurationVar(&c.HTTPDuration, "duration", 10*time.Second, "HTTP load duration")
	f.BoolVar(&inProcess, "in-process", false, "serve HTTP in this process instead of a `newsdex serve` child (no RSS)")
	f.StringVar(&scales, "scale", "", "scale curve: replication factors, e.g. 1,4,16 (empty = none)")
	f.IntVar(&c.ScaleReps, "scale-reps", 20, "query repetitions at each scale")
	f.StringVar(&c.WorkDir, "work", "", "where to build indexes (default: a temp dir, removed)")
	f.BoolVar(&c.Keep, "keep", false, "keep the indexes built under --work")
	f.StringVar(&c.ProfileDir, "profile", "", "write CPU and allocation profiles of each phase into this directory")
	f.BoolVar(&c.NoFloor, "no-floor", false, "skip the Bleve floor runs (Bleve alone on title and body: like FTS5 with 1 and 2 writers, bare with 2)")
	f.StringVar(&c.QueryIndex, "query-index", "", "skip peers and indexing; measure queries on this index (e.g. WORK/lexical of a --keep run)")
	f.StringVar(&out, "out", "bench.json", "write the report as JSON here (\"\" = don't)")
	return cmd
}
