package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/pipeline"
)

// sourceFlags are the flags shared by index and reindex.
type sourceFlags struct {
	format string
	mapped string
	batch  int
}

func (f *sourceFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.format, "format", "", "force the source format: seed, jsonl, reuters, csv, feed, html (default: detect)")
	c.Flags().StringVar(&f.mapped, "map", "", "field mapping for jsonl/csv, e.g. id=ID,title=title,body=content_original")
	c.Flags().IntVar(&f.batch, "batch", 500, "articles per index batch")
}

func (f *sourceFlags) options() (ingest.Options, error) {
	opts := ingest.Options{Format: f.format}
	if f.mapped != "" {
		m, err := ingest.ParseMap(f.mapped)
		if err != nil {
			return opts, err
		}
		opts.Map = m
	}
	return opts, nil
}

func (e *env) indexCmd() *cobra.Command {
	var dir string
	var sf sourceFlags
	var jsonOut bool
	var cpuProfile string
	c := &cobra.Command{
		Use:   "index --index DIR [--format F] [--map k=v,...] SOURCE...",
		Short: "Add articles from files or directories to the index (created if missing)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := sf.options()
			if err != nil {
				return err
			}
			if stop, err := startProfile(cpuProfile); err != nil {
				return err
			} else {
				defer stop()
			}
			ix, err := index.Open(dir)
			if err != nil {
				return err
			}
			sum, idxErr := e.indexSources(cmd.Context(), ix, sf.batch, func(ctx context.Context, emit func(newsdex.Article) error, skip func(*ingest.RecordError)) error {
				return ingest.Walk(ctx, args, opts, emit, skip)
			})
			closeErr := ix.Close()
			e.report(sum, jsonOut)
			if idxErr != nil {
				return idxErr
			}
			if closeErr != nil {
				return closeErr
			}
			if sum.Indexed == 0 {
				return fail("index: nothing could be indexed from %s", strings.Join(args, ", "))
			}
			return nil
		},
	}
	c.Flags().StringVar(&dir, "index", DefaultIndexDir(), "index directory ($NEWSDEX_INDEX)")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the summary as JSON")
	c.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	c.Flags().BoolVarP(&e.quiet, "quiet", "q", false, "no progress output")
	sf.register(c)
	return c
}

// readFunc reads sources, emitting articles and reporting bad records.
type readFunc func(ctx context.Context, emit func(newsdex.Article) error, skip func(*ingest.RecordError)) error

// indexSources runs the pipeline from read into ix, logging skipped records.
func (e *env) indexSources(ctx context.Context, ix *index.Index, batch int, read readFunc) (pipeline.Summary, error) {
	x, err := extract.New()
	if err != nil {
		return pipeline.Summary{}, err
	}
	var skipped atomic.Int64
	skip := func(re *ingest.RecordError) {
		skipped.Add(1)
		fmt.Fprintf(e.stderr, "skip: %v\n", re)
	}
	last := time.Now()
	progress := func(n int) {
		if e.quiet {
			return
		}
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			fmt.Fprintf(e.stderr, "indexed %d articles\n", n)
		}
	}
	sum, err := pipeline.Run(ctx, func(ctx context.Context, emit func(newsdex.Article) error) error {
		return read(ctx, emit, skip)
	}, x, ix, pipeline.Options{BatchSize: batch, Progress: progress})
	sum.Skipped = int(skipped.Load())
	return sum, err
}

// startProfile starts a CPU profile into path ("" = none) and returns the
// function that stops it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func (e *env) report(sum pipeline.Summary, jsonOut bool) {
	if jsonOut {
		_ = json.NewEncoder(e.stdout).Encode(sum)
		return
	}
	fmt.Fprintln(e.stdout, "summary:", sum)
}

// indexSeeds builds an index in dir from the embedded sample articles.
func (e *env) indexSeeds(ctx context.Context, ix *index.Index) (pipeline.Summary, error) {
	return e.indexSources(ctx, ix, 500, func(ctx context.Context, emit func(newsdex.Article) error, skip func(*ingest.RecordError)) error {
		sub, err := fs.Sub(newsdex.Seeds, "seeds")
		if err != nil {
			return err
		}
		return ingest.ReadFS(ctx, sub, ingest.Options{}, emit, skip)
	})
}

func (e *env) deleteCmd() *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "delete --index DIR ID...",
		Short: "Remove articles by id",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ix, err := index.OpenExisting(dir)
			if err != nil {
				return err
			}
			n, err := ix.Delete(cmd.Context(), args...)
			if cerr := ix.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "deleted %d of %d ids\n", n, len(args))
			return nil
		},
	}
	c.Flags().StringVar(&dir, "index", DefaultIndexDir(), "index directory ($NEWSDEX_INDEX)")
	return c
}

func (e *env) statsCmd() *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "stats --index DIR",
		Short: "Print article count and size of the index",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ix, err := index.OpenExisting(dir)
			if err != nil {
				return err
			}
			defer ix.Close()
			st, err := ix.Stat()
			if err != nil {
				return err
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		},
	}
	c.Flags().StringVar(&dir, "index", DefaultIndexDir(), "index directory ($NEWSDEX_INDEX)")
	return c
}
