package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// cleanText makes s safe to store and index: invalid UTF-8 becomes U+FFFD,
// CRLF and lone CR become LF, control characters other than \n and \t (and
// the byte-order mark) are dropped, and surrounding whitespace is trimmed.
func cleanText(s string) string {
	if isClean(s) {
		return strings.TrimSpace(s)
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	start := 0 // s[start:i] is kept and not yet written
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n' || c == '\t' || (c >= ' ' && c < 0x7f):
			i++
			continue
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsControl(r) && r != '\uFEFF' {
				i += size
				continue
			}
			b.WriteString(s[start:i])
			i += size
		default: // an ASCII control character
			b.WriteString(s[start:i])
			if c == '\r' {
				b.WriteByte('\n')
				if i+1 < len(s) && s[i+1] == '\n' {
					i++
				}
			}
			i++
		}
		start = i
	}
	b.WriteString(s[start:])
	return strings.TrimSpace(b.String())
}

// isClean reports whether s is valid UTF-8 without anything cleanText
// rewrites, the common case, checked without decoding runes.
func isClean(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < ' ' && c != '\n' && c != '\t', c == 0x7f:
			return false
		case c == 0xc2 && i+1 < len(s) && s[i+1] < 0xa0: // C1 controls U+0080–U+009F
			return false
		case c == 0xef && strings.HasPrefix(s[i:], "\uFEFF"):
			return false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s)
}

// cleanLine cleans s like cleanText and collapses every run of whitespace,
// newlines included, to one space: for titles, names and IDs.
func cleanLine(s string) string {
	s = cleanText(s)
	if !strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }) && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// cleanBody cleans s like cleanText, trims trailing whitespace from every
// line and leaves at most one blank line between paragraphs, so that the
// chunker sees paragraphs as exactly "\n\n".
func cleanBody(s string) string {
	s = cleanText(s)
	if !strings.Contains(s, "\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	blank := 0
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		blank = 0
		b.WriteString(line)
	}
	return b.String()
}

// hashID returns a stable ID for an article that has none: a hash of its
// URL, or of title and body when there is no URL.
func hashID(url, title, body string) string {
	key := url
	if key == "" {
		key = title + "\x00" + body
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:8])
}

// dateLayouts are the date forms accepted in sources, tried in order. Zone-
// less forms are read as UTC.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04",
	"2006/01/02",
	"2006/01/02 15:04:05",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	time.RFC850,
	time.RFC822Z,
	time.RFC822,
	time.ANSIC,
	time.UnixDate,
	"2-Jan-2006 15:04:05.00", // Reuters: 26-FEB-1987 15:01:01.79
	"2-Jan-2006 15:04:05",
	"2-Jan-2006",
	"1/2/2006",
	"1/2/06", // AllSides metadata: 7/23/17
	"1/2/2006 15:04:05",
	"January 2, 2006",
	"January 2 2006",
	"Jan 2, 2006",
	"Jan. 2, 2006",
	"2 January 2006",
	"2 Jan 2006",
	"Monday, January 2, 2006",
	"20060102",
}

// parseDate parses s in any of dateLayouts or as Unix seconds or
// milliseconds. It reports false for an empty or unreadable date and for
// dates no news article can have (before 1800 or more than a year ahead,
// as in the AllSides metadata's "0001-11-30").
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return plausible(t)
		}
	}
	if n, ok := parseUnix(s); ok {
		return plausible(n)
	}
	return time.Time{}, false
}

// parseUnix reads s as Unix time in seconds (up to 11 digits) or
// milliseconds (12 or 13 digits).
func parseUnix(s string) (time.Time, bool) {
	if len(s) < 9 || len(s) > 13 {
		return time.Time{}, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	if len(s) >= 12 {
		return time.UnixMilli(n).UTC(), true
	}
	return time.Unix(n, 0).UTC(), true
}

func plausible(t time.Time) (time.Time, bool) {
	if t.Year() < 1800 || t.After(time.Now().AddDate(1, 0, 0)) {
		return time.Time{}, false
	}
	return t, true
}

// splitAuthors splits an author string such as "Leah Barkoukis, Katie
// Pavlich, \"Cortney OBrien\"" or "By Jane Doe and John Roe" into names.
// Suffixes such as "Jr." stay with the name before them.
func splitAuthors(s string) []string {
	s = cleanLine(s)
	if s == "" {
		return nil
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == '\n' })
	var out []string
	for _, f := range fields {
		for _, name := range splitAnd(f) {
			name = strings.Trim(name, " \"'“”‘’")
			name = trimBy(name)
			if name == "" {
				continue
			}
			if isNameSuffix(name) && len(out) > 0 {
				out[len(out)-1] += ", " + name
				continue
			}
			out = append(out, name)
		}
	}
	return dedupe(out)
}

// splitAnd splits "Jane Doe and John Roe" and "Jane Doe & John Roe".
func splitAnd(s string) []string {
	for _, sep := range []string{" and ", " & ", " AND "} {
		if strings.Contains(s, sep) {
			return strings.Split(s, sep)
		}
	}
	return []string{s}
}

func trimBy(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range []string{"By ", "by ", "BY "} {
		if strings.HasPrefix(s, p) {
			return strings.TrimSpace(s[len(p):])
		}
	}
	return s
}

func isNameSuffix(s string) bool {
	switch strings.TrimSuffix(strings.ToLower(s), ".") {
	case "jr", "sr", "ii", "iii", "iv", "phd", "md":
		return true
	}
	return false
}

// dedupe drops repeated names (case-insensitive), keeping the first.
func dedupe(names []string) []string {
	out := names[:0]
	for i, n := range names {
		dup := false
		for _, m := range names[:i] {
			if strings.EqualFold(n, m) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// datelineRE matches a dateline at the start of a body in three common
// forms: "Moscow, May 8:" / "NEW DELHI, Jan 5 (PTI) -", "WASHINGTON
// (Reuters) -" and "NEW YORK —". Group 1 is the place.
var datelineRE = regexp.MustCompile(`^(?:` +
	// Place, Month day[, year]: or -
	`(\p{Lu}[\p{L}.'’-]*(?:[ -](?:\p{Lu}[\p{L}.'’-]*|de|da|del|do|la|le|el|al|of|upon|on|am|sur)){0,4})` +
	`(?:, \p{Lu}[\p{L}.]*)?,? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:, \d{4})?` +
	`(?: \([^)\n]{1,40}\))?\s*[:\-–—]` +
	`|` +
	// PLACE (Agency) - or PLACE, State (Agency) -
	`(\p{Lu}[\p{Lu}.'’-]*(?: \p{Lu}[\p{Lu}.'’-]*){0,4})(?:, \p{Lu}[\p{L}.]*)? \([^)\n]{1,40}\)\s*[-–—]` +
	`|` +
	// PLACE — (upper case only, so that no sentence opening matches)
	`(\p{Lu}[\p{Lu}.'’-]+(?: \p{Lu}[\p{Lu}.'’-]*){0,4})(?:, \p{Lu}[\p{L}.]*)? ?[-–—]{1,2} ` +
	`)`)

// notPlaces are words that open a body like a dateline but name no place:
// "Friday, January 4, 2019" opens Wikinews texts and "FILE - In this
// photo" AP captions.
var notPlaces = []string{
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
	"File", "Photo", "Update", "Updated", "Exclusive", "Breaking", "Watch", "Opinion",
	"Analysis", "Correction", "Editor's Note", "Editors Note", "Video", "Live", "Listen",
}

// findDateline returns the place of the dateline that opens body ("Moscow"
// for "Moscow, May 8: ..."), title-cased when written in capitals, and the
// byte offset where the dateline ends; or "", 0 if body has none.
func findDateline(body string) (place string, end int) {
	m := datelineRE.FindStringSubmatchIndex(body)
	if m == nil {
		return "", 0
	}
	for g := 1; g <= 3; g++ {
		if m[2*g] >= 0 {
			place = body[m[2*g]:m[2*g+1]]
			break
		}
	}
	for _, w := range notPlaces {
		if strings.EqualFold(place, w) {
			return "", 0
		}
	}
	return titleCase(place), m[1]
}

// titleCase turns an all-capitals place name into title case: "NEW YORK"
// → "New York", "WINSTON-SALEM" → "Winston-Salem", "ST. LOUIS" → "St.
// Louis". Names already in mixed case are returned unchanged.
func titleCase(s string) string {
	if strings.ToUpper(s) != s || strings.ToLower(s) == s {
		return s
	}
	rs := []rune(strings.ToLower(s))
	for i, r := range rs {
		if i == 0 || rs[i-1] == ' ' || rs[i-1] == '-' || (rs[i-1] == '\'' && i == 2) {
			rs[i] = unicode.ToUpper(r)
		}
	}
	return string(rs)
}

// leadTitle derives a title from an article lead: the first sentence of
// body after its dateline, cut to at most maxTitle bytes at a word boundary
// and marked with an ellipsis when cut.
func leadTitle(body string) string {
	_, end := findDateline(body)
	lead := strings.TrimSpace(body[end:])
	if i := strings.Index(lead, "\n"); i >= 0 {
		lead = lead[:i]
	}
	lead = firstSentence(lead)
	if len(lead) <= maxTitle {
		return lead
	}
	cut := strings.LastIndexByte(lead[:maxTitle], ' ')
	if cut <= 0 {
		// One giant word: cut at a rune boundary.
		cut = maxTitle
		for cut > 0 && !utf8.RuneStart(lead[cut]) {
			cut--
		}
	}
	return strings.TrimRight(lead[:cut], " ,;:-–—") + "…"
}

// maxTitle is the longest derived title in bytes, before the ellipsis.
const maxTitle = 120

// firstSentence returns the first sentence of s: up to a '.', '!' or '?'
// followed by a space and a capital, a digit or a quote, unless the word
// before the stop is a known abbreviation or an initial. It is a simpler
// cousin of the chunker's splitter, enough for a title.
func firstSentence(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(s) && strings.IndexByte(`"')]`, s[j]) >= 0 {
			j++
		}
		if j+1 >= len(s) || s[j] != ' ' {
			continue
		}
		r, _ := utf8.DecodeRuneInString(s[j+1:])
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) && !strings.ContainsRune(`"“‘'(`, r) {
			continue
		}
		if c == '.' && j == i+1 {
			w := s[:i]
			if k := strings.LastIndexAny(w, " (\"“"); k >= 0 {
				w = w[k+1:]
			}
			if isTitleAbbrev(w) {
				continue
			}
		}
		return s[:j]
	}
	return s
}

// isTitleAbbrev reports whether w (without its period) is an abbreviation
// or an initial that does not end a sentence.
func isTitleAbbrev(w string) bool {
	if n := utf8.RuneCountInString(w); n == 1 || (n <= 4 && strings.Contains(w, ".")) {
		return true // "V." or "U.S."
	}
	switch w {
	case "Mr", "Mrs", "Ms", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Col", "Lt", "Capt",
		"Sgt", "Adm", "Rev", "St", "Jr", "Sr", "Inc", "Corp", "Co", "Ltd", "No", "vs",
		"Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec":
		return true
	}
	return false
}
