package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/api"
	"github.com/newsdex/newsdex/search"
)

// serveConfig is the configuration of `newsdex serve`. Every setting is a
// flag with a matching NEWSDEX_* environment variable (serveEnv); a flag
// given on the command line wins over the variable.
type serveConfig struct {
	dir, addr          string
	timeout            time.Duration
	shutdownTimeout    time.Duration
	apiKeyFile         string
	readKeyRequired    bool
	metricsKeyRequired bool
	rateLimit          float64
	rateBurst          int
	corsOrigins        []string
	trustedProxies     []string
	logFormat          string
	alertsAllowPrivate bool
}

// serveEnv maps each serve flag to its environment variable.
var serveEnv = []struct{ flag, env string }{
	{"index", "NEWSDEX_INDEX"},
	{"addr", "NEWSDEX_ADDR"},
	{"search-timeout", "NEWSDEX_SEARCH_TIMEOUT"},
	{"shutdown-timeout", "NEWSDEX_SHUTDOWN_TIMEOUT"},
	{"api-key-file", "NEWSDEX_API_KEY_FILE"},
	{"read-key-required", "NEWSDEX_READ_KEY_REQUIRED"},
	{"metrics-key-required", "NEWSDEX_METRICS_KEY_REQUIRED"},
	{"rate-limit", "NEWSDEX_RATE_LIMIT"},
	{"rate-burst", "NEWSDEX_RATE_BURST"},
	{"cors-origins", "NEWSDEX_CORS_ORIGINS"},
	{"trusted-proxies", "NEWSDEX_TRUSTED_PROXIES"},
	{"log-format", "NEWSDEX_LOG_FORMAT"},
	{"alerts-allow-private", "NEWSDEX_ALERTS_ALLOW_PRIVATE"},
}

const serveLong = `Serve the search API, the search page, /metrics and /openapi.json.

With no index at --index, serve first builds one from the embedded seeds.
It stops on SIGINT or SIGTERM: it stops accepting connections, answers the
requests already accepted (at most --shutdown-timeout; later clients are
refused, none is reset) and exits; a second signal exits at once.

Every flag can also be set by its environment variable, named in its help;
a flag given on the command line wins. API keys are read from the
environment or a file only, never from a flag, so they stay out of process
listings:

  NEWSDEX_API_KEYS       comma-separated API keys for write and admin routes
                         (and reads with --read-key-required); keys are at
                         least 16 bytes without spaces
  NEWSDEX_API_KEY_FILE   a file of keys, one per line (# comments), as --api-key-file

Without any key, write routes answer 403 saying how to configure one.`

func (e *env) serveCmd() *cobra.Command {
	var cfg serveConfig
	c := &cobra.Command{
		Use:   "serve [--index DIR] [--addr HOST:PORT] [flags]",
		Short: "Serve the search API (builds the index from the embedded seeds if DIR has none)",
		Long:  serveLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := applyEnv(cmd.Flags()); err != nil {
				return err
			}
			log, err := newLogger(cfg.logFormat, e.stderr)
			if err != nil {
				return err
			}
			e.log = log
			return e.serve(cmd.Context(), cfg)
		},
	}
	f := c.Flags()
	f.StringVar(&cfg.dir, "index", DefaultIndexDir(), "index directory ($NEWSDEX_INDEX)")
	f.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen address ($NEWSDEX_ADDR)")
	f.DurationVar(&cfg.timeout, "search-timeout", 10*time.Second, "per-request search timeout; past it the answer is 503 ($NEWSDEX_SEARCH_TIMEOUT)")
	f.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long in-flight requests may take to finish on shutdown ($NEWSDEX_SHUTDOWN_TIMEOUT)")
	f.StringVar(&cfg.apiKeyFile, "api-key-file", "", "file of API keys, one per line, added to $NEWSDEX_API_KEYS ($NEWSDEX_API_KEY_FILE)")
	f.BoolVar(&cfg.readKeyRequired, "read-key-required", false, "require an API key on the /v1 read routes too ($NEWSDEX_READ_KEY_REQUIRED)")
	f.BoolVar(&cfg.metricsKeyRequired, "metrics-key-required", false, "require an API key on /metrics ($NEWSDEX_METRICS_KEY_REQUIRED)")
	f.Float64Var(&cfg.rateLimit, "rate-limit", 0, "requests per second per client IP, 0 = off; past it 429 with Retry-After ($NEWSDEX_RATE_LIMIT)")
	f.IntVar(&cfg.rateBurst, "rate-burst", 0, "requests a client may make at once, 0 = the rate limit rounded up ($NEWSDEX_RATE_BURST)")
	f.StringSliceVar(&cfg.corsOrigins, "cors-origins", nil, "origins allowed to call the API from a browser, comma-separated, * for any; none = CORS off ($NEWSDEX_CORS_ORIGINS)")
	f.StringSliceVar(&cfg.trustedProxies, "trusted-proxies", nil, "proxy IPs or CIDRs whose X-Forwarded-For names the client, comma-separated ($NEWSDEX_TRUSTED_PROXIES)")
	f.StringVar(&cfg.logFormat, "log-format", "auto", "text, json, or auto: text on a terminal, JSON otherwise ($NEWSDEX_LOG_FORMAT)")
	f.BoolVar(&cfg.alertsAllowPrivate, "alerts-allow-private", false, "let alert webhooks go to loopback, private and link-local addresses (tests, intranets) ($NEWSDEX_ALERTS_ALLOW_PRIVATE)")
	return c
}

// applyEnv sets every serve flag not given on the command line from its
// environment variable, with the flag's own parser.
func applyEnv(fs *pflag.FlagSet) error {
	for _, m := range serveEnv {
		fl := fs.Lookup(m.flag)
		v, ok := os.LookupEnv(m.env)
		if fl == nil || fl.Changed || !ok || v == "" {
			continue
		}
		if err := fl.Value.Set(v); err != nil {
			return fmt.Errorf("serve: %s=%q: %w", m.env, v, err)
		}
	}
	return nil
}

// newLogger returns the request logger for format text, json or auto.
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "auto", "":
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	case "text", "json":
	default:
		return nil, fmt.Errorf("serve: unknown log format %q, want text, json or auto", format)
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return slog.New(slog.NewTextHandler(w, nil)), nil
}

// apiKeys gathers the keys of NEWSDEX_API_KEYS and the key file.
func apiKeys(file string) ([]string, error) {
	keys, err := api.SplitKeys(os.Getenv("NEWSDEX_API_KEYS"))
	if err != nil {
		return nil, fmt.Errorf("serve: NEWSDEX_API_KEYS: %w", err)
	}
	if file != "" {
		more, err := api.ReadKeyFile(file)
		if err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		keys = append(keys, more...)
	}
	return keys, nil
}

func (e *env) serve(ctx context.Context, cfg serveConfig) error {
	keys, err := apiKeys(cfg.apiKeyFile)
	if err != nil {
		return err
	}
	if cfg.rateLimit < 0 || cfg.rateBurst < 0 {
		return fmt.Errorf("serve: --rate-limit and --rate-burst must not be negative")
	}
	ix, svc, err := e.openService(ctx, cfg.dir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ix.Close()
	if bg := svc.Background(); bg != nil {
		// The passage vectors of writes are computed behind them; the
		// first pass resumes those a killed process left missing. Deferred
		// after ix.Close, so it stops before the index closes.
		bgCtx, stopBG := context.WithCancel(context.Background())
		bgDone := make(chan struct{})
		go func() {
			defer close(bgDone)
			_ = bg.Run(bgCtx) // returns bgCtx's error only
		}()
		defer func() {
			stopBG()
			<-bgDone
		}()
	}
	token := newToken()
	eng, err := e.newEngine(ix)
	if err != nil {
		return err
	}
	alerts, err := openAlerts(cfg.dir, eng, cfg.alertsAllowPrivate, e.log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	svc.Watch = alerts
	alertsCtx, stopAlerts := context.WithCancel(context.Background())
	alertsDone := make(chan struct{})
	go func() {
		defer close(alertsDone)
		if err := alerts.Run(alertsCtx); err != nil {
			e.log.Error("alerts stopped", "err", err.Error())
		}
	}()
	// Deferred before ix.Close runs, so after it: the alerts stop, then
	// their store closes, then the index.
	defer func() {
		stopAlerts()
		<-alertsDone
		_ = alerts.Close()
	}()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(
		// go_gc_heap_live_bytes: the heap the last collection found live.
		// Unlike RSS or heap in use it does not swing with the collector's
		// timing, so it is the figure to watch for a leak (e2e's TestLoad
		// does).
		collectors.WithGoCollectorRuntimeMetrics(collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/live:bytes$`)}),
	), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opts := api.Options{
		SearchTimeout:      cfg.timeout,
		APIKeys:            keys,
		ReadKeyRequired:    cfg.readKeyRequired,
		MetricsKeyRequired: cfg.metricsKeyRequired,
		RateLimit:          cfg.rateLimit,
		RateBurst:          cfg.rateBurst,
		CORSOrigins:        cfg.corsOrigins,
		TrustedProxies:     cfg.trustedProxies,
		Metrics:            reg,
		Alerts:             alerts,
	}
	// Rebuilds run inside a request; shutting down abandons them (the live
	// generation stays) instead of waiting for them to finish.
	rebuildCtx, stopRebuilds := context.WithCancel(context.Background())
	defer stopRebuilds()
	srv := &http.Server{
		Handler:           api.New(eng, e.log, writeAPI(rebuildCtx, opts, svc, token)).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
	}
	ln, err := listenDrainable(ctx, cfg.addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", cfg.addr, err)
	}
	conns := newConnTracker()
	srv.ConnState = conns.track
	unrecord, err := recordServer(cfg.dir, ln, token)
	if err != nil {
		ln.Close()
		return err
	}
	defer unrecord()
	n, _ := ix.Count()
	e.log.Info("serving", "addr", "http://"+ln.Addr().String(), "index", cfg.dir, "articles", n,
		"api_keys", len(keys), "read_key_required", cfg.readKeyRequired, "rate_limit", cfg.rateLimit,
		"cors_origins", len(cfg.corsOrigins))
	if len(keys) == 0 {
		e.log.Warn("no API keys configured: write routes answer 403 (set NEWSDEX_API_KEYS or --api-key-file)")
	}

	// Signals are handled here rather than left to Go's default action:
	// a process started in the background by a non-interactive shell
	// inherits SIGINT ignored, and the default would then ignore a second
	// Ctrl-C too.
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigc)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	case <-sigc:
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case sig := <-sigc:
			// A second signal: exit now, like the shell's 128+signal.
			e.log.Warn("second signal: exiting without waiting", "signal", sig.String())
			code := 130
			if sig == syscall.SIGTERM {
				code = 143
			}
			os.Exit(code)
		case <-done:
		}
	}()
	e.log.Info("shutting down: finishing in-flight requests (signal again to exit now)", "timeout", cfg.shutdownTimeout.String())
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	stopRebuilds()
	// Stop accepting, drain, close (drain.go): connections the kernel has
	// accepted are answered, later ones are refused, none is reset.
	srv.SetKeepAlivesEnabled(false)
	if err := ln.drain(shutCtx); err != nil {
		e.log.Warn("shutdown: connections arriving now may be reset", "err", err.Error())
	}
	// At the timeout Shutdown below reports the requests still running.
	_ = conns.wait(shutCtx)
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// searchFlags are the filters and options of `newsdex search`.
type searchFlags struct {
	// filters holds the values of each filter flag, by kind name.
	filters                                      map[string]*[]string
	facets                                       []string
	from, to, sort, mode, cursor, interval       string
	size, page, snippets, snippetSize, facetSize int
	collapse, explain                            bool
}

// filterFlags registers a repeatable filter flag per entity kind
// (--person, --outlet, ...).
func (f *searchFlags) filterFlags(fs *pflag.FlagSet) {
	f.filters = map[string]*[]string{}
	for _, k := range newsdex.Kinds {
		vals := new([]string)
		f.filters[k.Name] = vals
		fs.StringSliceVar(vals, k.Name, nil, "filter by "+k.Display+" (repeatable)")
	}
}

// filterValues returns the filters given, by kind name; nil if none.
func (f *searchFlags) filterValues() map[string][]string {
	var out map[string][]string
	for name, vals := range f.filters {
		if len(*vals) > 0 {
			if out == nil {
				out = map[string][]string{}
			}
			out[name] = *vals
		}
	}
	return out
}

func (e *env) searchCmd() *cobra.Command {
	var dir string
	var jsonOut bool
	var f searchFlags
	c := &cobra.Command{
		Use:   "search --index DIR [--json] [filters] QUERY",
		Short: "Search the index and print the results",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req := search.Request{Query: strings.Join(args, " "), Sort: f.sort, Size: f.size, Page: f.page, Snippets: f.snippets, Mode: f.mode,
				Cursor: f.cursor, SnippetSize: f.snippetSize, FacetSize: f.facetSize, Interval: f.interval, Explain: f.explain}
			if f.snippets == 0 {
				req.Snippets = -1
			}
			if cmd.Flags().Changed("facets") {
				req.Facets = append([]string{}, f.facets...) // given but empty: no facets
			}
			if cmd.Flags().Changed("collapse") {
				req.Collapse = &f.collapse
			}
			req.Filters = f.filterValues()
			if req.Filters == nil {
				req.Filters = map[string][]string{}
			}
			var err error
			if f.from != "" {
				if req.From, err = search.ParseDate("from", f.from); err != nil {
					return err
				}
			}
			if f.to != "" {
				if req.To, err = search.ParseDate("to", f.to); err != nil {
					return err
				}
			}
			res, err := e.runSearch(cmd.Context(), dir, req)
			if err != nil {
				return err
			}
			if jsonOut {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printResults(e, res)
			return nil
		},
	}
	c.Flags().StringVar(&dir, "index", DefaultIndexDir(), "index directory ($NEWSDEX_INDEX)")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the API's JSON")
	c.Flags().BoolVarP(&e.quiet, "quiet", "q", false, "no notes, such as that semantic search is off for want of the model; failures are still reported")
	f.filterFlags(c.Flags())
	c.Flags().StringVar(&f.from, "from", "", "published on or after YYYY-MM-DD")
	c.Flags().StringVar(&f.to, "to", "", "published on or before YYYY-MM-DD")
	c.Flags().StringVar(&f.sort, "sort", "relevance", "relevance, date or date_asc")
	c.Flags().StringVar(&f.mode, "mode", "", "lexical, semantic or hybrid")
	c.Flags().IntVar(&f.size, "size", 10, "results per page (1..100)")
	c.Flags().IntVar(&f.page, "page", 1, "page number")
	c.Flags().IntVar(&f.snippets, "snippets", 2, "snippets per hit (0..10)")
	c.Flags().IntVar(&f.snippetSize, "snippet-size", 0, "snippet length in bytes (40..1000; default 200)")
	c.Flags().StringVar(&f.cursor, "cursor", "", "continue after the page that gave this next_cursor (instead of --page)")
	c.Flags().StringSliceVar(&f.facets, "facets", nil, "facets to compute, comma-separated (default all; --facets= for none)")
	c.Flags().IntVar(&f.facetSize, "facet-size", 0, "buckets per facet (1..100; default 10)")
	c.Flags().StringVar(&f.interval, "interval", "", "histogram interval: day, week, month or year (default month)")
	c.Flags().BoolVar(&f.collapse, "collapse", true, "fold wire copies into their best hit")
	c.Flags().BoolVar(&f.explain, "explain", false, "print under each hit why it ranks there: its lexical score, cosine, fused score and the query words it holds")
	return c
}

func printResults(e *env, res *search.Results) {
	// Matches are bold on a terminal; files and pipes get plain text.
	marks := strings.NewReplacer("<mark>", "", "</mark>", "")
	if colourOn(e.stdout) {
		marks = strings.NewReplacer("<mark>", "\x1b[1m", "</mark>", "\x1b[0m")
	}
	fmt.Fprintf(e.stdout, "%d articles (%.1f ms)\n\n", res.Total, res.TookMS)
	for i, h := range res.Hits {
		fmt.Fprintf(e.stdout, "%2d. %s\n    %s  %s  %s  score %.2f\n", i+1, h.Title, h.Published, h.Outlet, h.ID, h.Score)
		if len(h.People) > 0 {
			fmt.Fprintf(e.stdout, "    people: %s\n", strings.Join(h.People, ", "))
		}
		for _, s := range h.Snippets {
			s = marks.Replace(s)
			fmt.Fprintf(e.stdout, "    > %s\n", strings.Join(strings.Fields(unescape(s)), " "))
		}
		if h.Explain != nil {
			printExplain(e.stdout, h.Explain)
		}
		fmt.Fprintln(e.stdout)
	}
	for _, name := range search.AllFacets {
		bs := res.Facets[name]
		if len(bs) == 0 || name == search.FacetPublished {
			continue
		}
		parts := make([]string, 0, len(bs))
		for _, b := range bs {
			parts = append(parts, fmt.Sprintf("%s (%d)", b.Value, b.Count))
		}
		fmt.Fprintf(e.stdout, "%s: %s\n", name, strings.Join(parts, ", "))
	}
	if res.NextCursor != "" {
		fmt.Fprintf(e.stdout, "\nnext page: --cursor %s\n", res.NextCursor)
	}
}

// printExplain writes a hit's explanation in two lines: the parts of its
// score (and, in hybrid mode, how they fuse), then the query words it
// holds, with their fields, and those it lacks.
func printExplain(w io.Writer, x *search.Explain) {
	num := func(v *float64, format string) string {
		if v == nil {
			return "none"
		}
		return fmt.Sprintf(format, *v)
	}
	cos := num(x.Cosine, "%.4f")
	if x.Passage != nil {
		cos += fmt.Sprintf(" (passage %d)", *x.Passage)
	}
	fmt.Fprintf(w, "    why: lexical %s, cosine %s, fused %.4f", num(x.Lexical, "%.4f"), cos, x.Fused)
	if x.LexicalWeight != nil && x.BestLexical != nil {
		fmt.Fprintf(w, " = %.2f × cosine + %.2f × lexical / %.4f", 1-*x.LexicalWeight, *x.LexicalWeight, *x.BestLexical)
	}
	fmt.Fprintln(w)
	words := make([]string, len(x.Matched))
	for i, m := range x.Matched {
		words[i] = fmt.Sprintf("%s (%s)", m.Term, strings.Join(m.Fields, ", "))
	}
	matched, missing := "none", "none"
	if len(words) > 0 {
		matched = strings.Join(words, ", ")
	}
	if len(x.Missing) > 0 {
		missing = strings.Join(x.Missing, ", ")
	}
	fmt.Fprintf(w, "    matched: %s; missing: %s\n", matched, missing)
}

func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`, "&#39;", "'").Replace(s)
}

func (e *env) extraCmds() []*cobra.Command {
	return []*cobra.Command{
		e.evalCmd(),
		e.benchCmd(),
		e.modelCmd(),
	}
}
