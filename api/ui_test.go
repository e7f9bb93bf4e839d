package api

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
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
	r.NoRoute(func(c *gin.Context) { writeError(c, http.StatusNotFound, "not_found", "no such route", nil) })
	u.register(r)
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
		"/leader/Vladimir%20Putin", "/cited/TASS", "/place/Moscow"} {
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
