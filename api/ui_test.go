package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	uq "github.com/newsdex/newsdex/query"
	"github.com/newsdex/newsdex/search"
)

// uiRouter serves only the UI routes of the embedded assets.
func uiRouter(t *testing.T) (*gin.Engine, *ui) {
	t.Helper()
	sub, err := fs.Sub(webFS, "web")
	if err != nil {
		t.Fatal(err)
	}
	u, err := newUI(sub)
	if err != nil {
		t.Fatalf("newUI: %v", err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.UseRawPath = true
	r.UnescapePathValues = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true
	s := &Server{log: slog.New(slog.DiscardHandler)}
	r.NoRoute(func(c *gin.Context) { s.fail(c, refuse(errNoRoute, "no such route")) })
	u.register(r, s.fail)
	return r, u
}

func uiGet(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestUIPages(t *testing.T) {
	r, u := uiRouter(t)
	for _, p := range []string{"/", "/?q=putin&person=Xi+Jinping", "/article/abc", "/person/Xi%20Jinping", "/outlet/AP%2FReuters",
		"/leader/Vladimir%20Putin", "/cited/TASS", "/place/Moscow", "/alerts"} {
		w := uiGet(t, r, http.MethodGet, p, nil)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", p, w.Code)
			continue
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", p, ct)
		}
		if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", p, cc)
		}
		if !strings.Contains(w.Body.String(), "/static/"+u.version+"/js/app.js") {
			t.Errorf("GET %s: page does not load the versioned app.js", p)
		}
	}
	for _, p := range []string{"/person/", "/article/", "/nope", "/person/a/b"} {
		if w := uiGet(t, r, http.MethodGet, p, nil); w.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, w.Code)
		}
	}
	w := uiGet(t, r, http.MethodHead, "/", nil)
	if w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD /: status %d, body %d bytes, length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
}

// refs finds the asset URLs of the page and the relative imports of the
// modules, so every file the browser will ask for is checked.
var (
	htmlRef   = regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)
	importRef = regexp.MustCompile(`(?m)^\s*(?:import|export)\b[^'";]*?from\s+'(\./[^']+)'`)
)

func TestUIAssets(t *testing.T) {
	r, u := uiRouter(t)
	page := uiGet(t, r, http.MethodGet, "/", nil).Body.String()
	var queue []string
	for _, m := range htmlRef.FindAllStringSubmatch(page, -1) {
		queue = append(queue, m[1])
	}
	if len(queue) < 3 {
		t.Fatalf("page references %d assets, want icon, CSS and app.js: %v", len(queue), queue)
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		w := uiGet(t, r, http.MethodGet, p, nil)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", p, w.Code)
			continue
		}
		want := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
		ext := p[strings.LastIndex(p, "."):]
		if ct := w.Header().Get("Content-Type"); ct != want[ext] {
			t.Errorf("GET %s: Content-Type %q, want %q", p, ct, want[ext])
		}
		if cc := w.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q", p, cc)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", p)
		}
		etag := w.Header().Get("ETag")
		if etag == "" {
			t.Errorf("GET %s: no ETag", p)
		} else if w2 := uiGet(t, r, http.MethodGet, p, map[string]string{"If-None-Match": etag}); w2.Code != http.StatusNotModified || w2.Body.Len() != 0 {
			t.Errorf("GET %s with If-None-Match: status %d, %d bytes", p, w2.Code, w2.Body.Len())
		}
		if ext == ".js" {
			dir := p[:strings.LastIndex(p, "/")+1]
			for _, m := range importRef.FindAllStringSubmatch(w.Body.String(), -1) {
				queue = append(queue, dir+strings.TrimPrefix(m[1], "./"))
			}
		}
	}
	// Every asset is reachable from the page: nothing dead is shipped.
	for name := range u.static {
		if !seen["/static/"+u.version+"/"+name] {
			t.Errorf("asset %s is not referenced by the page or a module", name)
		}
	}
}

func TestUIStaticNotFound(t *testing.T) {
	r, u := uiRouter(t)
	v := u.version
	for _, p := range []string{
		"/static/" + v + "/nope.js",
		"/static/" + v + "/",
		"/static/" + v + "/js",
		"/static/000000000000/app.css", // an old or made-up version
		"/static/" + v + "/../index.html",
		"/static/" + v + "/%2e%2e/index.html",
		"/static/" + v + "/js/../../index.html",
		"/static/app.css",
	} {
		w := uiGet(t, r, http.MethodGet, p, nil)
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, w.Code)
			continue
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s: 404 Content-Type %q, want JSON", p, ct)
		}
		if strings.Contains(w.Body.String(), "<html") {
			t.Errorf("GET %s: 404 leaks the page", p)
		}
	}
}

// TestUISafeAssets guards the rules the page lives by under the API's
// Content-Security-Policy (script-src 'self', style-src 'self') and
// against script injection: no inline script, style or event handler in
// the HTML, and no HTML parsing of strings in the JavaScript.
func TestUISafeAssets(t *testing.T) {
	_, u := uiRouter(t)
	page := string(u.page.body)
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`), // a script with a body
		regexp.MustCompile(`(?i)<style\b`),
		regexp.MustCompile(`(?i)\sstyle\s*=`),
		regexp.MustCompile(`(?i)\son[a-z]+\s*=`),
		regexp.MustCompile(`(?i)javascript:`),
		regexp.MustCompile(`(?i)(?:src|href)="(?:https?:)?//`), // nothing from outside
	} {
		if m := bad.FindString(page); m != "" {
			t.Errorf("index.html: %q is not allowed", m)
		}
	}
	for _, tag := range regexp.MustCompile(`(?i)<script\b[^>]*>`).FindAllString(page, -1) {
		if !strings.Contains(tag, ` src="`) {
			t.Errorf("index.html: inline %s", tag)
		}
	}
	forbidden := regexp.MustCompile(`\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*['"]|createContextualFragment|DOMParser|\.style\.cssText|setAttribute\(\s*['"]style|https?://`)
	for name, a := range u.static {
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		for i, line := range strings.Split(string(a.body), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if m := forbidden.FindString(line); m != "" && !strings.Contains(line, "http://www.w3.org/2000/svg") {
				t.Errorf("%s:%d: %q is not allowed (article data must reach the page as text)", name, i+1, m)
			}
		}
	}
}

func TestNewUIErrors(t *testing.T) {
	cases := map[string]fstest.MapFS{
		"no page":        {"static/app.css": {Data: []byte("x")}},
		"unknown type":   {"index.html": {Data: []byte("x")}, "static/app.exe": {Data: []byte("x")}},
		"no static tree": {"index.html": {Data: []byte("x")}},
	}
	for name, fsys := range cases {
		if _, err := newUI(fsys); err == nil {
			t.Errorf("%s: newUI succeeded", name)
		}
	}
	u, err := newUI(fstest.MapFS{"index.html": {Data: []byte(`<link href="{{static}}/a.css">`)}, "static/a.css": {Data: []byte("a")}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `<link href="/static/` + u.version + `/a.css">`; string(u.page.body) != want {
		t.Errorf("page = %s, want %s", u.page.body, want)
	}
	// The version follows the content.
	u2, _ := newUI(fstest.MapFS{"index.html": {Data: []byte("x")}, "static/a.css": {Data: []byte("b")}})
	if u2.version == u.version {
		t.Errorf("version %s did not change with the assets", u.version)
	}
}

func TestETagMatch(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{`"abc"`, true}, {`W/"abc"`, true}, {`"x", "abc"`, true}, {`*`, true}, {`"abd"`, false}, {``, false},
	} {
		if got := etagMatch(c.header, `"abc"`); got != c.want {
			t.Errorf("etagMatch(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}

// helpExample is one entry of the page's query help (HELP in
// web/static/js/help.js): a query, what the help says it means, and the
// extra URL parameters it needs ("op=or" or none).
type helpExample struct {
	query, meaning, extra string
}

// helpEntry matches one line of the HELP array:
// ['query', 'meaning', 'extra'], with single-quoted JavaScript strings.
var helpEntry = regexp.MustCompile(`^\s*\[\s*('(?:[^'\\]|\\.)*')\s*,\s*('(?:[^'\\]|\\.)*')\s*,\s*('(?:[^'\\]|\\.)*')\s*\],?\s*$`)

// jsUnquote undoes the quoting of a single-quoted JavaScript string
// literal of the simple kind help.js uses (\' and \\ escapes only).
func jsUnquote(lit string) string {
	body := lit[1 : len(lit)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] == '\\' && i+1 < len(body) {
			i++
		}
		b.WriteByte(body[i])
	}
	return b.String()
}

// helpExamples reads the HELP array of the embedded help.js. Every line
// of the array must be an entry, so a line in another form fails the test
// instead of going unchecked.
func helpExamples(t *testing.T) []helpExample {
	t.Helper()
	src, err := fs.ReadFile(webFS, "web/static/js/help.js")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "export const HELP = [\n")
	if !ok {
		t.Fatal("help.js: no line \"export const HELP = [\"")
	}
	block, _, ok := strings.Cut(rest, "\n];")
	if !ok {
		t.Fatal("help.js: HELP does not end with a line \"];\"")
	}
	var out []helpExample
	for i, line := range strings.Split(block, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m := helpEntry.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("help.js: HELP line %d is not ['query', 'meaning', 'extra']: %s", i+1, line)
		}
		out = append(out, helpExample{jsUnquote(m[1]), jsUnquote(m[2]), jsUnquote(m[3])})
	}
	if len(out) < 10 {
		t.Fatalf("help.js: %d HELP entries read, want the whole list", len(out))
	}
	return out
}

// bowFixture indexes testdata/articles.jsonl with bag-of-words vectors
// and returns an engine that answers every mode over it.
func bowFixture(t *testing.T) *search.Engine {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "articles.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var arts []newsdex.Article
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var a newsdex.Article
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a)
	}
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := (&bowWriter{ix: ix}).Put(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	eng, err := search.New(ix, search.WithEmbedder(bowEmbedder{}))
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestHelpExamples runs every example of the page's query help against
// the API, in each mode, and checks the meanings the help states: an
// example the engine refused, or read otherwise, would teach people a
// query language that does not exist.
func TestHelpExamples(t *testing.T) {
	examples := helpExamples(t)
	hz := newHarness(t, bowFixture(t), Options{})
	// matchSet returns the ids of the match set of a lexical search, in
	// id order: the hits marked all (size 100 holds the whole fixture).
	matchSet := func(t *testing.T, params url.Values) []string {
		t.Helper()
		params.Set("size", "100")
		params.Set("mode", search.ModeLexical)
		rec := hz.get("/v1/search?" + params.Encode())
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /v1/search?%s: %d %s", params.Encode(), rec.Code, rec.Body)
		}
		res := decode[search.Results](t, rec)
		var got []string
		for _, h := range res.Hits {
			if h.Match == search.MatchAll {
				got = append(got, h.ID)
			}
		}
		if uint64(len(got)) != res.Total {
			t.Errorf("GET /v1/search?%s: %d hits marked all, total %d", params.Encode(), len(got), res.Total)
		}
		slices.Sort(got)
		return got
	}
	for _, ex := range examples {
		for _, mode := range []string{search.ModeLexical, search.ModeSemantic, search.ModeHybrid} {
			t.Run(mode+"/"+ex.query+"/"+ex.extra, func(t *testing.T) {
				params, err := url.ParseQuery(ex.extra)
				if err != nil {
					t.Fatalf("help.js: extra parameters %q: %v", ex.extra, err)
				}
				params.Set("q", ex.query)
				params.Set("mode", mode)
				if rec := hz.get("/v1/search?" + params.Encode()); rec.Code != http.StatusOK {
					t.Errorf("help example %q (%s): GET /v1/search?%s: %d %s", ex.query, ex.meaning, params.Encode(), rec.Code, rec.Body)
				}
			})
		}
	}

	// What the help says the examples mean, on the fixture's words (its
	// five articles: t1 has pipeline, talks and trade, with five words
	// between the title's last word, pipeline, and talks (the title and
	// the body are one text); t2 has "Pipeline talks"; t3 library; t4 pipeline; t5
	// trade). Each case names the help example whose meaning it checks.
	has := func(q, extra string) bool {
		return slices.ContainsFunc(examples, func(ex helpExample) bool { return ex.query == q && ex.extra == extra })
	}
	for _, tc := range []struct {
		name        string
		help, extra string // the help example whose meaning is checked
		q, qExtra   string // the same construct on the fixture's words
		want        []string
	}{
		{"words side by side are AND", "putin xi", "", "pipeline trade", "", []string{"t1"}},
		{"explicit AND", "putin xi", "", "pipeline AND trade", "", []string{"t1"}},
		{"Any word is OR", "putin xi", "op=or", "pipeline trade", "op=or", []string{"t1", "t2", "t4", "t5"}},
		{"OR", "putin OR xi", "", "pipeline OR trade", "", []string{"t1", "t2", "t4", "t5"}},
		{"AND binds before OR", "putin xi OR gas", "", "pipeline trade OR library", "", []string{"t1", "t3"}},
		{"NOT excludes", "putin NOT ukraine", "", "pipeline NOT trade", "", []string{"t2", "t4"}},
		{"minus excludes", "putin NOT ukraine", "", "pipeline -trade", "", []string{"t2", "t4"}},
		{"plus requires under Any word", "+putin xi", "op=or", "+pipeline trade", "op=or", []string{"t1", "t2", "t4"}},
		{"NEAR/4 within 4 words", "sanctions NEAR/5 oil", "", "talks NEAR/4 pipeline", "", []string{"t2"}},
		{"NEAR/5 counts the words between", "sanctions NEAR/5 oil", "", "talks NEAR/5 pipeline", "", []string{"t1", "t2"}},
		{"NEAR/4 either order", "sanctions NEAR/5 oil", "", "pipeline NEAR/4 talks", "", []string{"t2"}},
		{"NEAR alone is NEAR/10", "sanctions NEAR/5 oil", "", "talks NEAR pipeline", "", []string{"t1", "t2"}},
		{"NEAR over a group", "(putin OR kremlin) NEAR/5 sanctions", "", "(talks OR trade) NEAR/5 pipeline", "", []string{"t1", "t2"}},
		{"phrase", `"joint statement"`, "", `"gas pipeline"`, "", []string{"t1"}},
		{"one field", "title:ceasefire", "", "title:pipeline", "", []string{"t1", "t2"}},
	} {
		t.Run("meaning/"+tc.name, func(t *testing.T) {
			if !has(tc.help, tc.extra) {
				t.Fatalf("help.js has no example %q with %q", tc.help, tc.extra)
			}
			params, _ := url.ParseQuery(tc.qExtra)
			params.Set("q", tc.q)
			if got := matchSet(t, params); !slices.Equal(got, tc.want) {
				t.Errorf("%q (%s) matches %v, want %v as the help for %q says", tc.q, tc.qExtra, got, tc.want, tc.help)
			}
		})
	}

	// The help names every field the query language knows, and says that
	// another one is an error, which the API answers with a 400 naming it.
	var fieldHelp string
	for _, ex := range examples {
		if strings.HasPrefix(ex.query, "title:") {
			fieldHelp = ex.meaning
		}
	}
	for _, f := range uq.Fields() {
		if !strings.Contains(fieldHelp, f) {
			t.Errorf("help for title: %q does not name the field %s", fieldHelp, f)
		}
	}
	rec := hz.get("/v1/search?q=" + url.QueryEscape("foo:bar"))
	if body := rec.Body.String(); rec.Code != http.StatusBadRequest || !strings.Contains(body, "foo") || !strings.Contains(body, "author") {
		t.Errorf("unknown field foo:bar: %d %s, want a 400 naming foo and the known fields", rec.Code, body)
	}
	for _, want := range []string{"NEAR/5", "author:", " OR "} {
		if !slices.ContainsFunc(examples, func(ex helpExample) bool { return strings.Contains(ex.query, want) }) {
			t.Errorf("help.js has no example with %q", want)
		}
	}
}

// TestReadmeQueryExamples runs every example of the README's query
// language table against the API: each is accepted, except the rows the
// README documents as a 400, which must fail with what it says.
func TestReadmeQueryExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "### Query language\n")
	if !ok {
		t.Fatal("README.md has no Query language section")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	hz := newHarness(t, bowFixture(t), Options{})
	tick := regexp.MustCompile("`([^`]+)`")
	n := 0
	for _, row := range strings.Split(table, "\n") {
		cells := strings.Split(row, "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") || strings.TrimSpace(cells[1]) == "syntax" {
			continue
		}
		syntax, meaning := cells[1], cells[2]
		bad := strings.Contains(meaning, "400")
		for _, m := range tick.FindAllStringSubmatch(syntax, -1) {
			q := m[1]
			if strings.HasSuffix(q, ":") {
				q += "pipeline" // a field name alone: search it for a word
			}
			n++
			rec := hz.get("/v1/search?q=" + url.QueryEscape(q))
			switch {
			case bad && rec.Code != http.StatusBadRequest:
				t.Errorf("README says %q is a 400; got %d %s", q, rec.Code, rec.Body)
			case bad:
				var e struct {
					Error struct{ Message string } `json:"error"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
					t.Fatal(err)
				}
				// The README quotes the message and, for the fix, the
				// escaped word, which is no part of the message.
				for _, want := range tick.FindAllStringSubmatch(meaning, -1) {
					if !strings.Contains(want[1], `\`) && !strings.Contains(e.Error.Message, want[1]) {
						t.Errorf("README says %q answers %s; got %q", q, want[1], e.Error.Message)
					}
				}
			case rec.Code != http.StatusOK:
				t.Errorf("README example %q: %d %s", q, rec.Code, rec.Body)
			}
		}
	}
	if n < 20 {
		t.Errorf("found %d examples in the README's query language table, want at least 20", n)
	}
}
