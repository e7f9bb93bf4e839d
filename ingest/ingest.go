// Package ingest reads news sources into newsdex.Article values. It is the
// first stage of the pipeline: ingest → extract → chunk → index → search.
//
// Sources are files, directories (walked recursively) and, for feeds and
// web pages, http(s) URLs. The format of each file is detected from its
// name and first bytes, or forced with Options.Format:
//
//   - seed: plain text with a "date YYYY-MM-DD" header, like seeds/*.txt
//   - jsonl: one JSON article per line (or a JSON array), the JSON of
//     newsdex.Article or another schema through Options.Map
//   - reuters: Reuters-21578 SGML (reut2-*.sgm)
//   - csv: a header row and one article per row (.csv, .tsv)
//   - feed: RSS 2.0, Atom or RSS 1.0 feeds
//   - html: saved article pages, reduced to their main text
//
// Any file may be gzip-compressed. Text is repaired on the way in: invalid
// UTF-8 becomes U+FFFD, control characters are dropped and line ends are
// normalised. A record that cannot be read is reported to the skip callback
// as a *RecordError and reading goes on.
package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/newsdex/newsdex"
)

// Format names accepted in Options.Format.
const (
	FormatSeed    = "seed"
	FormatJSONL   = "jsonl"
	FormatReuters = "reuters"
	FormatCSV     = "csv"
	FormatFeed    = "feed"
	FormatHTML    = "html"
)

// formats lists the Format names for error messages.
const formats = "seed, jsonl, reuters, csv, feed or html"

// ErrUnknownFormat is returned (wrapped) for a file whose format cannot be
// detected. Walk and ReadFS report such files to skip and go on.
var ErrUnknownFormat = errors.New("unknown format")

// Options controls how sources are read. The zero value detects formats
// and uses the default field names.
type Options struct {
	// Format forces the reader for every file: one of seed, jsonl,
	// reuters, csv, feed or html. Empty means detect it per file from the
	// name and content.
	Format string
	// Map maps target fields to source field (JSON key) or column (CSV
	// header) names, e.g. {"title": "title", "body": "content_original"}.
	// Targets are id, title, body, outlet, published, url, authors and
	// language. A mapped field is read only from the named source field;
	// unmapped targets are looked up under common names (body: body,
	// text, content, ...), first exactly and then ignoring case. Use
	// ParseMap to build it from a flag value.
	Map map[string]string
	// Set gives a constant value to a field of every article that has
	// none, e.g. {"outlet": "Wikinews"}: the fields are those of SetFields.
	// Use ParseSet to build it from flag values.
	Set map[string]string
	// HTTPClient fetches http(s) sources. Nil means a client with a 10 s
	// timeout (DefaultTimeout).
	HTTPClient *http.Client
}

// targets are the Article fields that Options.Map may name.
var targets = []string{"id", "title", "body", "outlet", "published", "url", "authors", "language"}

// RecordError reports a record, or a whole file, that could not be read.
// Reading goes on after it.
type RecordError struct {
	// Source is the file path, fs path or URL.
	Source string
	// Record is the 1-based line number for jsonl, csv and seed, the
	// record ordinal for reuters, feed items and JSON arrays, or 0 when the
	// error concerns the whole source.
	Record int
	Err    error
}

// Error returns e.g. "ingest allsides.jsonl record 17: invalid character".
func (e *RecordError) Error() string {
	if e.Record == 0 {
		return fmt.Sprintf("ingest %s: %v", e.Source, e.Err)
	}
	return fmt.Sprintf("ingest %s record %d: %v", e.Source, e.Record, e.Err)
}

// Unwrap returns the underlying error.
func (e *RecordError) Unwrap() error { return e.Err }

// ParseMap parses a field map written as "target=source,target=source",
// e.g. "id=ID,title=title,body=content_original". Targets must be among
// id, title, body, outlet, published, url, authors and language, each at
// most once. An empty string gives a nil map.
func ParseMap(s string) (map[string]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	m := make(map[string]string)
	for pair := range strings.SplitSeq(s, ",") {
		target, source, ok := strings.Cut(pair, "=")
		target, source = strings.TrimSpace(target), strings.TrimSpace(source)
		switch {
		case !ok || target == "" || source == "":
			return nil, fmt.Errorf("ingest: bad map pair %q, want target=source", pair)
		case !slices.Contains(targets, target):
			return nil, fmt.Errorf("ingest: bad map pair %q: unknown target %q, want one of %s", pair, target, strings.Join(targets, ", "))
		}
		if _, dup := m[target]; dup {
			return nil, fmt.Errorf("ingest: bad map pair %q: target %q mapped twice", pair, target)
		}
		m[target] = source
	}
	return m, nil
}

// validate checks opts before any reading.
func (o Options) validate() error {
	switch o.Format {
	case "", FormatSeed, FormatJSONL, FormatReuters, FormatCSV, FormatFeed, FormatHTML:
	default:
		return fmt.Errorf("ingest: unknown format %q, want %s", o.Format, formats)
	}
	for f := range o.Set {
		if !slices.Contains(SetFields, f) {
			return fmt.Errorf("ingest: unknown set field %q, want one of %s", f, strings.Join(SetFields, ", "))
		}
	}
	for t := range o.Map {
		if !slices.Contains(targets, t) {
			return fmt.Errorf("ingest: unknown map target %q, want one of %s", t, strings.Join(targets, ", "))
		}
	}
	return nil
}

// Walk reads every source in order and calls emit for each article. A
// source is a file, a directory (walked recursively in lexical order,
// skipping names that start with a dot) or an http(s) URL of a feed or
// page.
//
// Files of unknown format, files that fail to read or decompress, URLs
// that cannot be fetched and single bad records go to skip (which may be
// nil) as *RecordError, and reading goes on. Walk returns an error only for
// bad options, a missing source, an error returned by emit (wrapped) or a
// cancelled ctx.
func Walk(ctx context.Context, sources []string, opts Options, emit func(newsdex.Article) error, skip func(*RecordError)) error {
	if err := opts.validate(); err != nil {
		return err
	}
	w := walker{ctx: ctx, opts: opts, emit: emit, skip: skip}
	for _, src := range sources {
		if err := ctx.Err(); err != nil {
			return err
		}
		if isURL(src) {
			if err := w.url(src); err != nil {
				return err
			}
			continue
		}
		fi, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("ingest %s: %w", src, err)
		}
		if fi.IsDir() {
			dir := src
			err = w.fs(os.DirFS(dir), func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) })
		} else {
			err = w.file(src, func() (io.ReadCloser, error) { return os.Open(src) })
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ReadFS reads every file of fsys like Walk reads a directory; names in
// errors and Article.Source are paths within fsys. It reads the embedded
// seeds: ReadFS(ctx, newsdex.Seeds, Options{}, emit, skip).
func ReadFS(ctx context.Context, fsys fs.FS, opts Options, emit func(newsdex.Article) error, skip func(*RecordError)) error {
	if err := opts.validate(); err != nil {
		return err
	}
	w := walker{ctx: ctx, opts: opts, emit: emit, skip: skip}
	return w.fs(fsys, func(p string) string { return p })
}

// walker carries one Walk or ReadFS call's arguments.
type walker struct {
	ctx  context.Context
	opts Options
	emit func(newsdex.Article) error
	skip func(*RecordError)
}

// fs reads every file in fsys; name turns an fs path into the name shown.
func (w *walker) fs(fsys fs.FS, name func(string) string) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if ctxErr := w.ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == "." {
				return fmt.Errorf("ingest %s: %w", name(p), err)
			}
			w.report(&RecordError{Source: name(p), Err: err})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			// Hidden files and folders (.git, .DS_Store) are never
			// articles.
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// Follow links to files (a corpus linked into a folder); links
			// to folders are not followed, so walks cannot loop.
			if fi, err := fs.Stat(fsys, p); err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		return w.file(name(p), func() (io.ReadCloser, error) { return fsys.Open(p) })
	})
}

// file reads one file, reporting a failure to read it to skip. It returns
// only fatal errors.
func (w *walker) file(name string, open func() (io.ReadCloser, error)) error {
	f, err := open()
	if err != nil {
		w.report(&RecordError{Source: name, Err: err})
		return nil
	}
	defer f.Close()
	return w.read(f, name)
}

// read reads one stream, reporting a failure to read it to skip. It
// returns only fatal errors.
func (w *walker) read(r io.Reader, name string) error {
	return w.readFrom(r, name, origin{})
}

// readFrom is read for a stream from o.
func (w *walker) readFrom(r io.Reader, name string, o origin) error {
	err := read(w.ctx, r, name, w.opts, w.emit, w.skip, o)
	var re *RecordError
	if errors.As(err, &re) {
		w.report(re)
		return nil
	}
	return err
}

func (w *walker) report(e *RecordError) {
	if w.skip != nil {
		w.skip(e)
	}
}

// maxSniff is how many leading bytes format detection looks at.
const maxSniff = 1024

// Read reads the articles of one stream. name is used to detect the format
// (with the content) and in errors and Article.Source; a gzip stream is
// decompressed whatever its name. Bad records go to skip (which may be
// nil) and reading goes on. Read returns a *RecordError with Record 0 when
// the stream cannot be read on (unknown format, wrapping ErrUnknownFormat;
// an I/O or decompression error; a CSV header that names no title or body
// column), and a wrapped error when emit fails or ctx is cancelled.
func Read(ctx context.Context, r io.Reader, name string, opts Options, emit func(newsdex.Article) error, skip func(*RecordError)) error {
	if err := opts.validate(); err != nil {
		return err
	}
	return read(ctx, r, name, opts, emit, skip, origin{})
}

// origin describes where a fetched stream came from.
type origin struct {
	url         string // final URL after redirects, the base for relative links
	contentType string // the Content-Type header
}

// read is Read for a validated opts and a stream from o.
func read(ctx context.Context, r io.Reader, name string, opts Options, emit func(newsdex.Article) error, skip func(*RecordError), o origin) error {
	if emit == nil {
		emit = func(newsdex.Article) error { return nil }
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return &RecordError{Source: name, Err: err}
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	head, err := br.Peek(maxSniff)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return &RecordError{Source: name, Err: err}
	}
	format := opts.Format
	if format == "" {
		format = detectType(o.contentType)
	}
	if format == "" {
		format = detect(name, head)
	}
	s := &stream{ctx: ctx, name: name, opts: opts, emit: emit, skip: skip}
	switch format {
	case FormatSeed:
		err = readSeed(s, br)
	case FormatJSONL:
		err = readJSONL(s, br)
	case FormatReuters:
		err = readReuters(s, br)
	case FormatCSV:
		err = readCSV(s, br)
	case FormatFeed:
		err = readFeed(s, br)
	case FormatHTML:
		err = readHTML(s, br, o)
	default:
		err = fmt.Errorf("%w, want %s (set the format to force one)", ErrUnknownFormat, formats)
	}
	switch {
	case s.emitErr != nil:
		return fmt.Errorf("ingest %s: %w", name, s.emitErr)
	case ctx.Err() != nil:
		return fmt.Errorf("ingest %s: %w", name, ctx.Err())
	case err != nil:
		return &RecordError{Source: name, Err: err}
	}
	return nil
}

// detect returns the format of a file from its name and first bytes, or
// "" if unknown. Extensions decide where they are unambiguous; text and
// extension-less files are recognised by content.
func detect(name string, head []byte) string {
	base := strings.ToLower(path.Base(filepath.ToSlash(name)))
	base = strings.TrimSuffix(base, ".gz")
	ext := path.Ext(base)
	sniffed := sniff(head)
	switch ext {
	case ".jsonl", ".ndjson", ".jsonlines", ".json":
		return FormatJSONL
	case ".sgm", ".sgml":
		return FormatReuters
	case ".csv", ".tsv":
		return FormatCSV
	case ".rss", ".atom":
		return FormatFeed
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".xml":
		if sniffed == FormatFeed || sniffed == FormatReuters {
			return sniffed
		}
		return ""
	}
	return sniffed
}

// sniff recognises a format from the first bytes of a file.
func sniff(head []byte) string {
	h := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	lower := bytes.ToLower(h)
	switch {
	case seedHeader.Match(h):
		return FormatSeed
	case len(h) > 0 && (h[0] == '{' || h[0] == '['):
		return FormatJSONL
	case bytes.HasPrefix(h, []byte("<!DOCTYPE lewis")) || bytes.HasPrefix(h, []byte("<REUTERS")):
		return FormatReuters
	case bytes.Contains(lower, []byte("<rss")) || bytes.Contains(lower, []byte("<feed")) || bytes.Contains(lower, []byte("<rdf:rdf")):
		return FormatFeed
	case bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		bytes.Contains(lower, []byte("<head")) || bytes.Contains(lower, []byte("<body")):
		return FormatHTML
	}
	return ""
}

// errEmit marks an error returned by the emit callback so that readers
// stop and Read returns it as it is.
var errEmit = errors.New("ingest: emit failed")

// stream carries one Read call's arguments to the format readers.
type stream struct {
	ctx     context.Context
	name    string
	opts    Options
	emit    func(newsdex.Article) error
	skip    func(*RecordError)
	emitErr error
}

// skipRecord reports a bad record.
func (s *stream) skipRecord(rec int, err error) {
	if s.skip != nil {
		s.skip(&RecordError{Source: s.name, Record: rec, Err: err})
	}
}

// send normalises a (Normalize), names its Source and emits it, or
// reports it as record rec when Normalize refuses it. Fields Normalize
// drops (an implausible date) are left out silently: a file's article is
// still worth indexing without them. It returns ctx's error or errEmit,
// which must stop the reader.
func (s *stream) send(rec int, a newsdex.Article) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	applySet(&a, s.opts.Set)
	if _, err := Normalize(&a); err != nil {
		s.skipRecord(rec, err)
		return nil
	}
	a.Source = s.name
	if err := s.emit(a); err != nil {
		s.emitErr = err
		return errEmit
	}
	return nil
}

// isURL reports whether src names an http(s) resource.
func isURL(src string) bool {
	l := strings.ToLower(src)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}
