package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsdex/newsdex/api"
	"github.com/newsdex/newsdex/search"
)

// envOr returns the environment variable name or def.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (e *env) serveCmd() *cobra.Command {
	var dir, addr string
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "serve [--index DIR] [--addr HOST:PORT]",
		Short: "Serve the search API (builds the index from the embedded seeds if DIR has none)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.serve(cmd.Context(), dir, addr, timeout)
		},
	}
	c.Flags().StringVar(&dir, "index", DefaultIndexDir(), "index directory ($NEWSDEX_INDEX)")
	c.Flags().StringVar(&addr, "addr", envOr("NEWSDEX_ADDR", "127.0.0.1:8080"), "listen address ($NEWSDEX_ADDR)")
	c.Flags().DurationVar(&timeout, "search-timeout", 10*time.Second, "per-request search timeout")
	return c
}

func (e *env) serve(ctx context.Context, dir, addr string, timeout time.Duration) error {
	ix, svc, err := e.openService(ctx, dir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ix.Close()
	token := newToken()
	eng, err := e.newEngine(ix)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api.New(eng, e.log, writeAPI(api.Options{SearchTimeout: timeout}, svc, token)).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", addr, err)
	}
	unrecord, err := recordServer(dir, ln, token)
	if err != nil {
		ln.Close()
		return err
	}
	defer unrecord()
	n, _ := ix.Count()
	e.log.Info("serving", "addr", "http://"+ln.Addr().String(), "index", dir, "articles", n)

	sigCtx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-sigCtx.Done():
	}
	stop() // a second signal now kills the process the default way
	e.log.Info("shutting down: finishing in-flight requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// searchFlags are the filters and options of `newsdex search`.
type searchFlags struct {
	person, outlet, cited, place, leader []string
	from, to, sort, mode                 string
	size, page, snippets                 int
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
			req := search.Request{Query: strings.Join(args, " "), Sort: f.sort, Size: f.size, Page: f.page, Snippets: f.snippets, Mode: f.mode}
			if f.snippets == 0 {
				req.Snippets = -1
			}
			req.Filters = map[string][]string{}
			for name, vals := range map[string][]string{search.FilterPerson: f.person, search.FilterOutlet: f.outlet,
				search.FilterCited: f.cited, search.FilterPlace: f.place, search.FilterLeader: f.leader} {
				if len(vals) > 0 {
					req.Filters[name] = vals
				}
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
	c.Flags().StringSliceVar(&f.person, "person", nil, "filter by person (repeatable)")
	c.Flags().StringSliceVar(&f.outlet, "outlet", nil, "filter by outlet (repeatable)")
	c.Flags().StringSliceVar(&f.cited, "cited", nil, "filter by cited outlet (repeatable)")
	c.Flags().StringSliceVar(&f.place, "place", nil, "filter by place (repeatable)")
	c.Flags().StringSliceVar(&f.leader, "leader", nil, "filter by leader (repeatable)")
	c.Flags().StringVar(&f.from, "from", "", "published on or after YYYY-MM-DD")
	c.Flags().StringVar(&f.to, "to", "", "published on or before YYYY-MM-DD")
	c.Flags().StringVar(&f.sort, "sort", "relevance", "relevance, date or date_asc")
	c.Flags().StringVar(&f.mode, "mode", "", "lexical, semantic or hybrid")
	c.Flags().IntVar(&f.size, "size", 10, "results per page (1..100)")
	c.Flags().IntVar(&f.page, "page", 1, "page number")
	c.Flags().IntVar(&f.snippets, "snippets", 2, "snippets per hit (0..10)")
	return c
}

func printResults(e *env, res *search.Results) {
	fmt.Fprintf(e.stdout, "%d articles (%.1f ms)\n\n", res.Total, res.TookMS)
	for i, h := range res.Hits {
		fmt.Fprintf(e.stdout, "%2d. %s\n    %s  %s  %s  score %.2f\n", i+1, h.Title, h.Published, h.Outlet, h.ID, h.Score)
		if len(h.People) > 0 {
			fmt.Fprintf(e.stdout, "    people: %s\n", strings.Join(h.People, ", "))
		}
		for _, s := range h.Snippets {
			s = strings.NewReplacer("<mark>", "\x1b[1m", "</mark>", "\x1b[0m").Replace(s)
			fmt.Fprintf(e.stdout, "    > %s\n", strings.Join(strings.Fields(unescape(s)), " "))
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
		fmt.Fprintf(e.stdout, "\nnext page: --page or cursor %s\n", res.NextCursor)
	}
}

func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`, "&#39;", "'").Replace(s)
}

func (e *env) extraCmds() []*cobra.Command { return []*cobra.Command{e.evalCmd(), e.modelCmd()} }
