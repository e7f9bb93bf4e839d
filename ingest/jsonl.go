package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/newsdex/newsdex"
)

// maxRecord bounds one JSON line or CSV row; longer records are skipped.
const maxRecord = 32 << 20

// readJSONL reads JSON Lines: one article object per line, blank lines
// ignored. A file that opens with '[' is read as a JSON array of articles,
// and one whose first line is a lone '{' as a stream of pretty-printed
// objects; records are then numbered by ordinal.
func readJSONL(s *stream, br *bufio.Reader) error {
	head, _ := br.Peek(maxSniff)
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(head) > 0 && head[0] == '[' {
		return readJSONValues(s, br, true)
	}
	var buf []byte
	for n := 1; ; n++ {
		line, tooLong, err := readLine(br, buf[:0])
		buf = line
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		line = bytes.TrimSpace(bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")))
		switch {
		case tooLong:
			s.skipRecord(n, fmt.Errorf("line longer than %d bytes", maxRecord))
		case len(line) == 0:
		case n == 1 && string(line) == "{":
			// Pretty-printed JSON: hand the first line back to a decoder.
			return readJSONValues(s, bufio.NewReader(io.MultiReader(bytes.NewReader(append(line, '\n')), br)), false)
		default:
			var rec jsonRecord
			if jerr := decodeObject(line, &rec); jerr != nil {
				s.skipRecord(n, jerr)
			} else if a, aerr := rec.article(s.opts.Map); aerr != nil {
				s.skipRecord(n, aerr)
			} else if serr := s.send(n, a); serr != nil {
				return serr
			}
		}
		if err != nil { // io.EOF
			return nil
		}
	}
}

// readLine appends the next line of br to buf, without the newline. A line
// longer than maxRecord is consumed but not kept, and tooLong is set. err is
// io.EOF at the end of the input.
func readLine(br *bufio.Reader, buf []byte) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > maxRecord {
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil && len(buf) > 0 {
			buf = buf[:len(buf)-1]
		}
		return buf, tooLong, err
	}
}

// readJSONValues reads a JSON array of objects (array true) or a stream of
// concatenated objects. A syntax error ends the file, since a JSON stream
// cannot be resynchronised.
func readJSONValues(s *stream, r io.Reader, array bool) error {
	dec := json.NewDecoder(r)
	if array {
		if _, err := dec.Token(); err != nil {
			s.skipRecord(0, err)
			return nil
		}
	}
	for n := 1; array && dec.More() || !array; n++ {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if !array && errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			s.skipRecord(n, fmt.Errorf("bad JSON, rest of file skipped: %w", err))
			return nil
		}
		var rec jsonRecord
		if err := decodeObject(raw, &rec); err != nil {
			s.skipRecord(n, err)
			continue
		}
		a, err := rec.article(s.opts.Map)
		if err != nil {
			s.skipRecord(n, err)
			continue
		}
		if err := s.send(n, a); err != nil {
			return err
		}
	}
	return nil
}

// decodeObject decodes one JSON object into rec, with an error that says
// what was wrong in terms of the input.
func decodeObject(b []byte, rec *jsonRecord) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '{' {
		if !json.Valid(b) {
			return errors.New("not JSON")
		}
		return fmt.Errorf("want a JSON object, got %s", jsonKind(b[0]))
	}
	if err := json.Unmarshal(b, rec); err != nil {
		return fmt.Errorf("bad JSON: %w", err)
	}
	return nil
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// jsonRecord is one JSON article with its fields undecoded.
type jsonRecord map[string]json.RawMessage

// get returns the value of the first of names present, exactly and then
// ignoring case, and its key.
func (r jsonRecord) get(names []string) (json.RawMessage, string) {
	for _, n := range names {
		if v, ok := r[n]; ok {
			return v, n
		}
	}
	for _, n := range names {
		for k, v := range r {
			if strings.EqualFold(k, n) {
				return v, k
			}
		}
	}
	return nil, ""
}

// article converts r to an Article under the field map m.
func (r jsonRecord) article(m map[string]string) (newsdex.Article, error) {
	var a newsdex.Article
	var err error
	str := func(target string) string {
		v, key := r.get(fieldNames(m, target))
		if err != nil || v == nil {
			return ""
		}
		var s string
		s, err = jsonString(v)
		if err != nil {
			err = fmt.Errorf("field %q: %w", key, err)
		}
		return s
	}
	a.ID = str("id")
	a.Title = str("title")
	a.Body = str("body")
	a.Outlet = str("outlet")
	a.URL = str("url")
	a.Language = str("language")
	if err != nil {
		return a, err
	}
	if v, _ := r.get(fieldNames(m, "published")); v != nil {
		a.Published = jsonDate(v)
	}
	if v, key := r.get(fieldNames(m, "authors")); v != nil {
		if a.Authors, err = jsonAuthors(v); err != nil {
			return a, fmt.Errorf("field %q: %w", key, err)
		}
	}
	// The native Article JSON also carries these; other schemas rarely do.
	if v, ok := r["dateline"]; ok {
		a.Dateline, _ = jsonString(v)
	}
	if v, ok := r["labels"]; ok {
		_ = json.Unmarshal(v, &a.Labels) // labels are optional annotations
	}
	return a, nil
}

// jsonString returns a JSON string, number or boolean as text, "" for
// null, and an array of strings joined by blank lines. Objects are an error.
func jsonString(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "", nil
	}
	switch v[0] {
	case '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	case 'n':
		return "", nil
	case '[':
		var ss []string
		if err := json.Unmarshal(v, &ss); err != nil {
			return "", fmt.Errorf("want a string or an array of strings: %w", err)
		}
		return strings.Join(ss, "\n\n"), nil
	case '{':
		return "", errors.New("want a string, got an object")
	}
	return string(v), nil // number or boolean
}

// jsonDate reads a date string in any accepted layout or a Unix time
// number; it returns the zero time for anything else, since a bad date
// should not cost the article.
func jsonDate(v json.RawMessage) time.Time {
	s, err := jsonString(v)
	if err != nil {
		return time.Time{}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && len(v) > 0 && v[0] != '"' {
		s = strconv.FormatInt(int64(f), 10)
	}
	t, _ := parseDate(s)
	return t
}

// jsonAuthors reads authors as a string ("A, B and C"), an array of
// strings or an array of objects with a "name".
func jsonAuthors(v json.RawMessage) ([]string, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || v[0] != '[' {
		s, err := jsonString(v)
		return splitAuthors(s), err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		var s string
		if bytes.HasPrefix(bytes.TrimSpace(it), []byte("{")) {
			var o struct{ Name string }
			if err := json.Unmarshal(it, &o); err != nil {
				return nil, err
			}
			s = o.Name
		} else if s2, err := jsonString(it); err == nil {
			s = s2
		} else {
			return nil, err
		}
		// An array already separates the names, so a comma inside one
		// ("Smith, Jr.") is part of it.
		if name := trimBy(strings.Trim(cleanLine(s), ` "'“”‘’`)); name != "" {
			out = append(out, name)
		}
	}
	return dedupe(out), nil
}
