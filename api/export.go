package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/search"
)

// GET /v1/export streams every article of a search's match set as CSV or
// JSON Lines: the parameters of /v1/search (paging, snippets, facets,
// explain and count are accepted and ignored), plus format (csv, the
// default, or jsonl) and fields (a comma-separated subset of ExportFields
// in any order; the default is every field but body). The order is the
// engine's (search/export.go): by id, or with sort=date or date_asc by
// published date then id.
//
// The answer starts once the match set is counted: errors until then are
// the API's JSON errors. X-Total-Count gives the size of the set; the CSV
// has a header row and then exactly that many records, the JSONL that
// many lines. If the export fails half way, the server cuts the
// connection without ending the chunked body, so every HTTP client sees
// a truncated transfer (curl exits 18, Go reads io.ErrUnexpectedEOF,
// Python raises IncompleteRead); a client that reads the body to the end
// without such an error has every row, and may also compare its count
// with X-Total-Count or with the X-Export-Rows trailer.

// Export formats.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
)

// ExportFields lists the fields an export may hold, in their default
// column order.
var ExportFields = []string{"id", "title", "url", "published", "outlet", "authors", "people", "leaders", "cited", "places", "duplicates", "body"}

// ExportListSep joins the values of a multi-valued field (authors, people,
// leaders, cited, places) in one CSV cell. A value that itself holds it
// cannot be told apart there; JSONL gives arrays.
const ExportListSep = "; "

// exportWriteWindow is how long the server may take to send one batch of
// an export: the server's WriteTimeout bounds a whole response, so an
// export pushes the deadline on as it goes.
const exportWriteWindow = time.Minute

// exporter is the optional part of a searcher that serves GET /v1/export.
type exporter interface {
	Export(ctx context.Context, r search.Request, opts search.ExportOptions) (uint64, error)
}

var _ exporter = (*search.Engine)(nil)

// exportParams lists every parameter /v1/export accepts.
var exportParams = append(slices.Clone(search.Params), "format", "fields")

// ParseExport reads format and fields from v (the other parameters are the
// search's): format "" is csv, fields "" every field but body. Bad values
// come back as *search.ParamError.
func ParseExport(v url.Values) (format string, fields []string, err error) {
	format = v.Get("format")
	switch format {
	case "":
		format = FormatCSV
	case FormatCSV, FormatJSONL:
	default:
		return "", nil, &search.ParamError{Param: "format", Pos: -1, Msg: "unknown format " + quoteParam(format) + ", want csv or jsonl"}
	}
	s, given := v["fields"]
	if !given {
		return format, ExportFields[:len(ExportFields)-1], nil
	}
	for _, f := range strings.Split(s[0], ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case !slices.Contains(ExportFields, f):
			return "", nil, &search.ParamError{Param: "fields", Pos: -1, Msg: "unknown field " + quoteParam(f) + ", want any of " + strings.Join(ExportFields, ",")}
		case slices.Contains(fields, f):
			return "", nil, &search.ParamError{Param: "fields", Pos: -1, Msg: "field " + quoteParam(f) + " given twice"}
		}
		fields = append(fields, f)
	}
	if len(fields) == 0 {
		return "", nil, &search.ParamError{Param: "fields", Pos: -1, Msg: "no field, want any of " + strings.Join(ExportFields, ",")}
	}
	return format, fields, nil
}

// ExportWriter writes export rows as CSV or JSON Lines. It buffers; call
// Flush at the end.
type ExportWriter struct {
	fields []string
	csv    *csv.Writer   // format csv
	buf    *bufio.Writer // format jsonl
	rec    []string
	line   []byte
}

// NewExportWriter returns a writer of format (FormatCSV or FormatJSONL)
// with the given fields, from ExportFields.
func NewExportWriter(w io.Writer, format string, fields []string) *ExportWriter {
	x := &ExportWriter{fields: fields}
	if format == FormatJSONL {
		x.buf = bufio.NewWriterSize(w, 64<<10)
	} else {
		x.csv = csv.NewWriter(w)
		x.rec = make([]string, len(fields))
	}
	return x
}

// Header writes the CSV header row (the field names); JSONL has none.
func (x *ExportWriter) Header() error {
	if x.csv == nil {
		return nil
	}
	return x.csv.Write(x.fields)
}

// Write writes one row.
func (x *ExportWriter) Write(row *search.ExportRow) error {
	a := &row.Article
	if x.csv != nil {
		for i, f := range x.fields {
			x.rec[i] = cell(f, a, row.Duplicates)
		}
		return x.csv.Write(x.rec)
	}
	b := append(x.line[:0], '{')
	for i, f := range x.fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, f)
		b = append(b, ':')
		var v any
		switch f {
		case "duplicates":
			b = strconv.AppendInt(b, int64(row.Duplicates), 10)
			continue
		case "authors":
			v = nonNil(a.Authors)
		case "people":
			v = nonNil(newsdex.Names(a.People))
		case "leaders":
			v = nonNil(newsdex.Names(a.Leaders))
		case "cited":
			v = nonNil(newsdex.Names(a.Cited))
		case "places":
			v = nonNil(newsdex.Names(a.Places))
		default:
			v = cell(f, a, 0)
		}
		js, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("export: encode %s of %q: %w", f, a.ID, err)
		}
		b = append(b, js...)
	}
	b = append(b, '}', '\n')
	x.line = b
	_, err := x.buf.Write(b)
	return err
}

// Flush writes out what is buffered.
func (x *ExportWriter) Flush() error {
	if x.csv != nil {
		x.csv.Flush()
		return x.csv.Error()
	}
	return x.buf.Flush()
}

// cell is field f of a as one text value (multi-valued fields joined by
// ExportListSep).
func cell(f string, a *newsdex.Article, duplicates int) string {
	switch f {
	case "id":
		return a.ID
	case "title":
		return a.Title
	case "url":
		return a.URL
	case "published":
		if a.Published.IsZero() {
			return ""
		}
		return a.Published.UTC().Format(time.DateOnly)
	case "outlet":
		return a.Outlet
	case "authors":
		return strings.Join(a.Authors, ExportListSep)
	case "people":
		return strings.Join(newsdex.Names(a.People), ExportListSep)
	case "leaders":
		return strings.Join(newsdex.Names(a.Leaders), ExportListSep)
	case "cited":
		return strings.Join(newsdex.Names(a.Cited), ExportListSep)
	case "places":
		return strings.Join(newsdex.Names(a.Places), ExportListSep)
	case "duplicates":
		return strconv.Itoa(duplicates)
	case "body":
		return a.Body
	}
	return ""
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ExportContentType is the media type of an export of format.
func ExportContentType(format string) string {
	if format == FormatJSONL {
		return "application/x-ndjson"
	}
	return "text/csv; charset=utf-8"
}

func (s *Server) handleExport(c *gin.Context) {
	v, err := query(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	req, err := parseRequest(v, exportParams)
	if err != nil {
		s.fail(c, err)
		return
	}
	format, fields, err := ParseExport(v)
	if err != nil {
		s.fail(c, err)
		return
	}
	ex, ok := s.search.(exporter)
	if !ok {
		s.fail(c, refuse(errUnavailable, "this server cannot export"))
		return
	}
	rc := http.NewResponseController(c.Writer)
	var xw *ExportWriter
	rows := 0
	n, err := ex.Export(c.Request.Context(), req, search.ExportOptions{
		Begin: func(total uint64) error {
			h := c.Writer.Header()
			h.Set("Content-Type", ExportContentType(format))
			h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="newsdex-export-%s.%s"`, time.Now().UTC().Format("20060102-150405"), format))
			h.Set("X-Total-Count", strconv.FormatUint(total, 10))
			h.Set("Cache-Control", "no-store")
			h.Set("Trailer", "X-Export-Rows")
			c.Status(http.StatusOK)
			// Servers without the controller (tests) have no deadline.
			_ = rc.SetWriteDeadline(time.Now().Add(exportWriteWindow))
			xw = NewExportWriter(c.Writer, format, fields)
			return xw.Header()
		},
		Row: func(row *search.ExportRow) error {
			if rows++; rows%search.ExportBatch == 0 {
				_ = rc.SetWriteDeadline(time.Now().Add(exportWriteWindow))
			}
			return xw.Write(row)
		},
		Duplicates: slices.Contains(fields, "duplicates"),
	})
	if err == nil {
		err = xw.Flush()
	}
	if err != nil {
		if xw == nil {
			s.fail(c, err) // nothing sent yet
			return
		}
		// Cut the connection so the body ends without its last chunk:
		// the client sees a truncated transfer, not a short but complete
		// file.
		if c.Request.Context().Err() == nil {
			s.log.Error("export cut short", "rows", n, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	c.Writer.Header().Set("X-Export-Rows", strconv.FormatUint(n, 10))
	c.Set(resultsKey, int(n))
}
