package ingest

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// DefaultTimeout bounds a whole fetch of one URL (connect, headers and
// body) when Options.HTTPClient is nil.
const DefaultTimeout = 10 * time.Second

// maxFetch bounds the size of a fetched document.
const maxFetch = 64 << 20

// errTooLarge reports a response bigger than maxFetch.
var errTooLarge = fmt.Errorf("response larger than %d bytes", maxFetch)

// url fetches an http(s) source and reads it as a feed, page or other
// format, chosen by Options.Format, the Content-Type and then the content.
// A failed fetch goes to skip like an unreadable file: one dead feed must
// not stop a crawl of many.
func (w *walker) url(u string) error {
	client := w.opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	req, err := http.NewRequestWithContext(w.ctx, http.MethodGet, u, nil)
	if err != nil {
		w.report(&RecordError{Source: u, Err: fmt.Errorf("fetch: %w", err)})
		return nil
	}
	req.Header.Set("User-Agent", "newsdex/1 (+https://github.com/newsdex/newsdex)")
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
	resp, err := client.Do(req)
	if err != nil {
		if w.ctx.Err() != nil {
			return fmt.Errorf("ingest %s: %w", u, w.ctx.Err())
		}
		w.report(&RecordError{Source: u, Err: fetchError(err)})
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		w.report(&RecordError{Source: u, Err: fmt.Errorf("fetch: HTTP %s", resp.Status)})
		return nil
	}
	body := &limitedReader{r: resp.Body, n: maxFetch}
	o := origin{url: resp.Request.URL.String(), contentType: resp.Header.Get("Content-Type")}
	return w.readFrom(body, u, o)
}

// limitedReader is io.LimitedReader that fails, rather than ending
// quietly, when the limit is passed: a cut document would parse as a
// different one.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// Probe for one more byte to tell "exactly at the limit" apart.
		var b [1]byte
		if n, _ := l.r.Read(b[:]); n > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// detectType returns the format a Content-Type announces, or "" when it
// says nothing useful (text/plain, application/octet-stream, or none).
func detectType(contentType string) string {
	if contentType == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	switch {
	case mt == "application/rss+xml", mt == "application/atom+xml", mt == "application/rdf+xml",
		mt == "application/xml" || mt == "text/xml":
		// Generic XML is nearly always a feed when fetched as a source.
		return FormatFeed
	case mt == "text/html", mt == "application/xhtml+xml":
		return FormatHTML
	case mt == "application/x-ndjson", mt == "application/jsonl", mt == "application/json":
		return FormatJSONL
	case mt == "text/csv", mt == "text/tab-separated-values":
		return FormatCSV
	}
	return ""
}

// fetchError words a failed request for the skip report, saying so
// plainly when it timed out.
func fetchError(err error) error {
	var t interface{ Timeout() bool }
	if errors.As(err, &t) && t.Timeout() {
		return fmt.Errorf("fetch: timed out: %w", err)
	}
	return fmt.Errorf("fetch: %w", err)
}
