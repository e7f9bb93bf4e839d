package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/newsdex/newsdex"
)

// readCSV reads a table with a header row, one article per row. Columns are
// chosen by Options.Map or, for unmapped targets, by common header names
// (title, text/body/content, date, url, id, ...), so that the Wikinews
// corpus (url,date,title,text) reads without a map. The separator is a tab
// for .tsv files, else ',' unless the header has only ';' or tabs.
func readCSV(s *stream, br *bufio.Reader) error {
	cr := csv.NewReader(br)
	cr.Comma = csvComma(s.name, br)
	cr.FieldsPerRecord = -1 // checked below, so a bad row is skipped, not fatal
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	cols := make(map[string]int, len(targets))
	for _, t := range targets {
		i := lookup(header, fieldNames(s.opts.Map, t))
		if _, mapped := s.opts.Map[t]; mapped && i < 0 {
			return fmt.Errorf("csv header %q has no column %q for %s", header, s.opts.Map[t], t)
		}
		cols[t] = i
	}
	if cols["title"] < 0 && cols["body"] < 0 {
		return fmt.Errorf("csv header %q has no title or body column; name them with a map such as title=headline,body=text", header)
	}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			s.skipRecord(perr.StartLine, perr.Err)
			continue
		}
		if err != nil {
			return err
		}
		line, _ := cr.FieldPos(0) // a successful Read has at least one field
		if len(row) != len(header) {
			s.skipRecord(line, fmt.Errorf("row has %d fields, header has %d", len(row), len(header)))
			continue
		}
		if size := rowSize(row); size > maxRecord {
			s.skipRecord(line, fmt.Errorf("row longer than %d bytes", maxRecord))
			continue
		}
		field := func(t string) string {
			if i := cols[t]; i >= 0 {
				return row[i]
			}
			return ""
		}
		a := newsdex.Article{
			ID:       field("id"),
			Title:    field("title"),
			Body:     field("body"),
			Outlet:   field("outlet"),
			URL:      field("url"),
			Language: field("language"),
			Authors:  splitAuthors(field("authors")),
		}
		a.Published, _ = parseDate(field("published"))
		if err := s.send(line, a); err != nil {
			return err
		}
	}
}

// csvComma picks the field separator from the name and the header line.
func csvComma(name string, br *bufio.Reader) rune {
	if strings.EqualFold(path.Ext(strings.TrimSuffix(strings.ToLower(name), ".gz")), ".tsv") {
		return '\t'
	}
	head, _ := br.Peek(maxSniff)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.IndexByte(head, ',') < 0 {
		switch {
		case bytes.IndexByte(head, '\t') >= 0:
			return '\t'
		case bytes.IndexByte(head, ';') >= 0:
			return ';'
		}
	}
	return ','
}

func rowSize(row []string) int {
	n := 0
	for _, f := range row {
		n += len(f)
	}
	return n
}
