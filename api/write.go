package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/search"
)

// Limits of POST /v1/articles.
const (
	// MaxBodyBytes bounds one request body.
	MaxBodyBytes = 32 << 20
	// MaxArticleBytes bounds the JSON of one article.
	MaxArticleBytes = 2 << 20
	// MaxArticlesPerRequest bounds the articles of one POST.
	MaxArticlesPerRequest = 1000
	// MaxJSONDepth bounds nesting; an article needs 4 levels inside an
	// array, and deep nesting only serves to exhaust the decoder.
	MaxJSONDepth = 8
)

// PutResponse is the JSON of POST /v1/articles.
type PutResponse struct {
	Indexed int      `json:"indexed"`
	IDs     []string `json:"ids"`
}

// DeleteResponse is the JSON of DELETE /v1/articles/{id}.
type DeleteResponse struct {
	Deleted int `json:"deleted"`
}

// requireWriter answers 503 before anything else when the server has no
// Writer: no key or body can make a read-only server write.
func (s *Server) requireWriter(c *gin.Context) {
	if s.opts.Writer == nil {
		s.fail(c, errReadOnly)
	}
}

func (s *Server) handlePut(c *gin.Context) {
	body, err := readJSONBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	arts, err := DecodeArticles(body)
	if err != nil {
		s.fail(c, err)
		return
	}
	n, err := s.opts.Writer.Put(c.Request.Context(), arts)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.indexed.Add(float64(n))
	ids := make([]string, len(arts))
	for i := range arts {
		ids[i] = arts[i].ID
	}
	c.Set(resultsKey, n)
	c.JSON(http.StatusOK, PutResponse{Indexed: n, IDs: ids})
}

func (s *Server) handleDelete(c *gin.Context) {
	id := c.Param("id")
	if err := checkID(id); err != nil {
		s.fail(c, err)
		return
	}
	n, err := s.opts.Writer.Delete(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.deleted.Add(float64(n))
	if n == 0 {
		s.fail(c, fmt.Errorf("delete %s: %w", quoteParam(c.Param("id")), search.ErrNotFound))
		return
	}
	c.Set(resultsKey, n)
	c.JSON(http.StatusOK, DeleteResponse{Deleted: n})
}

// readJSONBody checks the content type and reads at most MaxBodyBytes.
func readJSONBody(c *gin.Context) ([]byte, error) {
	ct := c.GetHeader("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return nil, &inputError{http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Content-Type must be application/json, got " + quoteParam(ct)}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, &inputError{http.StatusUnsupportedMediaType, "unsupported_media_type",
			"the body must be UTF-8, got charset " + quoteParam(cs)}
	}
	tooLarge := &inputError{http.StatusRequestEntityTooLarge, "body_too_large",
		fmt.Sprintf("the request body is larger than %d bytes; send fewer articles per request", MaxBodyBytes)}
	if c.Request.ContentLength > MaxBodyBytes {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		return nil, &inputError{http.StatusBadRequest, "bad_body", "could not read the request body"}
	}
	return body, nil
}

// articleIn is an article as POSTed: newsdex.Article's JSON, except that
// published may be a date (YYYY-MM-DD) as well as RFC 3339. The outer
// field shadows the embedded one for encoding/json.
type articleIn struct {
	newsdex.Article
	Published string `json:"published"`
}

// DecodeArticles parses a POST /v1/articles body: one article object or an
// array of them in newsdex's native JSON (newsdex.Article; published as
// YYYY-MM-DD or RFC 3339). It refuses invalid UTF-8, nesting deeper than
// MaxJSONDepth, unknown fields, trailing data, more than
// MaxArticlesPerRequest articles, articles over MaxArticleBytes, missing
// and duplicate ids, NUL characters, non-http(s) URLs, and whatever
// ingest.Normalize refuses or would drop: articles without title and
// body, ids that could not be read back (ingest.CheckID) and published
// dates no news article can have. It normalises the articles as ingest
// does for files (ingest.Normalize) and drops passages, which the indexer
// recomputes. Errors name the article by index and id.
func DecodeArticles(body []byte) ([]newsdex.Article, error) {
	bad := func(format string, args ...any) error {
		return &inputError{http.StatusBadRequest, "bad_body", fmt.Sprintf(format, args...)}
	}
	if !utf8.Valid(body) {
		return nil, bad("the body is not valid UTF-8 (first bad byte at offset %d)", invalidUTF8At(body))
	}
	if at, ok := checkDepth(body, MaxJSONDepth); !ok {
		return nil, bad("the JSON nests deeper than %d levels (at offset %d)", MaxJSONDepth, at)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var top json.RawMessage
	if err := dec.Decode(&top); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, bad("the body is empty; send an article object or an array of them")
		}
		return nil, bad("malformed JSON: %s", jsonErr(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, bad("unexpected data after the JSON value (at offset %d)", dec.InputOffset())
	}
	var raws []json.RawMessage
	switch top[0] {
	case '[':
		if err := json.Unmarshal(top, &raws); err != nil {
			return nil, bad("malformed JSON: %s", jsonErr(err))
		}
	case '{':
		raws = []json.RawMessage{top}
	default:
		return nil, bad("the body must be an article object or an array of them")
	}
	if len(raws) == 0 {
		return nil, bad("the array holds no articles")
	}
	if len(raws) > MaxArticlesPerRequest {
		return nil, &inputError{http.StatusRequestEntityTooLarge, "too_many_articles",
			fmt.Sprintf("%d articles in one request, the limit is %d", len(raws), MaxArticlesPerRequest)}
	}
	arts := make([]newsdex.Article, 0, len(raws))
	seen := make(map[string]int, len(raws))
	for i, raw := range raws {
		if len(raw) > MaxArticleBytes {
			return nil, &inputError{http.StatusRequestEntityTooLarge, "article_too_large",
				fmt.Sprintf("article %d is %d bytes of JSON, the limit is %d", i, len(raw), MaxArticleBytes)}
		}
		a, err := decodeArticle(raw)
		if err != nil {
			return nil, bad("article %d: %s", i, err.Error())
		}
		if j, dup := seen[a.ID]; dup {
			return nil, bad("article %d: id %s repeats article %d", i, quoteParam(a.ID), j)
		}
		seen[a.ID] = i
		arts = append(arts, a)
	}
	return arts, nil
}

func decodeArticle(raw json.RawMessage) (newsdex.Article, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return newsdex.Article{}, errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var in articleIn
	if err := dec.Decode(&in); err != nil {
		return newsdex.Article{}, errors.New(jsonErr(err))
	}
	a := in.Article
	a.Passages = nil
	var err error
	eachString(&a, func(field string, s *string) {
		if err == nil && strings.IndexByte(*s, 0) >= 0 {
			err = fmt.Errorf("field %s contains a NUL character", field)
		}
	})
	if err != nil {
		return a, err
	}
	// Files may leave the id out (ingest.Normalize hashes one); the API
	// wants the client to name its articles, so it can update and delete
	// them.
	if strings.TrimFunc(a.ID, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) == "" {
		return a, errors.New("id is missing")
	}
	if a.Published, err = parsePublished(in.Published); err != nil {
		return a, fmt.Errorf("id %s: %w", quoteParam(a.ID), err)
	}
	// The same cleaning, date and id rules as every file indexed; a
	// field that ingest would drop is refused here, so the client learns
	// of it.
	dropped, err := ingest.Normalize(&a)
	switch {
	case errors.Is(err, ingest.ErrNoText):
		return a, fmt.Errorf("id %s: title and body are both empty", quoteParam(a.ID))
	case err != nil:
		return a, err
	case len(dropped) > 0:
		return a, fmt.Errorf("id %s: %w", quoteParam(a.ID), dropped[0])
	}
	if a.URL != "" {
		u, err := url.Parse(a.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return a, fmt.Errorf("id %s: url must be an absolute http or https URL, got %s", quoteParam(a.ID), quoteParam(a.URL))
		}
	}
	return a, nil
}

// parsePublished accepts "", YYYY-MM-DD (midnight UTC) or RFC 3339. It
// checks the form only; ingest.Normalize checks that the date is one a
// news article can have.
func parsePublished(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("published %s is neither YYYY-MM-DD nor RFC 3339", quoteParam(s))
	}
	return t.UTC(), nil
}

// jsonErr describes a decoding error without Go type names.
func jsonErr(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s (at offset %d)", se.Error(), se.Offset)
	case errors.As(err, &te):
		// Field is the Go path, through the embedded newsdex.Article.
		field := strings.TrimPrefix(te.Field, "Article.")
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("field %s: want %s, got JSON %s", quoteParam(field), jsonKind(te.Type.Kind().String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown field " + f
	}
	return strings.TrimPrefix(msg, "json: ")
}

func jsonKind(k string) string {
	switch k {
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	}
	return "a " + k
}

// eachString calls f on every text field of a with the field's JSON name.
func eachString(a *newsdex.Article, f func(field string, s *string)) {
	for _, p := range []struct {
		name string
		s    *string
	}{{"id", &a.ID}, {"title", &a.Title}, {"url", &a.URL}, {"outlet", &a.Outlet}, {"body", &a.Body},
		{"language", &a.Language}, {"dateline", &a.Dateline}, {"source", &a.Source}} {
		f(p.name, p.s)
	}
	for i := range a.Authors {
		f("authors", &a.Authors[i])
	}
	// Entity kinds with a list (not the outlet, a field above): the slice
	// shares a's storage, so f rewrites the names in place.
	for _, k := range newsdex.Kinds {
		if k.Entities == nil {
			continue
		}
		es := k.Entities(a)
		for i := range es {
			f(k.Facet, &es[i].Name)
			f(k.Facet, &es[i].Office)
		}
	}
	if len(a.Labels) > 0 {
		labels := make(map[string][]string, len(a.Labels))
		for k, vs := range a.Labels {
			f("labels", &k)
			for i := range vs {
				f("labels", &vs[i])
			}
			labels[k] = vs
		}
		a.Labels = labels
	}
}

// checkDepth reports whether the JSON in b nests at most max arrays and
// objects, and if not, the offset where it goes deeper. It skips strings;
// it does not validate, the decoder does that afterwards.
func checkDepth(b []byte, max int) (int, bool) {
	depth := 0
	inStr, esc := false, false
	for i, c := range b {
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '[', '{':
			depth++
			if depth > max {
				return i, false
			}
		case ']', '}':
			depth--
		}
	}
	return 0, true
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
