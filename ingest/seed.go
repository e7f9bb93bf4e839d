package ingest

import (
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/newsdex/newsdex"
)

// seedHeader matches the "date YYYY-MM-DD" that opens a seed file. In the
// project's seed the body goes on on the same line.
var seedHeader = regexp.MustCompile(`^\s*(?i:date)[ \t]+(\d{4}-\d{2}-\d{2})\b`)

// maxFile bounds what the whole-file readers (seed, html) load.
const maxFile = 64 << 20

// readSeed reads one article in the seed format: a "date YYYY-MM-DD"
// header, then the body, which opens with a dateline ("Moscow, May 8:
// ..."). The ID is the file name without extensions; the title is derived
// from the lead sentence, since the format has none.
func readSeed(s *stream, r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return err
	}
	if len(b) > maxFile {
		return fmt.Errorf("seed file larger than %d bytes", maxFile)
	}
	text := cleanText(string(b))
	a := newsdex.Article{ID: fileID(s.name), Language: "en"}
	if m := seedHeader.FindStringSubmatchIndex(text); m != nil {
		date := text[m[2]:m[3]]
		t, ok := parseDate(date)
		if !ok {
			s.skipRecord(1, fmt.Errorf("bad date %q", date))
			return nil
		}
		a.Published = t
		text = text[m[1]:]
	}
	a.Body = cleanBody(text)
	if a.Body == "" {
		s.skipRecord(1, errors.New("empty body"))
		return nil
	}
	a.Dateline, _ = findDateline(a.Body)
	a.Title = leadTitle(a.Body)
	return s.send(1, a)
}

// fileID returns a file's name without directory and extensions:
// "seeds/000_5285904866886d73.txt" → "000_5285904866886d73".
func fileID(name string) string {
	base := path.Base(filepath.ToSlash(name))
	base = strings.TrimSuffix(base, ".gz")
	return strings.TrimSuffix(base, path.Ext(base))
}
