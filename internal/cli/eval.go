package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/internal/eval"
	"github.com/newsdex/newsdex/search"
)

func (e *env) evalCmd() *cobra.Command {
	var corpus, corporaDir, goldDir, out, peer, cacheDir, keep string
	var jsonOut, floor, diffs bool
	var modes, collections, probes []string
	var thresholds, mins, bands []float64
	var short bool
	c := &cobra.Command{
		Use:   "eval [COLLECTION|entities|counts] [--collection a,b] [--mode lexical,semantic,hybrid] [--floor] [--out FILE]",
		Short: "Measure ranking quality on every relevance collection beside a BM25 peer, or entity extraction on the gold set",
		Long: "Without an argument, index each relevance collection (" + strings.Join(eval.DefaultCollections(), ", ") + ")\n" +
			"in a temporary index, rank its queries in every mode and run the SQLite FTS5 BM25 peer\n" +
			"(--peer) on the same documents and queries; print one table per collection and the mix (the\n" +
			"mean of each collection's primary metric). `eval time` is `eval --collection time`;\n" +
			"`eval entities` scores the entity extractor on the gold set, then on its held-out part\n" +
			"(" + eval.HeldoutGold + ": AllSides and Reuters articles read from --corpora). Embeddings are cached in\n" +
			"--cache (append-only), so a second run only re-ranks. See README, \"Evaluating relevance\".\n\n" +
			"--floor sweeps the similarity floor instead of ranking: for each collection and each\n" +
			"cosine threshold t of 0.20, 0.25, ..., 0.70, the set of articles whose best passage has\n" +
			"cosine >= t with the query (no cap): its mean size, the share of queries with an empty\n" +
			"set, mean and micro precision, mean recall, the relevant share beyond rank 50, and the\n" +
			"precision of the top 10, 20, 50 and 100 nearest above t (semantic neighbours). Only TIME's\n" +
			"judgments are complete; on the known-item sets precision is a lower bound. It needs the\n" +
			"model, ignores --peer and takes no --mode; --floor-thresholds sweeps other thresholds.\n" +
			"--floor-band D1,D2,... adds relative floors, one row per pair of --floor-min A and band D:\n" +
			"the set is every article with cosine >= max(A, b - D), where b is the query's best\n" +
			"cosine over the whole index (a function of the query alone, so filters keep counts).\n" +
			"--floor-short also measures each collection's queries cut to 2 words (TIME: the first\n" +
			"2 content words; known-item sets: the 2 rarest by document frequency), with the same\n" +
			"judgments. --floor-probe Q1,Q2,... prints the set size of unjudged queries under each\n" +
			"floor. See docs/RELEVANCE.md, \"Similarity floor\" and \"Relative floor\"; e.g.\n" +
			"  newsdex eval --floor --floor-thresholds 0.5,0.6,0.65 --floor-band 0.05,0.08,0.1,0.15,0.2 \\\n" +
			"    --floor-min 0.3,0.35,0.4,0.45,0.5 --floor-short --collection paraphrase-gold \\\n" +
			"    --floor-probe marathon,space,coronavirus\n\n" +
			"`eval counts` checks the match-set contract (issue 15) at corpus scale on the " + eval.ColParaphraseMix + "\n" +
			"collection's index (Wikinews, the seed, AllSides and Reuters samples, embeddings from --cache):\n" +
			"for a fixed list of queries in each --mode it checks that the published histogram and the\n" +
			"outlets facet (facet_size 100) add up to total; that the top 5 outlets, people and places and\n" +
			"the 3 largest months, taken as filters, give the counts shown; that walks by cursor and by\n" +
			"page (size 100) list total+related hits, each once, with the page count that implies; that\n" +
			"sort=date lists the match set in date order (with count=related, total+related); and that\n" +
			"`putin xi` is `putin AND xi` (op=or: `putin OR xi`). It prints one row per query and mode,\n" +
			"every failed check, and exits non-zero if any failed. --keep DIR keeps the index in DIR/index\n" +
			"and reuses it next time (rebuild it, by removing it, when the index layout changes).",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if args[0] == "entities" {
					if floor {
						return fail("eval: --floor sweeps the relevance collections, not entities")
					}
					return e.evalEntities(cmd.Context(), goldDir, &eval.Sources{Repo: repoRoot(), Corpora: corporaDir}, diffs)
				}
				if args[0] == "counts" {
					if floor || cmd.Flags().Changed("collection") {
						return fail("eval counts: runs on %s alone and takes neither --floor nor --collection", eval.ColParaphraseMix)
					}
					if err := checkModes(modes); err != nil {
						return err
					}
					return e.runCounts(cmd.Context(), countsConfig{
						modes: modes, out: out, cacheDir: cacheDir, keep: keep, jsonOut: jsonOut,
						sources: &eval.Sources{Repo: repoRoot(), Corpora: corporaDir},
					})
				}
				if cmd.Flags().Changed("collection") {
					return fail("eval: name the collection either as an argument or with --collection, not both")
				}
				collections = []string{args[0]}
			}
			for _, c := range collections {
				if !slices.Contains(eval.KnownCollections(), c) {
					return fail("eval: unknown collection %q, want %s or entities", c, strings.Join(eval.KnownCollections(), ", "))
				}
			}
			for _, f := range []string{"floor-band", "floor-min", "floor-short", "floor-probe", "floor-thresholds"} {
				if !floor && cmd.Flags().Changed(f) {
					return fail("eval: --%s needs --floor", f)
				}
			}
			if floor && cmd.Flags().Changed("mode") {
				return fail("eval: --floor searches passage vectors directly and takes no --mode")
			}
			if err := checkModes(modes); err != nil {
				return err
			}
			cfg := evalConfig{
				collections: collections, modes: modes, out: out, peer: peer, cacheDir: cacheDir,
				sources: &eval.Sources{Repo: repoRoot(), Corpora: corporaDir, TIME: corpus}, jsonOut: jsonOut,
				short: short, probes: probes,
			}
			if len(thresholds) == 0 || slices.ContainsFunc(thresholds, func(t float64) bool { return t < -1 || t > 1 }) {
				return fail("eval: --floor-thresholds %v: want cosines between -1 and 1", thresholds)
			}
			cfg.rules = eval.Absolute(thresholds)
			if cmd.Flags().Changed("floor-band") {
				if len(bands) == 0 || slices.ContainsFunc(bands, func(d float64) bool { return d <= 0 || d > 2 }) {
					return fail("eval: --floor-band %v: want bands above 0 and at most 2", bands)
				}
				if len(mins) == 0 || slices.ContainsFunc(mins, func(a float64) bool { return a < -1 || a > 1 }) {
					return fail("eval: --floor-min %v: want cosines between -1 and 1", mins)
				}
				cfg.rules = append(cfg.rules, eval.Relative(mins, bands)...)
			} else if cmd.Flags().Changed("floor-min") {
				return fail("eval: --floor-min needs --floor-band")
			}
			if floor {
				return e.runFloor(cmd, cfg)
			}
			return e.runEval(cmd, cfg)
		},
	}
	root := repoRoot()
	c.Flags().StringVar(&goldDir, "gold", filepath.Join("extract", "testdata", "gold"), "entity gold set folder (eval entities)")
	c.Flags().StringVar(&corporaDir, "corpora", filepath.Join(root, "..", "shared", "corpora"), "shared corpora folder")
	c.Flags().StringVar(&corpus, "corpus", "", "TIME-1963 folder (default CORPORA/time-magazine-1963)")
	c.Flags().StringSliceVar(&collections, "collection", eval.DefaultCollections(), "collections to measure: "+strings.Join(eval.KnownCollections(), ", "))
	c.Flags().StringSliceVar(&modes, "mode", []string{search.ModeLexical, search.ModeSemantic, search.ModeHybrid}, "modes to measure: lexical, semantic, hybrid")
	c.Flags().StringVar(&out, "out", "", "write every figure, the commit and the date as JSON to FILE")
	c.Flags().StringVar(&peer, "peer", filepath.Join(root, "..", "shared", "bench", "relevance_peer.py"), "the BM25 peer script (python3); empty to skip it")
	c.Flags().StringVar(&cacheDir, "cache", eval.DefaultCacheDir(), "embedding cache folder; empty to embed afresh")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the JSON report instead of the tables")
	c.Flags().BoolVar(&floor, "floor", false, "sweep the similarity floor (cosine 0.20 to 0.70) instead of ranking")
	c.Flags().Float64SliceVar(&thresholds, "floor-thresholds", eval.FloorThresholds(), "the cosine thresholds --floor sweeps")
	c.Flags().Float64SliceVar(&bands, "floor-band", nil, "bands D of relative floors max(A, best - D) that --floor also sweeps")
	c.Flags().Float64SliceVar(&mins, "floor-min", []float64{0.30, 0.35, 0.40, 0.45, 0.50}, "minimums A of the relative floors (with --floor-band)")
	c.Flags().BoolVar(&short, "floor-short", false, "--floor: also measure each collection's queries cut to 2 words")
	c.Flags().StringSliceVar(&probes, "floor-probe", nil, "--floor: unjudged queries whose set size under each floor is printed")
	c.Flags().BoolVar(&diffs, "diffs", false, "eval entities: list every missed and spurious entity per article")
	c.Flags().StringVar(&keep, "keep", "", "eval counts: keep the collection's index in DIR/index and reuse it on the next run")
	return c
}

func checkModes(modes []string) error {
	for _, m := range modes {
		switch m {
		case search.ModeLexical, search.ModeSemantic, search.ModeHybrid:
		default:
			return fail("eval: unknown mode %q, want lexical, semantic or hybrid", m)
		}
	}
	return nil
}

// repoRoot is the repository root above the working directory, or "." when
// there is none (relative defaults then name ./.. as before).
func repoRoot() string {
	if r := eval.RepoRoot(); r != "" {
		return r
	}
	return "."
}

type evalConfig struct {
	collections, modes  []string
	out, peer, cacheDir string
	sources             *eval.Sources
	jsonOut             bool
	thresholds          []float64 // of --floor
	rules               []eval.FloorRule
	short               bool
	probes              []string
}

// runEval measures each collection in turn, printing its table as soon as
// it is done (a full run takes minutes when embeddings are not cached).
func (e *env) runEval(cmd *cobra.Command, cfg evalConfig) error {
	ctx := cmd.Context()
	x, err := extract.New()
	if err != nil {
		return err
	}
	o := eval.Options{Modes: cfg.modes, Extractor: x, Log: e.log}
	needsModel := slices.ContainsFunc(cfg.modes, func(m string) bool { return m != search.ModeLexical })
	if m := e.embedder(); m != nil && needsModel {
		o.Embedder = m
		if cfg.cacheDir != "" {
			ce, err := eval.OpenCache(cfg.cacheDir, m)
			if err != nil {
				return err
			}
			defer ce.Close()
			fmt.Fprintf(e.stderr, "embedding cache %s: %d vectors\n", ce.Path(), ce.Len())
			o.Embedder = ce
		}
	}
	if cfg.peer != "" {
		o.Peer = &eval.Peer{Script: cfg.peer}
	}
	systems := eval.Systems(cfg.modes)
	commit := eval.Commit(cfg.sources.Repo)
	if !cfg.jsonOut {
		fmt.Fprintf(e.stdout, "newsdex eval at %s\n", commit)
	}
	var results []*eval.Result
	start := time.Now()
	for _, name := range cfg.collections {
		t0 := time.Now()
		col, err := cfg.sources.Load(ctx, name)
		if err != nil {
			return fmt.Errorf("%w (is ../shared/corpora present? see --corpora)", err)
		}
		load := time.Since(t0).Seconds()
		res, err := eval.Measure(ctx, col, o)
		if err != nil {
			return err
		}
		res.Timings.Load = load
		results = append(results, res)
		if !cfg.jsonOut {
			eval.WriteResult(e.stdout, res, systems)
			fmt.Fprintf(e.stdout, "(%s: load %.1fs, total %.1fs)\n", name, load, time.Since(t0).Seconds())
		}
	}
	rep := eval.NewReport(results, systems, commit, time.Now())
	if cfg.jsonOut {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.WriteMix(e.stdout)
		fmt.Fprintf(e.stdout, "total %.1fs\n", time.Since(start).Seconds())
	}
	if cfg.out != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg.out, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("eval: write %s: %w", cfg.out, err)
		}
	}
	return nil
}

// floorReport is the JSON of `newsdex eval --floor`.
type floorReport struct {
	Commit      string              `json:"commit"`
	Date        time.Time           `json:"date"`
	Collections []*eval.FloorResult `json:"collections"`
}

// runFloor sweeps the similarity floor on each collection in turn,
// printing its tables as soon as it is done.
func (e *env) runFloor(cmd *cobra.Command, cfg evalConfig) error {
	ctx := cmd.Context()
	x, err := extract.New()
	if err != nil {
		return err
	}
	m := e.embedder()
	if m == nil {
		return fail("eval --floor: no embedding model; run `newsdex model fetch`")
	}
	o := eval.Options{Extractor: x, Log: e.log, Embedder: m}
	if cfg.cacheDir != "" {
		ce, err := eval.OpenCache(cfg.cacheDir, m)
		if err != nil {
			return err
		}
		defer ce.Close()
		fmt.Fprintf(e.stderr, "embedding cache %s: %d vectors\n", ce.Path(), ce.Len())
		o.Embedder = ce
	}
	rep := floorReport{Commit: eval.Commit(cfg.sources.Repo), Date: time.Now().UTC().Truncate(time.Second)}
	if !cfg.jsonOut {
		fmt.Fprintf(e.stdout, "newsdex eval --floor at %s\n", rep.Commit)
	}
	start := time.Now()
	for _, name := range cfg.collections {
		col, err := cfg.sources.Load(ctx, name)
		if err != nil {
			return fmt.Errorf("%w (is ../shared/corpora present? see --corpora)", err)
		}
		spec := eval.FloorSpec{Rules: cfg.rules, Ks: eval.FloorKs(), Probes: cfg.probes}
		cols := []*eval.Collection{col}
		if cfg.short {
			cols = append(cols, eval.ShortQueries(col))
		}
		for _, c := range cols {
			res, err := eval.MeasureFloor(ctx, c, o, spec)
			if err != nil {
				return err
			}
			spec.Probes = nil // the index is the same: once is enough
			rep.Collections = append(rep.Collections, res)
			if !cfg.jsonOut {
				eval.WriteFloor(e.stdout, res)
			}
		}
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if cfg.jsonOut {
		if _, err := e.stdout.Write(b); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "total %.1fs\n", time.Since(start).Seconds())
	}
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, b, 0o644); err != nil {
			return fmt.Errorf("eval: write %s: %w", cfg.out, err)
		}
	}
	return nil
}

// evalEntities prints precision and recall per entity type on the gold set
// and then on its held-out part, overall and per corpus. The held-out
// articles' texts live in the shared corpora, not in git: when they are
// absent that part is reported as skipped and the command still succeeds,
// because the committed part alone is a valid measurement.
func (e *env) evalEntities(ctx context.Context, dir string, src *eval.Sources, diffs bool) error {
	arts, gold, err := eval.LoadEntityGold(dir)
	if err != nil {
		return err
	}
	x, err := extract.New()
	if err != nil {
		return err
	}
	rep := eval.EvaluateEntities(x, arts, gold)
	fmt.Fprint(e.stdout, rep.Table())
	if diffs {
		writeDiffs(e.stdout, rep.Diffs)
	}
	h, err := src.Heldout(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "held-out part skipped: %v (is ../shared/corpora present? see --corpora)\n", err)
		return nil
	}
	hrep := eval.EvaluateEntities(x, h.Articles, h.Labels)
	fmt.Fprintf(e.stdout, "\nheld-out part (%s, labelled independently of the rules):\n", eval.HeldoutGold)
	fmt.Fprint(e.stdout, hrep.Table())
	for _, part := range []struct{ name, corpus string }{{"AllSides", eval.CorpusAllSides}, {"Reuters-21578", eval.CorpusReuters}} {
		fmt.Fprintf(e.stdout, "\nheld-out %s:\n%s", part.name, eval.EvaluateEntities(x, h.Part(part.corpus), h.Labels).Table())
	}
	if diffs {
		writeDiffs(e.stdout, hrep.Diffs)
	}
	return nil
}

func writeDiffs(w io.Writer, ds []eval.EntityDiff) {
	for _, d := range ds {
		fmt.Fprintf(w, "%s %s: missed %q spurious %q\n", d.ID, d.Type, d.Missed, d.Spurious)
	}
}

type countsConfig struct {
	modes               []string
	out, cacheDir, keep string
	sources             *eval.Sources
	jsonOut             bool
}

// runCounts is `newsdex eval counts`: it indexes (or reopens, with
// --keep) the paraphrase-mix collection and checks the match-set contract
// on it, printing each row as it is done (a run takes minutes), then the
// table. Any failed check is an error, so the exit status says it.
func (e *env) runCounts(ctx context.Context, cfg countsConfig) error {
	x, err := extract.New()
	if err != nil {
		return err
	}
	o := eval.Options{Extractor: x, Log: e.log}
	needsModel := slices.ContainsFunc(cfg.modes, func(m string) bool { return m != search.ModeLexical })
	if m := e.embedder(); m != nil {
		o.Embedder = m
		if cfg.cacheDir != "" {
			ce, err := eval.OpenCache(cfg.cacheDir, m)
			if err != nil {
				return err
			}
			defer ce.Close()
			fmt.Fprintf(e.stderr, "embedding cache %s: %d vectors\n", ce.Path(), ce.Len())
			o.Embedder = ce
		}
	} else if needsModel {
		return fail("eval counts: semantic and hybrid modes need the embedding model; run `newsdex model fetch` or pass --mode lexical")
	}
	col, err := cfg.sources.Load(ctx, eval.ColParaphraseMix)
	if err != nil {
		return fmt.Errorf("%w (is ../shared/corpora present? see --corpora)", err)
	}
	start := time.Now()
	ix, tmp, err := eval.CountsIndex(ctx, col, o, cfg.keep)
	if err != nil {
		return err
	}
	if tmp != "" {
		defer os.RemoveAll(tmp)
	}
	defer ix.Close()
	built := time.Since(start).Seconds()
	var opts []search.Option
	if o.Embedder != nil {
		opts = append(opts, search.WithEmbedder(o.Embedder))
	}
	eng, err := search.New(ix, opts...)
	if err != nil {
		return fmt.Errorf("eval counts: %w", err)
	}
	docs, err := eng.Count()
	if err != nil {
		return fmt.Errorf("eval counts: %w", err)
	}
	commit := eval.Commit(cfg.sources.Repo)
	if !cfg.jsonOut {
		fmt.Fprintf(e.stdout, "newsdex eval counts at %s: %d articles indexed in %.1fs\n", commit, docs, built)
	}
	rep, err := eval.CheckCounts(ctx, eng, eval.CountQueries(), cfg.modes, func(r *eval.CountRow) {
		if !cfg.jsonOut {
			eval.WriteCountsRow(e.stdout, r)
		}
	})
	if err != nil {
		return err
	}
	rep.Commit, rep.Docs, rep.Index = commit, docs, built
	rep.About = col.About
	if cfg.keep != "" {
		rep.About += " (index kept in " + cfg.keep + ")"
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if cfg.jsonOut {
		if _, err := e.stdout.Write(b); err != nil {
			return err
		}
	} else {
		eval.WriteCounts(e.stdout, rep)
	}
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, b, 0o644); err != nil {
			return fmt.Errorf("eval counts: write %s: %w", cfg.out, err)
		}
	}
	if rep.Failed > 0 {
		return fail("eval counts: %d of %d checks failed", rep.Failed, rep.Failed+rep.Passed+rep.Skipped)
	}
	return nil
}
