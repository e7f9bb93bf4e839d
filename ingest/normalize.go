package ingest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newsdex/newsdex"
)

// MaxIDBytes is the longest article id Normalize accepts. Ids travel in URL
// paths (GET /v1/articles/{id}), so they are bounded like any path.
const MaxIDBytes = 512

// ErrNoText is returned by Normalize for an article with neither title nor
// body. Its text has no package prefix because it is reported inside a
// *RecordError or an API message that already names the article.
var ErrNoText = errors.New("no title and no body")

// FieldError is a field value that Normalize cannot keep.
type FieldError struct {
	// Field is the field's JSON name: "id" or "published".
	Field string
	// Value is the value as given (dates as YYYY-MM-DD when they are at
	// midnight UTC, else RFC 3339).
	Value string
	// Msg says what is wrong and what is accepted.
	Msg string
}

// Error returns e.g. `published "2300-01-01": ...`.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Field, quote(e.Value), e.Msg)
}

// quote quotes s for an error message, cut to 100 bytes.
func quote(s string) string {
	if len(s) > 100 {
		s = string([]rune(s[:100])) + "…"
	}
	return strconv.Quote(s)
}

// Normalize cleans a in place by the rules every way into the index
// shares: the readers of this package (through Read, Walk and ReadFS) and
// POST /v1/articles (package api). Text fields lose control characters
// and surrounding space, one-line fields (title, id, url, names, labels)
// have their whitespace collapsed, the body keeps paragraphs as "\n\n";
// the outlet becomes its canonical name (CanonicalOutlet), with the
// section and the raw publisher value kept in Labels;
// empty authors and labels are removed; the dateline is found in the body
// when a has none; the published date becomes UTC; an empty id becomes a
// hash of the URL, or of title and body.
//
// An article that cannot be indexed is refused with err: ErrNoText, or a
// *FieldError for an id CheckID refuses. Otherwise err is nil and dropped
// lists the fields Normalize has cleared because no news article can have
// their value: a published date before 1800 or more than a year ahead
// (parseDate's rule). Readers of files keep such an article without the
// field; the API refuses it.
func Normalize(a *newsdex.Article) (dropped []*FieldError, err error) {
	a.Title = cleanLine(a.Title)
	a.Body = cleanBody(a.Body)
	if a.Title == "" && a.Body == "" {
		return nil, ErrNoText
	}
	for _, s := range []*string{&a.ID, &a.URL, &a.Outlet, &a.Language, &a.Dateline, &a.Source} {
		*s = cleanLine(*s)
	}
	// One name per outlet: "New York Times - News" and "NYTimes" are
	// "The New York Times" for the outlets facet and the outlet= filter.
	canonicalizeOutlet(a)
	if a.Dateline == "" {
		a.Dateline, _ = findDateline(a.Body)
	}
	a.Authors = cleanList(a.Authors)
	if len(a.Labels) > 0 {
		labels := make(map[string][]string, len(a.Labels))
		for k, vs := range a.Labels {
			if k, vs = cleanLine(k), cleanList(vs); k != "" && len(vs) > 0 {
				labels[k] = append(labels[k], vs...)
			}
		}
		a.Labels = labels
	}
	if len(a.Labels) == 0 {
		a.Labels = nil
	}
	for _, es := range [][]newsdex.Entity{a.People, a.Cited, a.Places, a.Leaders} {
		for i := range es {
			es[i].Name = cleanLine(es[i].Name)
			es[i].Office = cleanLine(es[i].Office)
		}
	}
	for i := range a.Roles {
		a.Roles[i] = cleanLine(a.Roles[i])
	}
	if !a.Published.IsZero() {
		// UTC, so that equal instants compare and sort alike downstream.
		t, ok := plausible(a.Published.UTC())
		if !ok {
			dropped = append(dropped, &FieldError{Field: "published", Value: dateString(a.Published),
				Msg: fmt.Sprintf("no news article has this date; want one from %s to a year ahead (%s)",
					minYear, time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly))})
		}
		a.Published = t
	}
	if a.ID == "" {
		a.ID = hashID(a.URL, a.Title, a.Body)
	}
	if err := CheckID(a.ID); err != nil {
		return dropped, err
	}
	return dropped, nil
}

// minYear is the first day plausible accepts, for messages.
const minYear = "1800-01-01"

// dateString formats t as its input most likely was.
func dateString(t time.Time) string {
	if u := t.UTC(); u.Equal(u.Truncate(24 * time.Hour)) {
		return u.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// cleanList cleans each of ss like a line and drops the empty ones; it
// returns nil rather than an empty list.
func cleanList(ss []string) []string {
	for i := range ss {
		ss[i] = cleanLine(ss[i])
	}
	ss = slices.DeleteFunc(ss, func(s string) bool { return s == "" })
	if len(ss) == 0 {
		return nil
	}
	return ss
}

// CheckID returns a *FieldError for an id that cannot be stored and read
// back: empty, longer than MaxIDBytes, invalid UTF-8, holding a control
// character, or "." or ".." (which URLs resolve away even when escaped).
// Any other id, slashes included, round-trips through the API's paths
// when escaped as a path segment.
func CheckID(id string) error {
	bad := func(msg string) error { return &FieldError{Field: "id", Value: id, Msg: msg} }
	switch {
	case id == "":
		return bad("is empty")
	case len(id) > MaxIDBytes:
		return bad(fmt.Sprintf("is %d bytes, the limit is %d", len(id), MaxIDBytes))
	case !utf8.ValidString(id):
		return bad("is not valid UTF-8")
	case id == "." || id == "..":
		return bad(`is "." or "..", which cannot be part of a URL path`)
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return bad("contains a control character")
		}
	}
	return nil
}
