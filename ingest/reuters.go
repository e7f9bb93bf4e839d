package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newsdex/newsdex"
)

// readReuters reads Reuters-21578 SGML: a sequence of <REUTERS NEWID="n">
// records holding <DATE>, category lists (<TOPICS><D>cocoa</D></TOPICS>)
// and <TEXT> with <TITLE>, <DATELINE> and <BODY>. The files are Latin-1
// and not XML (character references such as &#3; and one raw 0xFC byte),
// so records are cut out as bytes and picked apart by tag name.
func readReuters(s *stream, br *bufio.Reader) error {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 64<<10), maxRecord)
	sc.Split(splitReuters)
	n := 0
	for sc.Scan() {
		n++
		a, err := parseReuters(sc.Bytes())
		if err != nil {
			s.skipRecord(n, err)
			continue
		}
		if err := s.send(n, a); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			s.skipRecord(n+1, fmt.Errorf("record longer than %d bytes, rest of file skipped", maxRecord))
			return nil
		}
		return err
	}
	return nil
}

const (
	reutersOpen  = "<REUTERS"
	reutersClose = "</REUTERS>"
)

// splitReuters is a bufio.SplitFunc that returns one <REUTERS>…</REUTERS>
// record at a time, dropping whatever lies between records (the DOCTYPE).
// A record cut short by the next record's start or by the end of input is
// returned as it is, for parseReuters to reject.
func splitReuters(data []byte, atEOF bool) (advance int, token []byte, err error) {
	start := bytes.Index(data, []byte(reutersOpen))
	if start < 0 {
		if atEOF {
			return len(data), nil, nil
		}
		// Keep a tail that may hold the start of "<REUTERS".
		return max(0, len(data)-len(reutersOpen)), nil, nil
	}
	rest := data[start+len(reutersOpen):]
	end := bytes.Index(rest, []byte(reutersClose))
	next := bytes.Index(rest, []byte(reutersOpen))
	switch {
	case next >= 0 && (end < 0 || next < end):
		stop := start + len(reutersOpen) + next
		return stop, data[start:stop], nil
	case end >= 0:
		stop := start + len(reutersOpen) + end + len(reutersClose)
		return stop, data[start:stop], nil
	case atEOF:
		return len(data), data[start:], nil
	}
	return start, nil, nil // need more data
}

// parseReuters converts one record to an Article.
func parseReuters(rec []byte) (newsdex.Article, error) {
	var a newsdex.Article
	s := decodeLatin1(rec)
	if !strings.HasSuffix(s, "</REUTERS>") {
		return a, errors.New("record not closed by </REUTERS>")
	}
	tagEnd := strings.IndexByte(s, '>')
	newID := attr(s[:tagEnd], "NEWID")
	if newID == "" || strings.Trim(newID, "0123456789") != "" {
		return a, fmt.Errorf("missing or bad NEWID %q", newID)
	}
	a.ID = "reuters-" + newID
	a.Outlet = "Reuters"
	a.Language = "en"
	a.Published, _ = reutersDate(unescape(element(s, "DATE")))
	for _, l := range []struct{ tag, key string }{
		{"TOPICS", "topics"}, {"PLACES", "places"}, {"PEOPLE", "people"},
		{"ORGS", "orgs"}, {"EXCHANGES", "exchanges"}, {"COMPANIES", "companies"},
	} {
		if vs := dValues(element(s, l.tag)); len(vs) > 0 {
			if a.Labels == nil {
				a.Labels = make(map[string][]string)
			}
			a.Labels[l.key] = vs
		}
	}
	text, textAttrs := elementAttrs(s, "TEXT")
	if attr(textAttrs, "TYPE") == "UNPROC" {
		// Unprocessed texts (tables, reports) have no markup: the first
		// line serves as title.
		t := strings.TrimSpace(unescape(text))
		t = strings.TrimLeft(t, "\x02 \n")
		a.Title, a.Body, _ = strings.Cut(t, "\n")
		a.Body = reflow(a.Body)
		return a, nil
	}
	a.Title = unescape(element(text, "TITLE"))
	if d := strings.TrimSpace(unescape(element(text, "DATELINE"))); d != "" {
		place, _, _ := strings.Cut(d, ",")
		a.Dateline = titleCase(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(place), "-")))
	}
	// BRIEF texts carry only a title and the filler "Blah blah blah.",
	// which is left out.
	a.Body = reflow(unescape(element(text, "BODY")))
	return a, nil
}

// reutersDate parses a Reuters date such as "26-FEB-1987 15:01:01.79".
// Some carry junk after the hundredths ("…59.13&#5;&#5;RM") or a broken
// clock ("31-MAR-1987 605:12:19.12"); those keep the day.
func reutersDate(d string) (time.Time, bool) {
	f := strings.Fields(d)
	if len(f) == 0 {
		return time.Time{}, false
	}
	if len(f) >= 2 {
		clock, _, _ := strings.Cut(f[1], ".")
		if t, ok := parseDate(f[0] + " " + clock); ok {
			return t, true
		}
	}
	return parseDate(f[0])
}

// decodeLatin1 returns b as a string, decoding it as Latin-1 unless it is
// already valid UTF-8.
func decodeLatin1(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 16)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// unescape decodes character references (&lt; &amp; &#3;); the control
// characters that some of them stand for are dropped later by cleanText.
func unescape(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	return html.UnescapeString(s)
}

// element returns the content of the first <tag>…</tag> in s, or "".
func element(s, tag string) string {
	content, _ := elementAttrs(s, tag)
	return content
}

// elementAttrs returns the content of the first <tag …>…</tag> in s and
// the text of its opening tag. An element that is not closed runs to the
// end of s.
func elementAttrs(s, tag string) (content, open string) {
	i := 0
	for {
		j := strings.Index(s[i:], "<"+tag)
		if j < 0 {
			return "", ""
		}
		i += j
		after := i + 1 + len(tag)
		if after < len(s) && (s[after] == '>' || s[after] == ' ') {
			break
		}
		i = after // a longer tag name with the same prefix
	}
	gt := strings.IndexByte(s[i:], '>')
	if gt < 0 {
		return "", ""
	}
	open = s[i : i+gt]
	s = s[i+gt+1:]
	if k := strings.Index(s, "</"+tag+">"); k >= 0 {
		s = s[:k]
	}
	return s, open
}

// attr returns the value of name="value" in an opening tag, or "".
func attr(tag, name string) string {
	i := strings.Index(tag, " "+name+"=\"")
	if i < 0 {
		return ""
	}
	v := tag[i+len(name)+3:]
	if j := strings.IndexByte(v, '"'); j >= 0 {
		return v[:j]
	}
	return ""
}

// dValues returns the <D> values of a category list.
func dValues(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "<D>")
		if i < 0 {
			return out
		}
		s = s[i+3:]
		j := strings.Index(s, "</D>")
		if j < 0 {
			return out
		}
		if v := strings.TrimSpace(unescape(s[:j])); v != "" {
			out = append(out, v)
		}
		s = s[j+4:]
	}
}

// reflow joins the hard-wrapped lines of a Reuters text into paragraphs
// separated by blank lines. A paragraph starts at an indented line (as
// each paragraph and table row is) or after a blank line. The closing
// "Reuter" signature is dropped.
func reflow(s string) string {
	s = cleanText(s)
	var b strings.Builder
	b.Grow(len(s))
	newPara := true
	for line := range strings.SplitSeq(s, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			newPara = true
			continue
		}
		if b.Len() > 0 {
			if newPara || line[0] == ' ' || line[0] == '\t' {
				b.WriteString("\n\n")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(trimmed)
		newPara = false
	}
	out := b.String()
	for _, sig := range []string{"Reuter", "REUTER"} {
		if strings.HasSuffix(out, sig) {
			cut := strings.TrimSuffix(out, sig)
			if cut == "" || strings.HasSuffix(cut, "\n") || strings.HasSuffix(cut, " ") {
				return strings.TrimSpace(cut)
			}
		}
	}
	return out
}
