package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/newsdex/newsdex/api"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// exportFlags are the flags of `newsdex export` beyond the search's.
type exportFlags struct {
	search searchFlags
	op     string
	format string
	fields string
	out    string
}

// request builds the search request of the flags and query q.
func (f *exportFlags) request(cmd *cobra.Command, q string) (search.Request, error) {
	req := search.Request{Query: q, Op: f.op, Sort: f.search.sort, Mode: f.search.mode}
	if cmd.Flags().Changed("collapse") {
		req.Collapse = &f.search.collapse
	}
	req.Filters = f.search.filterValues()
	var err error
	if f.search.from != "" {
		if req.From, err = search.ParseDate("from", f.search.from); err != nil {
			return req, err
		}
	}
	if f.search.to != "" {
		if req.To, err = search.ParseDate("to", f.search.to); err != nil {
			return req, err
		}
	}
	return req, nil
}

// values is the query string of GET /v1/export for req and the flags.
func (f *exportFlags) values(req search.Request) url.Values {
	v := req.Values()
	if f.format != "" {
		v.Set("format", f.format)
	}
	if f.fields != "" {
		v.Set("fields", f.fields)
	}
	return v
}

func (e *env) exportCmd() *cobra.Command {
	var dir string
	var f exportFlags
	c := &cobra.Command{
		Use:   "export --index DIR [--format csv|jsonl] [--fields F,...] [-o FILE] [filters] [QUERY]",
		Short: "Write every article a search matches as CSV or JSON Lines",
		Long: `Write every article of a search's match set (what search counts as total), with no
cap, as CSV (a header row; several values in one cell joined by "; ") or JSON Lines,
to stdout or to FILE. Without a query, every article (of the filters). Articles come
by id, or with --sort date / date_asc by published date, then id.
If a ` + "`newsdex serve`" + ` holds the index, the server does the export (GET /v1/export).`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := f.request(cmd, strings.Join(args, " "))
			if err != nil {
				return err
			}
			v := f.values(req)
			format, fields, err := api.ParseExport(v)
			if err != nil {
				return err
			}
			return writeOut(f.out, e.stdout, func(w io.Writer) (uint64, error) {
				return e.runExport(cmd.Context(), dir, req, v, w, format, fields)
			}, e)
		},
	}
	c.Flags().StringVar(&dir, "index", DefaultIndexDir(), "index directory ($NEWSDEX_INDEX)")
	c.Flags().StringVarP(&f.out, "output", "o", "", "write to FILE (replaced only once the export is complete) instead of stdout")
	c.Flags().StringVar(&f.format, "format", "csv", "csv or jsonl")
	c.Flags().StringVar(&f.fields, "fields", "", "comma-separated fields: any of "+strings.Join(api.ExportFields, ",")+" (default all but body)")
	c.Flags().StringVar(&f.op, "op", "", "and (default) or or: how words side by side combine")
	c.Flags().BoolVarP(&e.quiet, "quiet", "q", false, "no summary line on stderr")
	s := &f.search
	s.filterFlags(c.Flags())
	c.Flags().StringVar(&s.from, "from", "", "published on or after YYYY-MM-DD")
	c.Flags().StringVar(&s.to, "to", "", "published on or before YYYY-MM-DD")
	c.Flags().StringVar(&s.sort, "sort", "", "order: by id (default), date (newest first) or date_asc")
	c.Flags().StringVar(&s.mode, "mode", "", "lexical, semantic or hybrid (semantic: the articles above the similarity floor)")
	c.Flags().BoolVar(&s.collapse, "collapse", true, "fold wire copies into their first article")
	return c
}

// writeOut runs export into path (through path.part, renamed once
// complete, so a failed export leaves no file that looks whole) or into
// stdout when path is "", and reports the row count on stderr.
func writeOut(path string, stdout io.Writer, export func(io.Writer) (uint64, error), e *env) error {
	if path == "" {
		n, err := export(stdout)
		if err == nil && !e.quiet {
			fmt.Fprintf(e.stderr, "exported %d articles\n", n)
		}
		return err
	}
	tmp := path + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	n, err := export(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("export: write %s: %w", tmp, cerr)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if !e.quiet {
		fmt.Fprintf(e.stderr, "exported %d articles to %s\n", n, path)
	}
	return nil
}

// runExport exports req from dir, or has the server that holds it do it
// (v is the query string for the server).
func (e *env) runExport(ctx context.Context, dir string, req search.Request, v url.Values, w io.Writer, format string, fields []string) (uint64, error) {
	ix, err := index.OpenExisting(dir)
	if errors.Is(err, index.ErrBusy) {
		rem, rerr := findServer(ctx, dir)
		if rerr != nil {
			return 0, rerr
		}
		if !e.quiet {
			fmt.Fprintf(e.stderr, "handed to the server at %s\n", rem.base)
		}
		return rem.export(ctx, v, w)
	}
	if err != nil {
		return 0, err
	}
	defer ix.Close()
	eng, err := e.newEngine(ix)
	if err != nil {
		return 0, err
	}
	xw := api.NewExportWriter(w, format, fields)
	n, err := eng.Export(ctx, req, search.ExportOptions{
		Begin:      func(uint64) error { return xw.Header() },
		Row:        xw.Write,
		Duplicates: slices.Contains(fields, "duplicates"),
	})
	if err == nil {
		err = xw.Flush()
	}
	if err != nil {
		return n, fmt.Errorf("export from %s after %d articles: %w", dir, n, err)
	}
	return n, nil
}

// export copies GET /v1/export?v to w and returns the rows the server
// sent. A body cut short (the server's signal of a failed export) is an
// error, as is a row count other than X-Total-Count.
func (r *remote) export(ctx context.Context, v url.Values, w io.Writer) (uint64, error) {
	resp, err := r.do(ctx, http.MethodGet, "/v1/export?"+v.Encode(), nil, "")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	total := resp.Header.Get("X-Total-Count")
	nb, err := io.Copy(w, resp.Body)
	if err != nil {
		return 0, fmt.Errorf("export via %s: cut short after %d bytes of %s articles: %w", r.base, nb, total, err)
	}
	rows := resp.Trailer.Get("X-Export-Rows")
	if rows != total {
		return 0, fmt.Errorf("export via %s: the server sent %s of %s articles", r.base, rows, total)
	}
	n, _ := strconv.ParseUint(rows, 10, 64)
	return n, nil
}
