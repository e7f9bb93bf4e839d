package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

// webFS holds the search page: web/index.html and the assets under
// web/static/ (plain HTML, CSS and JavaScript modules; no build step).
//
//go:embed web
var webFS embed.FS

// staticPrefix is where assets are served: /static/{version}/{file}. The
// version is a hash of every asset, so a deploy changes every asset URL
// and the assets themselves can be cached for a year.
const staticPrefix = "/static/"

// asset is one embedded file ready to serve.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// ui serves the page shell and its assets.
type ui struct {
	version string
	page    asset
	static  map[string]asset // by path under web/static/
	// fail is the server's error mapping (Server.fail), set by register.
	fail func(*gin.Context, error)
}

// contentType returns the type of a web/static file by extension. It is a
// fixed table, because mime.TypeByExtension reads the host's mime.types and
// a module script served with the wrong type does not run.
func contentType(ext string) (string, bool) {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8", true
	case ".js":
		return "text/javascript; charset=utf-8", true
	case ".svg":
		return "image/svg+xml", true
	case ".png":
		return "image/png", true
	case ".json":
		return "application/json", true
	case ".txt":
		return "text/plain; charset=utf-8", true
	case ".woff2":
		return "font/woff2", true
	}
	return "", false
}

// newUI loads the page and assets of fsys (laid out like web/).
func newUI(fsys fs.FS) (*ui, error) {
	u := &ui{static: map[string]asset{}}
	var names []string
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ui: list assets: %w", err)
	}
	sort.Strings(names)
	all := sha256.New()
	for _, p := range names {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("ui: read asset %s: %w", p, err)
		}
		ctype, ok := contentType(path.Ext(p))
		if !ok {
			return nil, fmt.Errorf("ui: asset %s: no content type for %q", p, path.Ext(p))
		}
		fmt.Fprintf(all, "%s\x00%d\x00", p, len(b))
		all.Write(b)
		u.static[strings.TrimPrefix(p, "static/")] = asset{body: b, ctype: ctype, etag: etagOf(b)}
	}
	u.version = hex.EncodeToString(all.Sum(nil))[:12]

	page, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		return nil, fmt.Errorf("ui: read page: %w", err)
	}
	page = bytes.ReplaceAll(page, []byte("{{static}}"), []byte(staticPrefix+u.version))
	u.page = asset{body: page, ctype: "text/html; charset=utf-8", etag: etagOf(page)}
	return u, nil
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

// registerUI adds the search page (GET /), the article view
// (/article/{id}), the entity pages (/person/{name}, /outlet/{name}, ...),
// the alerts page (/alerts) and their assets (/static/{version}/...) to r. All page paths serve the
// same HTML shell; its JavaScript reads the path and calls the JSON API.
func (s *Server) registerUI(r *gin.Engine) {
	sub, err := fs.Sub(webFS, "web")
	if err == nil {
		var u *ui
		if u, err = newUI(sub); err == nil {
			u.register(r, s.fail)
			return
		}
	}
	// The assets are compiled in and checked by TestUIAssets, so this is
	// a broken build, not a runtime condition; the API still serves.
	s.log.Error("search page disabled", "err", err)
}

func (u *ui) register(r *gin.Engine, fail func(*gin.Context, error)) {
	u.fail = fail
	// Entity pages use the API's filter names: /person/{name}, ...
	pages := []string{"/", "/article/:id", "/person/:name", "/leader/:name", "/outlet/:name", "/cited/:name", "/place/:name", "/alerts"}
	for _, p := range pages {
		r.GET(p, u.servePage)
		r.HEAD(p, u.servePage)
	}
	r.GET(staticPrefix+":version/*file", u.serveStatic)
	r.HEAD(staticPrefix+":version/*file", u.serveStatic)
}

// servePage sends the HTML shell. It must be revalidated on every load, so
// a new build's asset version reaches browsers at once.
func (u *ui) servePage(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	serveAsset(c, u.page)
}

// serveStatic sends one asset of the current version; anything else is a
// JSON 404 like every unknown path.
func (u *ui) serveStatic(c *gin.Context) {
	a, ok := u.static[strings.TrimPrefix(c.Param("file"), "/")]
	if !ok || c.Param("version") != u.version {
		u.fail(c, refuse(errNoRoute, "no such asset: %s", c.Request.URL.Path))
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	serveAsset(c, a)
}

func serveAsset(c *gin.Context, a asset) {
	h := c.Writer.Header()
	h.Set("ETag", a.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if match := c.GetHeader("If-None-Match"); match != "" && etagMatch(match, a.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.ctype)
	h.Set("Content-Length", fmt.Sprint(len(a.body)))
	c.Status(http.StatusOK)
	if c.Request.Method != http.MethodHead {
		_, _ = c.Writer.Write(a.body)
	}
}

// etagMatch reports whether an If-None-Match header names etag.
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
