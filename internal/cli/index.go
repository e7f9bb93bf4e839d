package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/alert"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/pipeline"
	"github.com/newsdex/newsdex/internal/service"
)

// sourceFlags are the flags shared by index and reindex.
type sourceFlags struct {
	format string
	mapped string
	set    []string
	batch  int
	embed  bool
	// learn reads the sources once more first to learn their outlets'
	// boilerplate (package boiler).
	learn bool
}

func (f *sourceFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.format, "format", "", "force the source format: seed, jsonl, reuters, csv, feed, html (default: detect)")
	c.Flags().StringVar(&f.mapped, "map", "", "field mapping for jsonl/csv, e.g. id=ID,title=title,body=content_original")
	c.Flags().StringArrayVar(&f.set, "set", nil, "give every article that lacks it a constant field value, e.g. --set outlet=Wikinews\n(repeatable; fields: "+strings.Join(ingest.SetFields, ", ")+")")
	c.Flags().IntVar(&f.batch, "batch", pipeline.DefaultBatchSize, "articles per index batch and writer (at most 1000 when handed to a server)")
	c.Flags().BoolVar(&f.learn, "learn-boilerplate", true,
		"read the sources once first to learn the text their outlets repeat in many articles (promos, share bars,\nhover cards), which is then kept out of the searched body; the model is stored with the index")
	c.Flags().BoolVar(&f.embed, "embed", os.Getenv("NEWSDEX_EMBED") != "false",
		"compute passage embeddings for semantic search when the model is present ($NEWSDEX_EMBED);\n--embed=false builds a lexical-only index")
}

// checkEmbed settles --embed: given explicitly, it needs the model;
// by default it is on when the model is present (embedder logs why not).
func (e *env) checkEmbed(c *cobra.Command, f *sourceFlags) error {
	if !f.embed || e.embedder() != nil {
		return nil
	}
	if c.Flags().Changed("embed") {
		return fail("--embed: the embedding model is not available (%v); run `newsdex model fetch`, or use --embed=false", e.model.err)
	}
	f.embed = false
	return nil
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
	set, err := ingest.ParseSet(f.set)
	if err != nil {
		return opts, err
	}
	opts.Set = set
	return opts, nil
}

func (e *env) indexCmd() *cobra.Command {
	var dir string
	var sf sourceFlags
	var jsonOut bool
	var cpuProfile string
	c := &cobra.Command{
		Use:   "index --index DIR [--format F] [--map k=v,...] [--set field=value] SOURCE...",
		Short: "Add articles from files, directories or feed URLs to the index (created if missing)",
		Long: "Add articles to the index. Articles with an id already in the index replace it.\n" +
			"If a `newsdex serve` holds the index, the articles are handed to it and are searchable as soon as this returns.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := sf.options()
			if err != nil {
				return err
			}
			if err := e.checkEmbed(cmd, &sf); err != nil {
				return err
			}
			stop, err := startProfile(cpuProfile)
			if err != nil {
				return err
			}
			defer stop()
			defer pipeline.TuneGCForBulk()()
			var skipped atomic.Int64
			src := func(ctx context.Context, emit func(newsdex.Article) error) error {
				return ingest.Walk(ctx, args, opts, emit, func(re *ingest.RecordError) {
					skipped.Add(1)
					fmt.Fprintf(e.stderr, "skip: %v\n", re)
				})
			}
			// The learning pass reads the same sources; its skips were
			// reported by it already.
			learn := func(ctx context.Context, emit func(newsdex.Article) error) error {
				return ingest.Walk(ctx, args, opts, emit, func(*ingest.RecordError) {})
			}
			prog := e.newProgress("indexing", -1)
			sum, via, err := e.ingest(cmd.Context(), dir, src, learn, &sf, prog.set)
			prog.done()
			sum.Skipped = int(skipped.Load())
			e.report(sum, via, jsonOut)
			if err != nil {
				return err
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
	c.Flags().BoolVarP(&e.quiet, "quiet", "q", false, "no progress output or notes; failures are still reported")
	sf.register(c)
	return c
}

// ingest indexes src into dir directly, or through the server that holds
// dir. via names the server ("" when direct). When indexing directly with
// sf.learn, the outlets' boilerplate is learnt from learn (the same
// articles as src) first. A server cleans with the model it holds.
func (e *env) ingest(ctx context.Context, dir string, src, learn pipeline.Source, sf *sourceFlags, progress func(int)) (pipeline.Summary, string, error) {
	batch := sf.batch
	ix, svc, err := e.openWriter(dir, sf.embed, true)
	if errors.Is(err, index.ErrBusy) {
		rem, rerr := findServer(ctx, dir)
		if rerr != nil {
			return pipeline.Summary{}, "", rerr
		}
		sum, err := rem.ingest(ctx, src, batch, progress)
		return sum, rem.base, err
	}
	if err != nil {
		return pipeline.Summary{}, "", err
	}
	// No server holds the index: the batches are recorded for the alerts
	// and the next server matches them and sends what matched.
	alerts, err := alert.Open(dir, nil, alert.Options{Log: e.log})
	if err != nil {
		ix.Close()
		return pipeline.Summary{}, "", err
	}
	defer alerts.Close()
	svc.Watch = alerts
	if sf.learn {
		if _, err := svc.LearnBoiler(ctx, learn, true); err != nil {
			ix.Close()
			return pipeline.Summary{}, "", err
		}
	}
	svc.BatchSize = batch
	bg := svc.Background()
	if bg == nil {
		sum, err := svc.Ingest(ctx, src, progress)
		if cerr := ix.Close(); err == nil {
			err = cerr
		}
		return sum, "", err
	}
	// The articles are searchable lexically as each batch is written; the
	// passage vectors are computed behind and this waits for them, so the
	// index is complete when the command returns. Interrupted (or killed)
	// during that wait, it loses nothing: the next `newsdex index` or
	// `newsdex serve` resumes the missing vectors.
	bgCtx, stopBG := context.WithCancel(ctx)
	bgDone := make(chan error, 1)
	go func() { bgDone <- bg.Run(bgCtx) }()
	sum, err := svc.Ingest(ctx, src, progress)
	if err == nil {
		e.log.Info("lexically searchable; computing passage vectors behind", "articles", sum.Indexed, "seconds", sum.Seconds)
		err = e.waitVectors(ctx, bg, sum.Seconds)
	}
	stopBG()
	<-bgDone
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	return sum, "", err
}

// waitVectors waits for bg to compute the vectors of everything written,
// with a progress display, and reports how long they took after the
// lexical indexing's lexical seconds.
func (e *env) waitVectors(ctx context.Context, bg *service.Background, lexical float64) error {
	start := time.Now()
	total, _ := bg.Pending(ctx)
	prog := e.newProgress("embedding", int64(total))
	stop := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if n, err := bg.Pending(ctx); err == nil && n <= total {
					prog.set(int(total - n))
				}
			}
		}
	}()
	failed, err := bg.Wait(ctx)
	close(stop)
	<-ticked
	prog.done()
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	e.log.Info("passage vectors ready", "articles", total, "seconds_after_lexical", secs, "seconds_total", lexical+secs)
	if failed > 0 {
		e.log.Warn("embedding failed: articles indexed without passage vectors (lexical search only)", "articles", failed,
			"fix", "once the embedder works, run `newsdex reindex --fill-vectors` or start `newsdex serve`")
	}
	return nil
}

// openForWrite opens dir with its write service (no seeding), embedding
// passages when the model is present.
func (e *env) openForWrite(dir string) (*index.Index, *service.Service, error) {
	return e.openWriter(dir, true, false)
}

// openWriter opens dir with its write service; embed turns passage
// embeddings on (when the model is present), behind the writes when
// behind is true (the caller runs svc.Background()).
func (e *env) openWriter(dir string, embed, behind bool) (*index.Index, *service.Service, error) {
	ix, err := index.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	x, err := extract.New()
	if err != nil {
		ix.Close()
		return nil, nil, err
	}
	svc := service.New(ix, x, e.log)
	if err := svc.LoadBoiler(); err != nil {
		ix.Close()
		return nil, nil, err
	}
	e.withEmbedding(ix, svc, embed, behind)
	if err := svc.EnableDups(context.Background()); err != nil {
		ix.Close()
		return nil, nil, err
	}
	return ix, svc, nil
}

func (e *env) report(sum pipeline.Summary, via string, jsonOut bool) {
	if jsonOut {
		_ = json.NewEncoder(e.stdout).Encode(struct {
			pipeline.Summary
			Via string `json:"via,omitempty"`
		}{sum, via})
		return
	}
	if via != "" {
		fmt.Fprintf(e.stdout, "handed to the server at %s\n", via)
	}
	fmt.Fprintln(e.stdout, "summary:", sum)
}

func (e *env) reindexCmd() *cobra.Command {
	var dir string
	var sf sourceFlags
	var jsonOut, fill bool
	c := &cobra.Command{
		Use:   "reindex --index DIR [--format F] [--map k=v,...] [SOURCE...] | reindex --fill-vectors --index DIR",
		Short: "Rebuild the index as a new generation and switch to it when it is verified",
		Long: "Rebuild the whole index from SOURCEs, or from the articles it stores when none are given,\n" +
			"into a new generation beside the live one. When it is complete and verified (article count,\n" +
			"a test query) the index switches to it atomically and the old generation is removed.\n" +
			"A running `newsdex serve` does the rebuild itself and keeps answering from the old\n" +
			"generation until the switch. Interrupting leaves the live generation untouched.\n\n" +
			"With --fill-vectors it only computes the passage vectors of the articles indexed without\n" +
			"them because the embedder failed (`newsdex stats` counts them as articles_missing_vectors),\n" +
			"in place. A running server does a full rebuild instead, which computes them too.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if fill {
				if len(args) > 0 {
					return fail("reindex --fill-vectors: takes no SOURCE, it reads the articles the index stores")
				}
				return e.fillVectors(cmd.Context(), dir, jsonOut)
			}
			opts, err := sf.options()
			if err != nil {
				return err
			}
			if err := e.checkEmbed(cmd, &sf); err != nil {
				return err
			}
			var src pipeline.Source
			if len(args) > 0 {
				src = func(ctx context.Context, emit func(newsdex.Article) error) error {
					return ingest.Walk(ctx, args, opts, emit, func(re *ingest.RecordError) {
						fmt.Fprintf(e.stderr, "skip: %v\n", re)
					})
				}
			}
			ctx := cmd.Context()
			defer pipeline.TuneGCForBulk()()
			res, via, err := e.rebuild(ctx, dir, src, &sf)
			if err != nil {
				return err
			}
			if jsonOut {
				return json.NewEncoder(e.stdout).Encode(struct {
					service.RebuildResult
					Via string `json:"via,omitempty"`
				}{res, via})
			}
			if via != "" {
				fmt.Fprintf(e.stdout, "rebuilt by the server at %s\n", via)
			}
			fmt.Fprintf(e.stdout, "switched %s from %s to %s\nsummary: %s\n", dir, res.From, res.To, res.Summary)
			return nil
		},
	}
	c.Flags().StringVar(&dir, "index", DefaultIndexDir(), "index directory ($NEWSDEX_INDEX)")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the result as JSON")
	c.Flags().BoolVarP(&e.quiet, "quiet", "q", false, "no progress output or notes; failures are still reported")
	c.Flags().BoolVar(&fill, "fill-vectors", false, "only compute the passage vectors missing because the embedder failed, in place")
	sf.register(c)
	return c
}

// fillVectors computes the vectors missing from dir in place, or, when a
// server holds dir, has it rebuild the index from the stored articles
// (which computes them too).
func (e *env) fillVectors(ctx context.Context, dir string, jsonOut bool) error {
	ix, err := index.OpenExisting(dir)
	if errors.Is(err, index.ErrBusy) {
		rem, rerr := findServer(ctx, dir)
		if rerr != nil {
			return rerr
		}
		fmt.Fprintf(e.stderr, "the server at %s holds %s: rebuilding from the stored articles, which computes missing vectors too\n", rem.base, dir)
		prog := e.newProgress("reindexing", -1)
		res, err := rem.reindex(ctx, nil, true, prog)
		prog.done()
		if err != nil {
			return err
		}
		if jsonOut {
			return json.NewEncoder(e.stdout).Encode(struct {
				service.RebuildResult
				Via string `json:"via"`
			}{res, rem.base})
		}
		fmt.Fprintf(e.stdout, "rebuilt by the server at %s\nswitched %s from %s to %s\nsummary: %s\n", rem.base, dir, res.From, res.To, res.Summary)
		return nil
	}
	if err != nil {
		return err
	}
	defer ix.Close()
	m := e.embedder()
	if m == nil {
		return fail("reindex --fill-vectors: the embedding model is not available (%v); run `newsdex model fetch`", e.model.err)
	}
	emb := service.NewEmbedding(ix, m)
	emb.Log = e.log
	total := int64(-1)
	if st, err := ix.Stat(ctx); err == nil {
		total = int64(st.MissingVectors)
	}
	prog := e.newProgress("filling vectors", total)
	res, err := emb.Fill(ctx, prog.set)
	prog.done()
	if err != nil {
		return err
	}
	if err := ix.Close(); err != nil {
		return err
	}
	if jsonOut {
		if err := json.NewEncoder(e.stdout).Encode(res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "filled the passage vectors of %d articles in %.1f s\n", res.Filled, res.Seconds)
	}
	if res.Missing > 0 {
		return fail("reindex --fill-vectors: the embedder failed again on %d articles; they stay lexical-only", res.Missing)
	}
	return nil
}

// rebuild rebuilds dir directly or through the server that holds it.
func (e *env) rebuild(ctx context.Context, dir string, src pipeline.Source, sf *sourceFlags) (service.RebuildResult, string, error) {
	batch := sf.batch
	if !index.Exists(dir) {
		return service.RebuildResult{}, "", fmt.Errorf("reindex: no index in %s (create one with `newsdex index`)", dir)
	}
	ix, svc, err := e.openWriter(dir, sf.embed, false)
	if errors.Is(err, index.ErrBusy) {
		rem, rerr := findServer(ctx, dir)
		if rerr != nil {
			return service.RebuildResult{}, "", rerr
		}
		prog := e.newProgress("reindexing", -1)
		res, err := rem.reindex(ctx, src, src == nil, prog)
		prog.done()
		return res, rem.base, err
	}
	if err != nil {
		return service.RebuildResult{}, "", err
	}
	total := int64(-1)
	if src == nil {
		if n, err := ix.Count(); err == nil {
			total = int64(n)
		}
	}
	if src != nil && sf.learn {
		// A rebuild from sources learns from them alone; one from the
		// stored articles relearns in svc.Rebuild.
		if _, err := svc.LearnBoiler(ctx, src, false); err != nil {
			ix.Close()
			return service.RebuildResult{}, "", err
		}
	}
	prog := e.newProgress("reindexing", total)
	svc.BatchSize = batch
	res, err := svc.Rebuild(ctx, src, prog.set)
	prog.done()
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	return res, "", err
}

func (e *env) deleteCmd() *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "delete --index DIR ID...",
		Short: "Remove articles by id (through the server if one holds the index)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ix, err := index.OpenExisting(dir)
			if errors.Is(err, index.ErrBusy) {
				rem, rerr := findServer(ctx, dir)
				if rerr != nil {
					return rerr
				}
				n := 0
				for _, id := range args {
					ok, err := rem.delete(ctx, id)
					if err != nil {
						return err
					}
					if ok {
						n++
					}
				}
				fmt.Fprintf(e.stdout, "deleted %d of %d ids (through the server at %s)\n", n, len(args), rem.base)
				return nil
			}
			if err != nil {
				return err
			}
			n, err := ix.Delete(ctx, args...)
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
		Short: "Print articles, passages, generations, size on disk, per-source counts and last update",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var st index.Stats
			ix, err := index.OpenExisting(dir)
			switch {
			case errors.Is(err, index.ErrBusy):
				rem, rerr := findServer(ctx, dir)
				if rerr != nil {
					return rerr
				}
				if st, err = rem.stats(ctx); err != nil {
					return err
				}
				// The server keeps paths to itself (file sources come
				// back as file names); the directory is the one asked.
				st.Dir = dir
			case err != nil:
				return err
			default:
				st, err = ix.Stat(ctx)
				if cerr := ix.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		},
	}
	c.Flags().StringVar(&dir, "index", DefaultIndexDir(), "index directory ($NEWSDEX_INDEX)")
	return c
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
