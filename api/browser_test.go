package api_test

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/alert"
	"github.com/newsdex/newsdex/api"
	"github.com/newsdex/newsdex/chunk"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/corpora"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/internal/testenv"
	"github.com/newsdex/newsdex/search"
)

// The browser test drives the real search page in headless Chromium
// (Debian's chromium package, see scripts/install-chromium.sh) against the
// real API, with its own Content-Security-Policy, over a small index: the
// seed article, a slice of AllSides and a hostile article. It saves
// screenshots under $NEWSDEX_TEST_OUT (default $TMPDIR/newsdex-screens).

// allSidesArticles is how many AllSides articles the test index holds.
const allSidesArticles = 150

// hostileID is the article whose every field tries to run script.
const hostileID = "hostile-xss"

// hostileName is an entity name that is also markup.
const hostileName = `<img src=x onerror="window.__pwned=9;alert(9)">`

func hostileArticle() newsdex.Article {
	return newsdex.Article{
		ID:        hostileID,
		Title:     `<script>window.__pwned=1;alert("title")</script><img src=x onerror="window.__pwned=2;alert(2)"> Hostile headline`,
		URL:       `javascript:window.__pwned=3;alert(3)`,
		Published: time.Date(2019, 6, 14, 0, 0, 0, 0, time.UTC),
		Outlet:    `<b onmouseover="alert(4)">Evil Outlet</b>`,
		Authors:   []string{`<script>alert(5)</script>`},
		Body: "The hostile body opens with <script>window.__pwned=6;alert(6)</script> inline.\n\n" +
			`A hostile image follows: <img src=x onerror="window.__pwned=7;alert(7)"> and a link <a href="javascript:alert(8)">click me</a>.` + "\n\n" +
			"A bare hostile URL: javascript:alert(10) and an entity &lt;b&gt; that must stay literal.",
	}
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("NEWSDEX_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	testenv.Missing(t, "chromium for the browser test", "apt-get install chromium (or run scripts/install-chromium.sh as root), or set NEWSDEX_CHROMIUM to a Chromium binary")
	return ""
}

// browserIndex builds a test index of the seed and hostile articles and,
// withCorpus, a slice of AllSides. It returns the engine over it and
// whether the AllSides slice is in it.
func browserIndex(t *testing.T, withCorpus bool) (*search.Engine, bool) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Now()
	var arts []newsdex.Article
	skip := func(e *ingest.RecordError) { t.Logf("skipped record: %v", e) }
	if err := ingest.ReadFS(ctx, newsdex.Seeds, ingest.Options{}, func(a newsdex.Article) error {
		arts = append(arts, a)
		return nil
	}, skip); err != nil {
		t.Fatalf("read seeds: %v", err)
	}
	var corpus string
	haveCorpus := false
	if withCorpus {
		// Without the corpus the test runs on the seed and hostile
		// articles only (a failure under CI).
		corpus, haveCorpus = corpora.Optional(t, "allsides-abp/articles-2019.jsonl.gz")
	}
	if haveCorpus {
		// The first articles of 2019 (all from January; the page refines
		// the histogram to weeks). Reading stops there: decompressing the
		// whole file takes half a minute under -race.
		errEnough := errors.New("enough articles")
		n := 0
		err := ingest.Walk(ctx, []string{corpus}, ingest.Options{Format: ingest.FormatJSONL, Map: map[string]string{
			"id": "ID", "title": "title", "body": "content_original", "outlet": "source",
			"published": "date", "url": "url", "authors": "authors",
		}}, func(a newsdex.Article) error {
			if n++; n > allSidesArticles {
				return errEnough
			}
			arts = append(arts, a)
			return nil
		}, skip)
		if err != nil && !errors.Is(err, errEnough) {
			t.Fatalf("read %s: %v", corpus, err)
		}
	}
	x, err := extract.New()
	if err != nil {
		t.Fatalf("extract.New: %v", err)
	}
	arts = append(arts, hostileArticle())
	for i := range arts {
		x.Extract(&arts[i])
		arts[i].Passages = chunk.Split(arts[i].Body, chunk.Options{})
	}
	// A hostile entity name, as if the extractor had been fooled.
	h := &arts[len(arts)-1]
	h.People = append(h.People, newsdex.Entity{Name: hostileName, Count: 1, First: -1})

	ix, err := index.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Add(ctx, arts); err != nil {
		t.Fatalf("index: %v", err)
	}
	eng, err := search.New(ix)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test index: %d articles, built in %.1f s", len(arts), time.Since(t0).Seconds())
	return eng, haveCorpus
}

// serve starts the real API server over eng on 127.0.0.1.
func serve(t *testing.T, eng *search.Engine) (*httptest.Server, apiClient) {
	t.Helper()
	srv := httptest.NewServer(api.New(eng, slog.New(slog.DiscardHandler), api.Options{}).Handler())
	t.Cleanup(srv.Close)
	return srv, apiClient{t: t, base: srv.URL}
}

// apiClient reads the same API the page reads, for the expected values.
type apiClient struct {
	t    *testing.T
	base string
}

func (c apiClient) get(path string, q url.Values, out any) int {
	c.t.Helper()
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	res, err := http.Get(u)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(body, out); err != nil {
		c.t.Fatalf("GET %s: %v: %s", u, err, body)
	}
	return res.StatusCode
}

func (c apiClient) search(q url.Values) search.Results {
	c.t.Helper()
	var r search.Results
	if code := c.get("/v1/search", q, &r); code != http.StatusOK {
		c.t.Fatalf("GET /v1/search?%s: status %d", q.Encode(), code)
	}
	return r
}

// browser wraps a chromedp tab with the test's failure handling.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	out  string

	mu       sync.Mutex
	problems []string // console errors, exceptions, CSP violations
	dialogs  []string
	allowed  *regexp.Regexp // URLs a step expects to fail
}

// expectFailing lets requests to URLs matching re fail until the next call.
func (b *browser) expectFailing(re *regexp.Regexp) {
	b.mu.Lock()
	b.allowed = re
	b.mu.Unlock()
}

// mayFail matches the requests the page makes that fail by design on an
// index without embeddings (400): similar articles and semantic or hybrid
// searches. The page shows the API's message for them.
var mayFail = regexp.MustCompile(`/v1/articles/[^/]+/similar|/v1/search\?(?:.*&)?mode=(?:semantic|hybrid)`)

func (b *browser) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		b.problems = append(b.problems, "exception: "+exceptionText(e))
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range e.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			b.problems = append(b.problems, "console.error: "+strings.Join(args, " "))
		}
	case *cdplog.EventEntryAdded:
		en := e.Entry
		if en.Level != cdplog.EntryLevelError {
			return
		}
		if en.Source == cdplog.EntrySourceNetwork && (mayFail.MatchString(en.URL) || b.allowed != nil && b.allowed.MatchString(en.URL)) {
			return
		}
		b.problems = append(b.problems, fmt.Sprintf("log %s: %s %s", en.Source, en.Text, en.URL))
	case *page.EventJavascriptDialogOpening:
		b.dialogs = append(b.dialogs, string(e.Type)+": "+e.Message)
		// The dialog blocks the page; close it from outside the listener.
		go chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
	}
}

func exceptionText(e *runtime.EventExceptionThrown) string {
	d := e.ExceptionDetails
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	return fmt.Sprintf("%s (%s:%d:%d)", s, d.URL, d.LineNumber, d.ColumnNumber)
}

// check fails the test on any console error, exception or dialog so far.
func (b *browser) check(step string) {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("%s: %s", step, p)
	}
	for _, d := range b.dialogs {
		b.t.Errorf("%s: a dialog opened: %s", step, d)
	}
	b.problems, b.dialogs = nil, nil
}

func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	// A bound per step: a click on a missing element would otherwise wait
	// for the whole test's deadline.
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed")
		b.t.Fatalf("%s: %v", step, err)
	}
}

// wait polls the JavaScript predicate expr until it is true.
func (b *browser) wait(step, expr string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.shot("failed")
		b.t.Fatalf("%s: waiting for %s: %v (page at %s)", step, expr, err, b.location())
	}
}

// eval returns the value of the JavaScript expression expr.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *browser) location() string {
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	return loc
}

// params returns the query parameters of the page's URL, after checking
// its path.
func (b *browser) params(step, path string) url.Values {
	b.t.Helper()
	u, err := url.Parse(b.location())
	if err != nil {
		b.t.Fatal(err)
	}
	if u.Path != path {
		b.t.Fatalf("%s: page at %s, want path %s", step, u, path)
	}
	return u.Query()
}

// settled is true when the search view shows the answer to its URL.
const settled = `document.querySelector('.results') !== null && !document.querySelector('.results').hasAttribute('aria-busy') && document.querySelector('.status').dataset.total !== undefined`

// shownTotal returns the total the status line states.
func (b *browser) shownTotal() int {
	return eval[int](b, `Number(document.querySelector('.status').dataset.total)`)
}

func (b *browser) hitIDs() []string {
	return eval[[]string](b, `[...document.querySelectorAll('li.hit')].map(li => li.dataset.id)`)
}

func ids(r search.Results) []string {
	out := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = h.ID
	}
	return out
}

// shot saves a full-page PNG screenshot as name.png.
func (b *browser) shot(name string) {
	b.save(name, chromedp.FullScreenshot(100))
}

// screen saves what the screen shows as name.png.
func (b *browser) screen(name string) {
	b.save(name, chromedp.CaptureScreenshot())
}

func (b *browser) save(name string, a chromedp.Action[[]byte]) {
	buf, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(b.out, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", p)
}

// noInjection asserts that no hostile markup became elements and that no
// payload ran.
func (b *browser) noInjection(step string) {
	b.t.Helper()
	bad := eval[[]string](b, `(() => {
		const out = [];
		if (window.__pwned !== undefined) out.push('payload ran: __pwned=' + window.__pwned);
		for (const el of document.querySelectorAll('main *')) {
			for (const a of el.attributes) {
				if (/^on/i.test(a.name)) out.push('event handler attribute ' + a.name + ' on ' + el.tagName);
				if (/^\s*javascript:/i.test(a.value)) out.push('javascript: in ' + a.name + ' of ' + el.tagName);
			}
		}
		for (const el of document.querySelectorAll('main img, main script, main iframe, main object, main embed, main b, main style')) out.push('injected <' + el.tagName.toLowerCase() + '>');
		for (const s of document.querySelectorAll('script')) if (!s.src) out.push('inline script');
		return out;
	})()`)
	for _, s := range bad {
		b.t.Errorf("%s: %s", step, s)
	}
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chrome := chromiumPath(t)
	seedEng, _ := browserIndex(t, false)
	seedSrv, seedAPI := serve(t, seedEng)
	eng, haveCorpus := browserIndex(t, true)
	srv, apiC := serve(t, eng)
	matchSrv, matchAPI := serve(t, matchIndex(t))

	// The page must work under the server's strict policy: no inline
	// script or style, nothing from elsewhere.
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	policy := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'"} {
		if !strings.Contains(policy, want) {
			t.Errorf("GET /: Content-Security-Policy %q lacks %q", policy, want)
		}
	}
	if strings.Contains(policy, "unsafe-") || strings.Contains(policy, "*") {
		t.Errorf("GET /: Content-Security-Policy %q is not strict", policy)
	}

	out := os.Getenv("NEWSDEX_TEST_OUT")
	if out == "" {
		out = filepath.Join(os.TempDir(), "newsdex-screens")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Chromium reaches for the internet unless told not to; the test
		// machine has none, and the page must need none.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication"),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()
	b := &browser{t: t, ctx: ctx, out: out}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", chrome, err)
	}
	if err := chromedp.Listen(ctx, b.listen); err != nil {
		t.Fatal(err)
	}
	b.do("viewport", chromedp.EmulateViewport(1280, 800))
	start := time.Now()

	// Steps 1-7 on the seed index, then on the AllSides slice.
	b.searchFlow(seedSrv.URL, seedAPI, "putin", "seed")
	if haveCorpus {
		b.searchFlow(srv.URL, apiC, "trump", "desktop")
	}
	b.matchFlow(matchSrv.URL, matchAPI)
	b.alertFlow()
	// Compare, share, split, downloads and significant terms: on the
	// AllSides slice (January 2019: Trump and the government shutdown),
	// else on the match fixture.
	if haveCorpus {
		b.researchFlow(srv.URL, apiC, "trump", "shutdown")
	} else {
		b.researchFlow(matchSrv.URL, matchAPI, "pipeline", "summit")
	}

	// 8. A shared URL reloads the same search; an entity page follows.
	shared := url.Values{"q": {"putin"}, "person": {"Xi Jinping"}}
	b.do("shared URL", chromedp.Navigate(srv.URL+"/?"+shared.Encode()))
	b.wait("shared URL", settled)
	want := apiC.search(shared)
	if got := b.shownTotal(); got != int(want.Total) || want.Total == 0 {
		t.Errorf("shared URL: page shows %d articles, API %d", got, want.Total)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("q"))); got != "putin" {
		t.Errorf("shared URL: query box %q, want putin", got)
	}
	b.check("shared URL")

	entity := "Xi Jinping"
	ent := apiC.search(url.Values{"person": {entity}, "sort": {"date"}, "facets": {"people,outlets,published"}, "facet_size": {"11"}, "snippets": {"0"}})
	b.do("entity page", chromedp.Navigate(srv.URL+"/person/"+url.PathEscape(entity)))
	b.wait("entity page", `document.querySelector('.entity-grid') !== null && document.querySelectorAll('svg.volume a.bar').length > 0`)
	if got := eval[string](b, `document.querySelector('.entity-head h1').textContent`); got != entity {
		t.Errorf("entity page: heading %q", got)
	}
	if got := eval[string](b, `document.querySelector('.entity-total strong').textContent`); got != plural(int(ent.Total)) {
		t.Errorf("entity page: total %q, want %q", got, plural(int(ent.Total)))
	}
	co := eval[[]string](b, `[...document.querySelectorAll('section.ranked')[0].querySelectorAll('a.name')].map(a => a.textContent)`)
	var wantCo []string
	for _, bk := range ent.Facets["people"] {
		if bk.Value != entity && len(wantCo) < 10 {
			wantCo = append(wantCo, bk.Value)
		}
	}
	if !slices.Equal(co, wantCo) {
		t.Errorf("entity page: appears with %v, want %v", co, wantCo)
	}
	outs := eval[[]string](b, `[...document.querySelectorAll('section.ranked')[1].querySelectorAll('a.name')].map(a => a.textContent)`)
	if len(outs) != len(ent.Facets["outlets"]) {
		t.Errorf("entity page: %d outlets, want %d", len(outs), len(ent.Facets["outlets"]))
	}
	latest := eval[[]string](b, `[...document.querySelectorAll('ol.latest-list a')].map(a => a.getAttribute('href').slice('/article/'.length)).map(decodeURIComponent)`)
	if !slices.Equal(latest, ids(ent)) {
		t.Errorf("entity page: latest %v, want %v", latest, ids(ent))
	}
	b.checkShares("entity page", ent.Facets["outlets"][:min(10, len(ent.Facets["outlets"]))], apiC.outletTotals())
	b.shot("desktop-person")
	b.check("entity page")

	// 8b. Forgiving filters: other spellings, the filter box, unknown
	// names; entity pages by another spelling, with outlet shares.
	// The most named person of the index, in other spellings and
	// misspelt (one letter off, which resolves to nothing).
	top := entity
	if ppl := apiC.search(url.Values{"facets": {"people"}}).Facets["people"]; len(ppl) > 0 && strings.Contains(ppl[0].Value, " ") {
		top = ppl[0].Value
	}
	spelt := strings.ToLower(strings.ReplaceAll(top, " ", "-"))
	last := "x"
	if strings.HasSuffix(top, "x") {
		last = "q"
	}
	b.resolveFlow(srv.URL, apiC, top, spelt, strings.ToUpper(spelt), top[:len(top)-1]+last)
	b.entityFlow(matchSrv.URL, matchAPI, entity, "xi-jinping", "Xi Jinpong", true)
	if haveCorpus {
		b.entityFlow(srv.URL, apiC, top, spelt, top[:len(top)-1]+last, false)
	}

	// 9. The hostile article is text, in results, facets and its page.
	b.do("hostile search", chromedp.Navigate(srv.URL+"/?q=hostile"))
	b.wait("hostile search", settled+` && document.querySelectorAll('li.hit').length > 0`)
	title := eval[string](b, `document.querySelector('li.hit[data-id="`+hostileID+`"] h3').textContent`)
	if title != hostileArticle().Title {
		t.Errorf("hostile search: title shown as %q, want the literal %q", title, hostileArticle().Title)
	}
	if !eval[bool](b, `[...document.querySelectorAll('li.hit[data-id="`+hostileID+`"] .snippet')].some(s => s.textContent.includes('<script>') || s.textContent.includes('<img src=x'))`) {
		t.Errorf("hostile search: snippets do not show the markup as text")
	}
	if !eval[bool](b, `[...document.querySelectorAll('#facet-person button')].some(b => b.dataset.value === `+jsString(hostileName)+` && b.textContent.includes(`+jsString(hostileName)+`))`) {
		t.Errorf("hostile search: the hostile person is not shown as text in the people facet")
	}
	b.noInjection("hostile search")
	b.shot("desktop-hostile")
	b.check("hostile search")

	b.do("hostile article", chromedp.Click(chromedp.CSS(`li.hit[data-id="`+hostileID+`"] h3 a`)))
	b.wait("hostile article", `document.querySelector('article.article .body p') !== null`)
	text := eval[string](b, `document.querySelector('article.article').innerText`)
	for _, s := range []string{"<script>window.__pwned=6;alert(6)</script>", `<img src=x onerror="window.__pwned=7;alert(7)">`, `<a href="javascript:alert(8)">click me</a>`, "&lt;b&gt;", "<b onmouseover"} {
		if !strings.Contains(text, s) {
			t.Errorf("hostile article: %q not visible as text", s)
		}
	}
	if eval[bool](b, `document.querySelector('.source-link') !== null`) {
		t.Errorf("hostile article: a javascript: URL got a source link")
	}
	// Clicking around must not run anything either.
	b.do("hostile clicks", chromedp.Click(chromedp.CSS(`article.article .meta a`)))
	b.wait("hostile clicks", `location.pathname.startsWith('/outlet/') && document.querySelector('.entity-head h1') !== null`)
	b.noInjection("hostile outlet page")
	b.do("hostile back", chromedp.NavigateBack())
	b.wait("hostile back", `document.querySelector('article.article .body p') !== null`)
	b.noInjection("hostile article")
	b.check("hostile article")

	// A query that does not parse: the page shows the API's message with
	// the position of the problem, and the query stays in the box.
	bad := url.Values{"q": {`putin AND (xi OR`}}
	var badErr struct {
		Error struct {
			Code, Message string
			Position      int
		} `json:"error"`
	}
	if code := apiC.get("/v1/search", bad, &badErr); code != http.StatusBadRequest {
		t.Errorf("bad query: API status %d, want 400", code)
	}
	b.expectFailing(regexp.MustCompile(`/v1/search\?q=putin\+AND`))
	b.do("bad query", chromedp.Navigate(srv.URL+"/?"+bad.Encode()))
	b.wait("bad query", `document.querySelector('.results .notice-error') !== null`)
	if got := eval[string](b, `document.querySelector('.results .notice-error').textContent`); got != badErr.Error.Message || !strings.Contains(got, "position") {
		t.Errorf("bad query: page says %q, want the API's message %q", got, badErr.Error.Message)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("q"))); got != bad.Get("q") {
		t.Errorf("bad query: query box %q, want %q", got, bad.Get("q"))
	}
	b.check("bad query")
	b.expectFailing(nil)

	// 10. Phone width: one column, facets closed, nothing wider than the
	// screen.
	b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/?"+url.Values{"q": {"putin"}}.Encode()))
	b.wait("phone", settled+` && document.querySelectorAll('svg.volume a.bar').length > 0`)
	if open := eval[int](b, `document.querySelectorAll('details.facet[open]').length`); open != 0 {
		t.Errorf("phone: %d facet panels open, want all closed", open)
	}
	b.fitsPhone("phone search")
	b.screen("phone-search")
	b.do("phone scroll", chromedp.Evaluate[chromedp.Void](`document.querySelector('.timeline').scrollIntoView()`))
	b.screen("phone-results")
	b.do("phone facet", chromedp.Click(chromedp.CSS(`#facet-person summary`)))
	b.wait("phone facet", `document.querySelector('#facet-person').open`)
	b.do("phone article", chromedp.Click(chromedp.CSS(`li.hit:first-child h3 a`)))
	b.wait("phone article", `document.querySelector('article.article .body p') !== null && !/Looking/.test(document.querySelector('#article-similar').textContent)`)
	b.fitsPhone("phone article")
	b.screen("phone-article")
	b.do("phone person", chromedp.Navigate(srv.URL+"/person/"+url.PathEscape(entity)))
	b.wait("phone person", `document.querySelector('.entity-grid') !== null`)
	b.fitsPhone("phone person")
	b.screen("phone-person")
	b.check("phone")

	t.Logf("browser steps took %.1f s; screenshots in %s", time.Since(start).Seconds(), out)
}

// phoneWidth is the CSS width of the phone screen the test emulates.
const phoneWidth = 390

// fitsPhone asserts that nothing sticks out of the phone screen sideways.
func (b *browser) fitsPhone(step string) {
	b.t.Helper()
	wide := eval[[]string](b, fmt.Sprintf(`[...document.querySelectorAll('body *')].filter(el => {
		const r = el.getBoundingClientRect();
		return r.width > 0 && r.right > %d + 1 && !el.closest('.visually-hidden');
	}).slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + el.className + ' right=' + Math.round(el.getBoundingClientRect().right))`, phoneWidth))
	for _, w := range wide {
		b.t.Errorf("%s: wider than the %d px screen: %s", step, phoneWidth, w)
	}
	if got := eval[int](b, `window.innerWidth`); got != phoneWidth {
		b.t.Errorf("%s: layout viewport is %d px wide, want %d (something overflows)", step, got, phoneWidth)
	}
}

// checkSimilar asserts what a similar-articles box shows: the API's hits,
// or the API's reason for having none.
func (b *browser) checkSimilar(step, sel string, status int, want search.Results, msg string) {
	b.t.Helper()
	if status == http.StatusOK {
		got := eval[[]string](b, `[...document.querySelectorAll('`+sel+` li a')].map(a => decodeURIComponent(a.getAttribute('href').slice('/article/'.length)))`)
		if len(got) == 0 && len(want.Hits) > 0 {
			b.t.Errorf("%s: no similar articles shown, API has %d", step, len(want.Hits))
		}
		return
	}
	text := eval[string](b, `document.querySelector('`+sel+`').textContent`)
	if msg == "" || !strings.Contains(text, msg) {
		b.t.Errorf("%s: box says %q, want the API's message %q (status %d)", step, text, msg, status)
	}
}

func plural(n int) string {
	if n == 1 {
		return "1 article"
	}
	return fmt.Sprintf("%d articles", n)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// searchFlow runs the search steps on the site at base: load, query,
// mode switch, person and outlet facets, a histogram bar, paging, similar
// articles, the article view and back. Screenshots are named after shots.
func (b *browser) searchFlow(base string, apiC apiClient, query, shots string) {
	t := b.t
	t.Helper()
	ctx := b.ctx
	// 1. The page loads and browses everything.
	all := apiC.search(url.Values{})
	b.do("load", chromedp.Navigate(base+"/"))
	b.wait("load", settled)
	if got := b.shownTotal(); got != int(all.Total) {
		t.Errorf("load: page shows %d articles, API total %d", got, all.Total)
	}
	if got := b.hitIDs(); !slices.Equal(got, ids(all)) {
		t.Errorf("load: hits %v, want %v", got, ids(all))
	}
	b.wait("load", `document.querySelectorAll('svg.volume a.bar').length > 0`)
	if got := eval[string](b, `document.querySelector('.status').getAttribute('aria-live')`); got != "polite" {
		t.Errorf("load: result status aria-live=%q, want polite", got)
	}
	// Keyboard: Tab goes to the skip link, the home link, then the query box.
	var order []string
	for range 3 {
		b.do("tab", chromedp.KeyEvent("\t"))
		order = append(order, eval[string](b, `document.activeElement.id || document.activeElement.className`))
	}
	if !slices.Equal(order, []string{"skip", "brand", "q"}) {
		t.Errorf("load: Tab order %v, want skip link, home link, query box", order)
	}
	b.check("load")

	// 2. Type a query and submit it with Enter.
	b.do("type query", chromedp.SendKeys(chromedp.CSS("#q"), query+"\r"))
	b.wait("type query", `new URLSearchParams(location.search).get('q') === '`+query+`' && (`+settled+`)`)
	want := apiC.search(url.Values{"q": {query}})
	if got := b.shownTotal(); got != int(want.Total) || want.Total == 0 {
		t.Errorf("query %q: page shows %d articles, API %d", query, got, want.Total)
	}
	if got := b.hitIDs(); !slices.Equal(got, ids(want)) {
		t.Errorf("query %q: hits %v, want %v", query, got, ids(want))
	}
	marks := eval[[]string](b, `[...document.querySelectorAll('li.hit .snippet mark')].map(m => m.textContent.toLowerCase())`)
	if len(marks) == 0 || !slices.ContainsFunc(marks, func(m string) bool { return strings.HasPrefix(m, query) }) {
		t.Errorf("query %q: highlighted words %v, want %q among them", query, marks, query)
	}
	b.shot(shots + "-query")
	b.save(shots+"-chart", chromedp.Screenshot(chromedp.CSS(".timeline")))
	b.check("query")

	// The mode switch: semantic answers with results, or with the API's
	// reason (an index without embeddings) shown in the page.
	var semErr struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	semStatus := apiC.get("/v1/search", url.Values{"q": {query}, "mode": {"semantic"}}, &semErr)
	b.do("semantic", chromedp.Click(chromedp.CSS(`input[name=mode][value=semantic]`)))
	b.wait("semantic", `new URLSearchParams(location.search).get('mode') === 'semantic' && !document.querySelector('.results').hasAttribute('aria-busy')`)
	if semStatus == http.StatusOK {
		b.wait("semantic", settled)
	} else if got := eval[string](b, `(document.querySelector('.results .notice-error') || {}).textContent || ''`); semErr.Error.Message == "" || got != semErr.Error.Message {
		t.Errorf("semantic: page says %q, want the API's message %q (status %d)", got, semErr.Error.Message, semStatus)
	}
	b.do("lexical", chromedp.Click(chromedp.CSS(`input[name=mode][value=lexical]`)))
	b.wait("lexical", `new URLSearchParams(location.search).get('mode') === 'lexical' && (`+settled+`)`)
	if got := b.hitIDs(); !slices.Equal(got, ids(want)) {
		t.Errorf("lexical: hits %v, want %v", got, ids(want))
	}
	b.check("mode switch")

	// 3. Click a person facet.
	person := eval[string](b, `document.querySelector('#facet-person li:first-child button').dataset.value`)
	personCount := eval[int](b, `Number(document.querySelector('#facet-person li:first-child .count').textContent.replace(/\D/g, ''))`)
	b.do("person facet", chromedp.Click(chromedp.CSS("#facet-person li:first-child button")))
	b.wait("person facet", `new URLSearchParams(location.search).get('person') !== null && (`+settled+`)`)
	p := b.params("person facet", "/")
	if p.Get("person") != person || p.Get("q") != query {
		t.Errorf("person facet: URL state %v, want q=%s person=%s", p, query, person)
	}
	if got := b.shownTotal(); got != personCount {
		t.Errorf("person facet %s: page shows %d articles, the facet said %d", person, got, personCount)
	}
	want = apiC.search(url.Values{"q": {query}, "person": {person}, "mode": {"lexical"}})
	if got := b.hitIDs(); !slices.Equal(got, ids(want)) {
		t.Errorf("person facet: hits %v, want %v", got, ids(want))
	}
	pressed := eval[[]bool](b, `[...document.querySelectorAll('li.hit')].map(li => [...li.querySelectorAll('.chips button[aria-pressed=true]')].some(c => c.dataset.value === `+jsString(person)+`))`)
	for i, ok := range pressed {
		if !ok {
			t.Errorf("person facet: hit %d has no pressed %s chip", i+1, person)
		}
	}
	if got := eval[string](b, `document.querySelector('.active button.filter').dataset.value`); got != person {
		t.Errorf("person facet: active filter %q, want %q", got, person)
	}
	b.check("person facet")

	// 4. Click an outlet facet: filters across names are ANDed.
	outlet := ""
	if !eval[bool](b, `document.querySelector('#facet-outlet li button') !== null`) {
		t.Logf("%s: no outlet facet (no article has an outlet): outlet step skipped", shots)
	} else {
		outlet = eval[string](b, `document.querySelector('#facet-outlet li:first-child button').dataset.value`)
		outletCount := eval[int](b, `Number(document.querySelector('#facet-outlet li:first-child .count').textContent.replace(/\D/g, ''))`)
		b.do("outlet facet", chromedp.Click(chromedp.CSS("#facet-outlet li:first-child button")))
		b.wait("outlet facet", `new URLSearchParams(location.search).get('outlet') !== null && (`+settled+`)`)
		p = b.params("outlet facet", "/")
		if p.Get("outlet") != outlet || p.Get("person") != person {
			t.Errorf("outlet facet: URL state %v, want person=%s outlet=%s", p, person, outlet)
		}
		if got := b.shownTotal(); got != outletCount {
			t.Errorf("outlet facet %s: page shows %d articles, the facet said %d", outlet, got, outletCount)
		}
		outlets := eval[[]string](b, `[...document.querySelectorAll('li.hit .meta .outlet')].map(o => o.textContent)`)
		for _, o := range outlets {
			if o != outlet {
				t.Errorf("outlet facet: a hit from %q, want only %q", o, outlet)
			}
		}
		if len(outlets) == 0 {
			t.Errorf("outlet facet: no hits shown")
		}
		b.shot(shots + "-facets")
		b.check("outlet facet")

	}

	// Remove the person filter with its chip, by keyboard.
	b.do("remove filter", chromedp.Focus(chromedp.CSS(`.active button.filter[data-filter="person"]`)), chromedp.KeyEvent("\r"))
	b.wait("remove filter", `new URLSearchParams(location.search).get('person') === null && (`+settled+`)`)
	rest := url.Values{"q": {query}, "mode": {"lexical"}}
	if outlet != "" {
		rest.Set("outlet", outlet)
	}
	want = apiC.search(rest)
	if got := b.shownTotal(); got != int(want.Total) {
		t.Errorf("remove filter: page shows %d articles, API %d", got, want.Total)
	}
	b.check("remove filter")

	// 5. Click the tallest bar of the histogram.
	bar := eval[map[string]any](b, `(() => {
		const bars = [...document.querySelectorAll('svg.volume a.bar')];
		bars.sort((a, b) => Number(b.dataset.count) - Number(a.dataset.count));
		bars[0].id = 'tallest';
		return {from: bars[0].dataset.from, to: bars[0].dataset.to, count: Number(bars[0].dataset.count), bars: bars.length};
	})()`)
	b.do("histogram bar", chromedp.Click(chromedp.CSS("#tallest")))
	b.wait("histogram bar", `new URLSearchParams(location.search).get('from') !== null && (`+settled+`)`)
	p = b.params("histogram bar", "/")
	toExcl, _ := time.Parse(time.DateOnly, bar["to"].(string))
	wantTo := toExcl.AddDate(0, 0, -1).Format(time.DateOnly)
	if p.Get("from") != bar["from"] || p.Get("to") != wantTo || p.Get("outlet") != outlet || p.Get("q") != query || p.Get("person") != "" {
		t.Errorf("histogram bar: URL state %v, want q, outlet, from=%v to=%s", p, bar["from"], wantTo)
	}
	if got := b.shownTotal(); float64(got) != bar["count"] {
		t.Errorf("histogram bar: page shows %d articles, the bar said %v", got, bar["count"])
	}
	if got, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("from"))); got != bar["from"] {
		t.Errorf("histogram bar: from input %q, want %v", got, bar["from"])
	}
	t.Logf("%s histogram: %v bars; clicked %v..%s with %v articles", shots, bar["bars"], bar["from"], wantTo, bar["count"])
	b.check("histogram bar")

	// 6. Clear all filters, then page forward when there are pages.
	b.do("clear all", chromedp.Click(chromedp.CSS(`.active button.clear-all`)))
	b.wait("clear all", `new URLSearchParams(location.search).get('from') === null && (`+settled+`)`)
	if got := b.params("clear all", "/"); got.Encode() != (url.Values{"q": {query}, "mode": {"lexical"}}).Encode() {
		t.Errorf("clear all: URL state %v, want only q and mode", got)
	}
	if n := eval[int](b, `document.querySelectorAll('.active button').length`); n != 0 {
		t.Errorf("clear all: %d filter buttons left", n)
	}
	page2 := b.hitIDs()
	if b.shownTotal() <= 10 {
		t.Logf("%s: %d results, one page: paging step skipped", shots, b.shownTotal())
	} else {
		before := b.params("page forward", "/")
		page1 := page2
		b.do("page forward", chromedp.Click(chromedp.CSS(`nav.pager a[rel=next]`)))
		b.wait("page forward", `new URLSearchParams(location.search).get('page') === '2' && (`+settled+`)`)
		p = b.params("page forward", "/")
		before.Set("page", "2")
		if p.Encode() != before.Encode() {
			t.Errorf("page forward: URL state %v, want %v", p, before)
		}
		want = apiC.search(p)
		page2 = b.hitIDs()
		if !slices.Equal(page2, ids(want)) || slices.Equal(page1, page2) {
			t.Errorf("page forward: hits %v, want %v (page 1 was %v)", page2, ids(want), page1)
		}
		if s := eval[string](b, `document.querySelector('.status').textContent`); !strings.Contains(s, "showing 11–") {
			t.Errorf("page forward: status %q, want it to show 11–", s)
		}
		if cur := eval[string](b, `document.querySelector('nav.pager [aria-current=page]').textContent`); cur != "2" {
			t.Errorf("page forward: current page %q, want 2", cur)
		}
		b.check("page forward")
	}

	// Similar articles of the first hit, inline.
	first := page2[0]
	var simWant search.Results
	var simErr struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	simStatus := apiC.get("/v1/articles/"+url.PathEscape(first)+"/similar", url.Values{"size": {"5"}}, &simWant)
	if simStatus != http.StatusOK {
		apiC.get("/v1/articles/"+url.PathEscape(first)+"/similar", url.Values{"size": {"5"}}, &simErr)
	}
	b.do("similar", chromedp.Click(chromedp.CSS(`li.hit:first-child button.similar-toggle`)))
	b.wait("similar", `(() => { const s = document.querySelector('li.hit:first-child div.similar'); return !s.hidden && !/Looking/.test(s.textContent); })()`)
	b.checkSimilar("similar (search)", `li.hit:first-child div.similar`, simStatus, simWant, simErr.Error.Message)
	if got := eval[string](b, `document.querySelector('li.hit:first-child button.similar-toggle').getAttribute('aria-expanded')`); got != "true" {
		t.Errorf("similar: toggle aria-expanded=%s", got)
	}
	b.check("similar")

	// 7. Open the article.
	searchURL := b.location()
	var art api.ArticleView
	apiC.get("/v1/articles/"+url.PathEscape(first), nil, &art)
	b.do("open article", chromedp.Click(chromedp.CSS(`li.hit:first-child h3 a`)))
	b.wait("open article", `location.pathname.startsWith('/article/') && document.querySelector('article.article h1') !== null && document.querySelector('#article-similar') !== null && !/Looking/.test(document.querySelector('#article-similar').textContent) && document.querySelector('#article-similar').textContent !== ''`)
	if u, _ := url.Parse(b.location()); u.Path != "/article/"+url.PathEscape(first) {
		t.Errorf("open article: at %s, want /article/%s", u.Path, first)
	}
	if got := eval[string](b, `document.activeElement.tagName`); got != "H1" {
		t.Errorf("open article: focus on %s, want the heading", got)
	}
	if got := eval[string](b, `document.querySelector('article.article h1').textContent`); got != art.Title {
		t.Errorf("open article: title %q, want %q", got, art.Title)
	}
	paras := eval[[]string](b, `[...document.querySelectorAll('article.article .body p')].map(p => p.textContent)`)
	if strings.Join(strings.Fields(strings.Join(paras, " ")), " ") != strings.Join(strings.Fields(art.Body), " ") {
		t.Errorf("open article: body paragraphs do not add up to the article body")
	}
	mentions := eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('.entity-group li')].map(li => [li.querySelector('a').textContent, (li.querySelector('.count') || {}).textContent || '']))`)
	for _, e := range art.People {
		if slices.ContainsFunc(art.Leaders, func(l newsdex.Entity) bool { return l.Name == e.Name }) {
			continue
		}
		if got, ok := mentions[e.Name]; !ok || strings.TrimSpace(got) != fmt.Sprintf("×%d", e.Count) {
			t.Errorf("open article: person %s shown with %q, want ×%d", e.Name, got, e.Count)
		}
	}
	if hasSrc := eval[bool](b, `document.querySelector('.source-link a') !== null`); hasSrc != strings.HasPrefix(art.URL, "http") {
		t.Errorf("open article: source link shown=%v for URL %q", hasSrc, art.URL)
	}
	// The article page lists neighbours around the article's date
	// (article.js SIMILAR_DAYS), and "any time" all of them.
	artSim, artStatus := simWant, simStatus
	if art.Published != "" {
		artSim = search.Results{}
		artStatus = apiC.get("/v1/articles/"+url.PathEscape(first)+"/similar", url.Values{"size": {"8"}, "within_days": {"30"}}, &artSim)
		if got := eval[bool](b, `document.querySelector('fieldset.similar-when input[value=around]').checked`); !got {
			t.Errorf("open article: the similar switch is not at around this date by default")
		}
	}
	b.checkSimilar("similar (article)", `#article-similar`, artStatus, artSim, simErr.Error.Message)
	if art.Published != "" {
		b.do("similar any time", chromedp.Click(chromedp.CSS(`fieldset.similar-when input[value=any]`)))
		b.wait("similar any time", `new URLSearchParams(location.search).get('similar') === 'any' && !/Looking/.test(document.querySelector('#article-similar').textContent)`)
		b.checkSimilar("similar (article, any time)", `#article-similar`, simStatus, simWant, simErr.Error.Message)
	}
	b.shot(shots + "-article")
	b.check("open article")

	// Back to the results: the URL state comes back with the page.
	b.do("back", chromedp.NavigateBack())
	b.wait("back", `location.pathname === '/' && (`+settled+`) && document.querySelectorAll('li.hit').length > 0`)
	if got := b.location(); got != searchURL {
		t.Errorf("back: at %s, want %s", got, searchURL)
	}
	if got := b.hitIDs(); !slices.Equal(got, page2) {
		t.Errorf("back: hits %v, want the same page again %v", got, page2)
	}
	b.check("back")
}

// conceptEmbedder embeds a text as its counts of a few concept words (the
// other words do not count), L2-normalised: texts about the same concept
// are near in meaning whatever their words, so the page's semantic
// neighbours are known in advance. A text without concept words points
// along a dimension of its own, far from every query.
type conceptEmbedder struct{}

// concepts maps each concept word to its dimension; dimension 3 holds
// texts without any.
var concepts = map[string]int{
	"pipeline": 0, "gas": 0, "oil": 0, "crude": 0, "fuel": 0, "energy": 0, "petroleum": 0,
	"summit": 1, "leaders": 1, "talks": 1, "treaty": 1, "diplomats": 1,
	"library": 2, "books": 2, "museum": 2,
}

func (conceptEmbedder) Name() string { return "test-concepts" }

func (conceptEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = conceptVector(t)
	}
	return out, nil
}

func conceptVector(text string) []float32 {
	v := make([]float32, 4)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return r < 'a' || r > 'z' }) {
		if d, ok := concepts[w]; ok {
			v[d]++
		}
	}
	var n float64
	for _, x := range v {
		n += float64(x * x)
	}
	if n == 0 {
		v[3], n = 1, 1
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(n))
	}
	return v
}

// Ids of the match fixture's articles, by what a search for "pipeline
// summit" makes of them.
const (
	matchBoth     = "m1" // pipeline and summit
	matchBoth2    = "m2"
	matchPipeline = "m3" // pipeline only: partial, missing summit
	matchSummit   = "m4" // summit only: partial, missing pipeline
	matchEnergy   = "m5" // neither word, but about energy: a semantic neighbour of pipeline
	matchLibrary  = "m6" // nothing in common
)

// matchIndex builds an index of a few articles written for the match
// markers, with concept vectors, and an engine that embeds queries the
// same way, so that hybrid search (the default mode there) has partial
// matches and semantic neighbours to show.
func matchIndex(t *testing.T) *search.Engine {
	t.Helper()
	day := func(m, d int) time.Time { return time.Date(2025, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	ent := func(names ...string) []newsdex.Entity {
		var out []newsdex.Entity
		for _, n := range names {
			out = append(out, newsdex.Entity{Name: n, Count: 1, First: -1})
		}
		return out
	}
	arts := []newsdex.Article{
		{ID: matchBoth, Title: "Pipeline deal signed at summit", Outlet: "Wire A", Published: day(3, 1), People: ent("Xi Jinping", "Vladimir Putin"),
			Body: "Leaders signed a gas pipeline deal at the summit in Moscow on Tuesday."},
		{ID: matchBoth2, Title: "Summit ends without a pipeline deal", Outlet: "Wire B", Published: day(3, 5), People: ent("Xi Jinping"),
			Body: "The summit in Beijing ended without agreement on the pipeline."},
		{ID: matchPipeline, Title: "Pipeline repairs delayed again", Outlet: "Wire A", Published: day(2, 10),
			Body: "Repairs to the damaged pipeline were delayed by storms, engineers said."},
		{ID: matchSummit, Title: "Summit on schools opens", Outlet: "Wire B", Published: day(1, 20),
			Body: "Teachers gathered at the summit to discuss schools and exams."},
		{ID: matchEnergy, Title: "Crude prices climb", Outlet: "Wire A", Published: day(3, 3),
			Body: "Crude oil and fuel prices climbed as energy demand rose."},
		{ID: matchLibrary, Title: "Library reopens", Outlet: "Wire C", Published: day(3, 4),
			Body: "The town library reopened with new books and a cafe."},
	}
	emb := conceptEmbedder{}
	for i := range arts {
		a := &arts[i]
		a.Passages = chunk.Split(a.Body, chunk.Options{})
		vs, err := emb.Embed(context.Background(), index.EmbedTexts(a))
		if err != nil {
			t.Fatal(err)
		}
		a.Embeddings = &newsdex.Embeddings{Model: emb.Name(), Vectors: vs}
	}
	ix, err := index.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Add(context.Background(), arts); err != nil {
		t.Fatalf("index: %v", err)
	}
	eng, err := search.New(ix, search.WithEmbedder(emb))
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// countAt reads the facet count shown by the button sel.
func (b *browser) countAt(sel string) int {
	b.t.Helper()
	return eval[int](b, `Number(document.querySelector('`+sel+` .count').textContent.replace(/\D/g, ''))`)
}

// matchFlow checks the match markers over the match fixture: the words
// toggle, partial matches with their missing words, semantic neighbours,
// facet clicks that reproduce their counts, any of / all of between the
// values of one filter, related counts and the pager.
func (b *browser) matchFlow(base string, apiC apiClient) {
	t := b.t
	t.Helper()
	both := "pipeline summit"

	// All words (the default): the two articles with both words match;
	// the two with one of them are listed, marked with what they miss.
	want := apiC.search(url.Values{"q": {both}})
	if want.Mode != search.ModeHybrid {
		t.Fatalf("match fixture: default mode %s, want hybrid (the fixture has vectors)", want.Mode)
	}
	b.do("all words", chromedp.Navigate(base+"/?"+url.Values{"q": {both}}.Encode()))
	b.wait("all words", settled)
	if got := b.shownTotal(); got != int(want.Total) || got != 2 {
		t.Errorf("all words: page shows %d articles, API %d, want 2 (%s, %s)", got, want.Total, matchBoth, matchBoth2)
	}
	if !eval[bool](b, `document.querySelector('#op-all').checked && !document.querySelector('#op-any').checked`) {
		t.Errorf("all words: the toggle does not show All words")
	}
	if got := b.hitIDs(); !slices.Equal(got, ids(want)) {
		t.Errorf("all words: hits %v, want %v", got, ids(want))
	}
	partials := 0
	for _, h := range want.Hits {
		note := eval[string](b, `(document.querySelector('li.hit[data-id="`+h.ID+`"] .match-note') || {}).textContent || ''`)
		switch h.Match {
		case search.MatchAll:
			if note != "" {
				t.Errorf("all words: full match %s is marked %q", h.ID, note)
			}
		case search.MatchPartial:
			partials++
			struck := eval[[]string](b, `[...document.querySelectorAll('li.hit[data-id="`+h.ID+`"] .missing s')].map(s => s.textContent)`)
			if wantNote := "Missing: " + strings.Join(h.Missing, " "); note != wantNote || !slices.Equal(struck, h.Missing) || len(h.Missing) == 0 {
				t.Errorf("all words: partial match %s shows %q with %v struck through, want %q", h.ID, note, struck, wantNote)
			}
		}
	}
	for id, missing := range map[string]string{matchPipeline: "summit", matchSummit: "pipeline"} {
		i := slices.IndexFunc(want.Hits, func(h search.Hit) bool { return h.ID == id })
		if i < 0 || want.Hits[i].Match != search.MatchPartial || !slices.Equal(want.Hits[i].Missing, []string{missing}) {
			t.Errorf("all words: API lists %s as %+v, want a partial match missing %s", id, want.Hits, missing)
		}
	}
	if partials == 0 {
		t.Errorf("all words: no partial match among the hits %v", ids(want))
	}
	if want.Related > 0 {
		if got := eval[string](b, `(document.querySelector('.status .related-count') || {}).textContent || ''`); !strings.Contains(got, fmt.Sprintf("%d related", want.Related)) {
			t.Errorf("all words: status says %q about related hits, want %d related", got, want.Related)
		}
	}
	b.shot("match-partial")
	b.check("all words")

	// The query help lists the syntax with its examples.
	b.do("help", chromedp.Click(chromedp.CSS(`#q-help-summary`)))
	b.wait("help", `document.querySelector('details.help').open`)
	examples := eval[[]string](b, `[...document.querySelectorAll('details.help dt code')].map(c => c.textContent)`)
	for _, want := range []string{"putin xi", "sanctions NEAR/5 oil", "author:haberman", "putin xi OR gas"} {
		if !slices.Contains(examples, want) {
			t.Errorf("help: examples %q lack %q", examples, want)
		}
	}
	b.save("match-help", chromedp.Screenshot(chromedp.CSS("form.search")))
	b.do("help", chromedp.Click(chromedp.CSS(`#q-help-summary`)))
	b.check("help")

	// Any word: the toggle puts op=or in the URL and the total becomes
	// the articles with either word.
	b.do("any word", chromedp.Click(chromedp.CSS(`#op-any`)))
	b.wait("any word", `new URLSearchParams(location.search).get('op') === 'or' && (`+settled+`)`)
	anyWant := apiC.search(url.Values{"q": {both}, "op": {"or"}})
	if got := b.shownTotal(); got != int(anyWant.Total) || got != 4 {
		t.Errorf("any word: page shows %d articles, API %d, want 4", got, anyWant.Total)
	}
	if n := eval[int](b, `document.querySelectorAll('li.hit .missing').length`); n != 0 {
		t.Errorf("any word: %d hits marked missing words", n)
	}
	b.do("all words again", chromedp.Click(chromedp.CSS(`#op-all`)))
	b.wait("all words again", `!new URLSearchParams(location.search).has('op') && (`+settled+`)`)
	if got := b.shownTotal(); got != int(want.Total) {
		t.Errorf("all words again: page shows %d articles, want %d", got, want.Total)
	}
	b.check("any word")

	// The pager counts the related hits the list holds: one hit a page.
	pages := int(want.Total + want.Related)
	b.do("pager", chromedp.Navigate(base+"/?"+url.Values{"q": {both}, "size": {"1"}}.Encode()))
	b.wait("pager", settled)
	nums := eval[[]string](b, `[...document.querySelectorAll('nav.pager li a[aria-label^="Page "], nav.pager .current')].map(a => a.textContent)`)
	if len(nums) == 0 || nums[len(nums)-1] != strconv.Itoa(pages) {
		t.Errorf("pager: page numbers %v, want the last %d (total %d + related %d)", nums, pages, want.Total, want.Related)
	}
	b.do("last page", chromedp.Click(chromedp.CSS(`nav.pager a[aria-label="Page `+strconv.Itoa(pages)+`"]`)))
	b.wait("last page", `new URLSearchParams(location.search).get('page') === '`+strconv.Itoa(pages)+`' && (`+settled+`)`)
	if n := len(b.hitIDs()); n != 1 {
		t.Errorf("last page %d: %d hits, want 1", pages, n)
	}
	if eval[bool](b, `document.querySelector('nav.pager a[rel=next]') !== null`) {
		t.Errorf("last page %d: the pager links a next page", pages)
	}
	b.check("pager")

	// A semantic neighbour: the energy article has neither word of
	// "pipeline" but is near it in meaning; it is listed, marked and not
	// counted.
	q := "pipeline"
	want = apiC.search(url.Values{"q": {q}})
	b.do("semantic neighbour", chromedp.Navigate(base+"/?"+url.Values{"q": {q}}.Encode()))
	b.wait("semantic neighbour", settled)
	i := slices.IndexFunc(want.Hits, func(h search.Hit) bool { return h.ID == matchEnergy })
	if i < 0 || want.Hits[i].Match != search.MatchSemantic {
		t.Fatalf("semantic neighbour: API hits %+v, want %s marked semantic", want.Hits, matchEnergy)
	}
	if got := b.shownTotal(); got != int(want.Total) || got != 3 {
		t.Errorf("semantic neighbour: page shows %d articles, API %d, want 3 (the neighbour not counted)", got, want.Total)
	}
	if got := eval[string](b, `(document.querySelector('li.hit[data-id="`+matchEnergy+`"] .match-semantic') || {}).textContent || ''`); got != "Related by meaning" {
		t.Errorf("semantic neighbour: %s marked %q, want Related by meaning", matchEnergy, got)
	}
	if n := eval[int](b, `document.querySelectorAll('li.hit .match-semantic').length`); n != 1 {
		t.Errorf("semantic neighbour: %d hits marked related by meaning, want 1", n)
	}
	b.shot("match-semantic")
	b.check("semantic neighbour")

	// Facet clicks in hybrid mode give the count the facet showed: the
	// neighbour from Wire A is not in it.
	outlet := eval[string](b, `document.querySelector('#facet-outlet li:first-child button').dataset.value`)
	outletCount := b.countAt(`#facet-outlet li:first-child button`)
	b.do("outlet facet", chromedp.Click(chromedp.CSS(`#facet-outlet li:first-child button`)))
	b.wait("outlet facet", `new URLSearchParams(location.search).get('outlet') !== null && (`+settled+`)`)
	if got := b.shownTotal(); got != outletCount || outlet != "Wire A" || got != 2 {
		t.Errorf("outlet facet %s: page shows %d articles, the facet said %d, want Wire A with 2", outlet, got, outletCount)
	}
	b.do("clear outlet", chromedp.Click(chromedp.CSS(`.active button.filter[data-filter="outlet"]`)))
	b.wait("clear outlet", `new URLSearchParams(location.search).get('outlet') === null && (`+settled+`)`)

	// Two people: any of them (the default), then all of them.
	for _, name := range []string{"Xi Jinping", "Vladimir Putin"} {
		sel := `#facet-person button[data-value=` + jsString(name) + `]`
		count := b.countAt(sel)
		b.do("person "+name, chromedp.Click(chromedp.CSS(sel)))
		b.wait("person "+name, `new URLSearchParams(location.search).getAll('person').includes(`+jsString(name)+`) && (`+settled+`)`)
		if name == "Xi Jinping" {
			if got := b.shownTotal(); got != count {
				t.Errorf("person facet %s: page shows %d articles, the facet said %d", name, got, count)
			}
		}
	}
	people := url.Values{"q": {q}, "person": {"Xi Jinping", "Vladimir Putin"}}
	if got, want := b.shownTotal(), apiC.search(people).Total; got != int(want) {
		t.Errorf("two people (any): page shows %d articles, API %d", got, want)
	}
	if !eval[bool](b, `document.querySelector('#op-person-any').checked`) {
		t.Errorf("two people: the any of / all of control is missing or not on any")
	}
	b.do("all people", chromedp.Click(chromedp.CSS(`#op-person-all`)))
	b.wait("all people", `new URLSearchParams(location.search).get('person_op') === 'and' && (`+settled+`)`)
	people.Set("person_op", "and")
	if got, want := b.shownTotal(), apiC.search(people).Total; got != int(want) || got != 1 {
		t.Errorf("two people (all): page shows %d articles, API %d, want 1 (%s)", got, want, matchBoth)
	}
	b.shot("match-people")
	b.check("people any/all")

	// Count related hits too: each facet value shows its related hits
	// apart from its count.
	b.do("count related", chromedp.Navigate(base+"/?"+url.Values{"q": {q}}.Encode()))
	b.wait("count related", settled)
	b.do("count related", chromedp.Click(chromedp.CSS(`#count-related`)))
	b.wait("count related", `new URLSearchParams(location.search).get('count') === 'related' && (`+settled+`)`)
	rel := apiC.search(url.Values{"q": {q}, "count": {"related"}})
	shown := 0
	for _, bk := range rel.Facets["outlets"] {
		sel := `#facet-outlet button[data-value=` + jsString(bk.Value) + `]`
		got := eval[string](b, `(document.querySelector('`+sel+` .related-count') || {}).textContent || ''`)
		wantText := ""
		if bk.Related > 0 {
			wantText = fmt.Sprintf("+%d related", bk.Related)
			shown++
		}
		if got != wantText || b.countAt(sel) != bk.Count {
			t.Errorf("count related: outlet %s shows %d and %q, API count %d related %d", bk.Value, b.countAt(sel), got, bk.Count, bk.Related)
		}
	}
	if shown == 0 {
		t.Errorf("count related: no outlet has related hits in %+v, want Wire A with the neighbour", rel.Facets["outlets"])
	}
	b.shot("match-count-related")
	b.check("count related")
}

// outletTotals returns each outlet's article count in the whole index,
// as /v1/entities gives it: the denominators of the entity pages' shares.
func (c apiClient) outletTotals() map[string]int {
	c.t.Helper()
	var r api.EntitiesResponse
	if code := c.get("/v1/entities", url.Values{"type": {"outlet"}, "size": {"100"}}, &r); code != http.StatusOK {
		c.t.Fatalf("GET /v1/entities?type=outlet: status %d", code)
	}
	out := make(map[string]int, len(r.Entities))
	for _, e := range r.Entities {
		out[e.Name] = e.Count
	}
	return out
}

// resolution returns the API's reading of the only value of filter f.
func resolution(t *testing.T, r search.Results, f string) search.Resolution {
	t.Helper()
	rs := r.FiltersResolved[f]
	if len(rs) != 1 {
		t.Fatalf("filters_resolved[%s] = %+v, want one reading", f, r.FiltersResolved)
	}
	return rs[0]
}

// resolveFlow checks forgiving filters in the page at base: a person
// given in another spelling, in the URL and in the filter box, shows the
// canonical chip and total and moves the URL to the canonical value; an
// unknown person shows the API's suggestions, and one click on a
// suggestion gives its count.
func (b *browser) resolveFlow(base string, apiC apiClient, canonical, spelt, typed, unknown string) {
	t := b.t
	t.Helper()
	want := apiC.search(url.Values{"person": {canonical}})
	if want.Total == 0 {
		t.Fatalf("resolve: person %s has no article", canonical)
	}

	// Another spelling in the URL.
	res := apiC.search(url.Values{"person": {spelt}})
	r := resolution(t, res, "person")
	if r.Value != canonical || r.How == search.ResolvedExact || r.How == search.ResolvedNone || res.Total != want.Total {
		t.Fatalf("resolve: API reads person=%s as %+v with %d articles, want %s (not exact) with %d", spelt, r, res.Total, canonical, want.Total)
	}
	b.do("spelling", chromedp.Navigate(base+"/?"+url.Values{"person": {spelt}}.Encode()))
	b.wait("spelling", `new URLSearchParams(location.search).getAll('person').join('|') === `+jsString(canonical)+` && (`+settled+`) && document.querySelector('.active button.filter.read') !== null`)
	chip := eval[map[string]string](b, `(() => { const c = document.querySelector('.active button.filter[data-filter="person"]'); return {value: c.dataset.value, given: c.dataset.given || '', how: c.dataset.how || '', text: c.textContent}; })()`)
	if chip["value"] != canonical || chip["given"] != spelt || chip["how"] != r.How || !strings.Contains(chip["text"], spelt+" → "+canonical) {
		t.Errorf("spelling: chip %v, want %s → %s read by %s", chip, spelt, canonical, r.How)
	}
	if got := b.shownTotal(); got != int(want.Total) {
		t.Errorf("spelling: page shows %d articles, API %d for %s", got, want.Total, canonical)
	}
	// The URL was replaced, not reloaded: one search ran (the others are
	// the chart's finer histograms, which ask for facets=published).
	searches := eval[[]string](b, `performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/v1/search?') && !n.includes('facets=published'))`)
	if len(searches) != 1 {
		t.Errorf("spelling: the page ran %d searches %v, want 1", len(searches), searches)
	}
	// The facet counts the canonical value, selected.
	sel := `#facet-person button[aria-pressed="true"]`
	if got := eval[string](b, `document.querySelector('`+sel+`').dataset.value`); got != canonical || b.countAt(sel) != int(want.Total) {
		t.Errorf("spelling: selected person facet %q with %d, want %s with %d", got, b.countAt(sel), canonical, want.Total)
	}
	b.shot("resolve-spelling")
	// A later click keeps the canonical value: the histogram's tallest bar.
	b.do("spelling bar", chromedp.Click(chromedp.CSS(`svg.volume a.bar`)))
	b.wait("spelling bar", `new URLSearchParams(location.search).get('from') !== null && (`+settled+`)`)
	if p := b.params("spelling bar", "/"); p.Get("person") != canonical {
		t.Errorf("spelling bar: URL state %v, want person=%s", p, canonical)
	}
	b.check("spelling")

	// The filter box: names are offered as one types; a name typed and
	// submitted as is goes to the API, whose reading makes the chip.
	b.do("filter box", chromedp.Navigate(base+"/"))
	b.wait("filter box", settled)
	prefix := strings.ToLower(strings.Fields(canonical)[0])
	var names api.EntitiesResponse
	apiC.get("/v1/entities", url.Values{"type": {"person"}, "prefix": {prefix}, "size": {"10"}}, &names)
	var wantNames []string
	for _, e := range names.Entities {
		wantNames = append(wantNames, e.Name)
	}
	if !slices.Contains(wantNames, canonical) {
		t.Fatalf("filter box: /v1/entities offers %v for %q, want %s among them", wantNames, prefix, canonical)
	}
	wantJSON, _ := json.Marshal(wantNames)
	b.do("filter box names", chromedp.SendKeys(chromedp.ID("af-value"), prefix))
	b.wait("filter box names", `JSON.stringify([...document.querySelectorAll('#af-list option')].map(o => o.value)) === `+jsString(string(wantJSON)))
	res = apiC.search(url.Values{"person": {typed}})
	if r := resolution(t, res, "person"); r.Value != canonical || r.How == search.ResolvedNone {
		t.Fatalf("resolve: API reads person=%s as %+v, want %s", typed, r, canonical)
	}
	b.do("filter box submit", chromedp.Evaluate[chromedp.Void](`document.getElementById('af-value').value = ''`), chromedp.SendKeys(chromedp.ID("af-value"), typed+"\r"))
	b.wait("filter box submit", `new URLSearchParams(location.search).getAll('person').join('|') === `+jsString(canonical)+` && (`+settled+`) && document.querySelector('.active button.filter[data-filter="person"]') !== null`)
	if got := eval[string](b, `document.querySelector('.active button.filter[data-filter="person"]').dataset.given || ''`); got != typed {
		t.Errorf("filter box: chip read from %q, want the typed %q", got, typed)
	}
	if got := b.shownTotal(); got != int(want.Total) {
		t.Errorf("filter box: page shows %d articles, API %d for %s", got, want.Total, canonical)
	}
	if got := eval[string](b, `document.querySelector('#af-value').value`); got != "" {
		t.Errorf("filter box: still holds %q after submitting", got)
	}
	b.shot("resolve-filter-box")
	b.check("filter box")

	// An unknown person: no hit, a notice, the API's suggestions.
	res = apiC.search(url.Values{"person": {unknown}})
	if r := resolution(t, res, "person"); r.How != search.ResolvedNone || res.Total != 0 || len(res.Suggestions["person"]) == 0 {
		t.Fatalf("resolve: API reads person=%s as %+v with %d articles and suggestions %v, want none, 0 and some", unknown, r, res.Total, res.Suggestions)
	}
	sugg := res.Suggestions["person"]
	b.do("unknown", chromedp.Navigate(base+"/?"+url.Values{"person": {unknown}}.Encode()))
	b.wait("unknown", settled+` && document.querySelector('.unknown-filter[data-filter="person"]') !== null`)
	if got := b.shownTotal(); got != 0 {
		t.Errorf("unknown: page shows %d articles, want 0", got)
	}
	if got, wantText := eval[string](b, `document.querySelector('.unknown-filter .unknown-what').textContent`), `No person called "`+unknown+`".`; got != wantText {
		t.Errorf("unknown: notice %q, want %q", got, wantText)
	}
	shown := eval[[][]string](b, `[...document.querySelectorAll('.unknown-filter ul.suggestions a')].map(a => [a.dataset.value, a.dataset.count])`)
	var wantSugg [][]string
	for _, s := range sugg {
		wantSugg = append(wantSugg, []string{s.Value, strconv.Itoa(s.Count)})
	}
	if !slices.EqualFunc(shown, wantSugg, slices.Equal) {
		t.Errorf("unknown: suggestions %v, want the API's %v", shown, wantSugg)
	}
	b.shot("resolve-unknown")
	b.do("suggestion", chromedp.Click(chromedp.CSS(`.unknown-filter ul.suggestions li:first-child a`)))
	b.wait("suggestion", `new URLSearchParams(location.search).getAll('person').join('|') === `+jsString(sugg[0].Value)+` && (`+settled+`)`)
	if got, api := b.shownTotal(), apiC.search(url.Values{"person": {sugg[0].Value}}).Total; got != sugg[0].Count || got != int(api) {
		t.Errorf("suggestion %s: page shows %d articles, the suggestion said %d, API %d", sugg[0].Value, got, sugg[0].Count, api)
	}
	if eval[bool](b, `document.querySelector('.unknown-filter') !== null`) {
		t.Errorf("suggestion: the unknown notice stays")
	}
	b.check("unknown")
}

// checkShares asserts that the entity page's outlets list shows, for each
// outlet, its count and its share of the outlet's articles in the whole
// index, in the given order.
func (b *browser) checkShares(step string, buckets []search.Bucket, totals map[string]int) {
	b.t.Helper()
	rows := eval[[]map[string]string](b, `[...document.querySelectorAll('section.outlets-share ol.ranked-list li')].map(li => ({value: li.dataset.value, count: li.dataset.count, total: li.dataset.total || '', share: (li.querySelector('.share') || {}).textContent || ''}))`)
	if len(rows) != len(buckets) {
		b.t.Errorf("%s: %d outlets listed, want %d", step, len(rows), len(buckets))
		return
	}
	for i, bk := range buckets {
		total := totals[bk.Value]
		pct := math.Round(1000*float64(bk.Count)/float64(total)) / 10
		want := map[string]string{"value": bk.Value, "count": strconv.Itoa(bk.Count), "total": strconv.Itoa(total), "share": fmt.Sprintf("%.1f%% of its articles", pct)}
		if total == 0 || !maps.Equal(rows[i], want) {
			b.t.Errorf("%s: outlet %d shows %v, want %v", step, i+1, rows[i], want)
		}
	}
}

// entityFlow checks an entity page reached by another spelling: it shows
// the canonical page, and its outlets with their shares, by count and by
// share (reorder: the fixture is known to order them differently).
func (b *browser) entityFlow(base string, apiC apiClient, canonical, spelt, unknown string, reorder bool) {
	t := b.t
	t.Helper()
	ent := apiC.search(url.Values{"person": {canonical}, "facets": {"outlets"}, "facet_size": {"11"}, "size": {"1"}})
	totals := apiC.outletTotals()
	r := resolution(t, apiC.search(url.Values{"person": {spelt}}), "person")
	b.do("entity spelling", chromedp.Navigate(base+"/person/"+url.PathEscape(spelt)))
	b.wait("entity spelling", `document.querySelector('.entity-grid') !== null && location.pathname === `+jsString("/person/"+url.PathEscape(canonical)))
	if got := eval[string](b, `document.querySelector('.entity-head h1').textContent`); got != canonical {
		t.Errorf("entity spelling: heading %q, want %q", got, canonical)
	}
	if got := eval[string](b, `(document.querySelector('.entity-read') || {}).textContent || ''`); !strings.Contains(got, spelt) || !strings.Contains(got, canonical) || r.How == search.ResolvedExact {
		t.Errorf("entity spelling: says %q (API read %+v), want how %s was read as %s", got, r, spelt, canonical)
	}
	if got := eval[string](b, `document.querySelector('.entity-total strong').textContent`); got != plural(int(ent.Total)) {
		t.Errorf("entity spelling: total %q, want %q", got, plural(int(ent.Total)))
	}
	outlets := ent.Facets["outlets"]
	outlets = outlets[:min(10, len(outlets))] // the page lists ten
	if len(outlets) < 2 {
		t.Fatalf("entity spelling: %s has outlets %v, want two or more to order", canonical, outlets)
	}
	b.checkShares("entity shares by count", outlets, totals)
	b.shot("entity-shares-" + strings.ToLower(strings.ReplaceAll(canonical, " ", "-")))
	byShare := slices.Clone(outlets)
	slices.SortStableFunc(byShare, func(x, y search.Bucket) int {
		return -cmp.Compare(float64(x.Count)/float64(totals[x.Value]), float64(y.Count)/float64(totals[y.Value]))
	})
	b.do("order by share", chromedp.Click(chromedp.CSS(`section.outlets-share button[data-order="share"]`)))
	b.wait("order by share", `document.querySelector('section.outlets-share button[data-order="share"]').getAttribute('aria-pressed') === 'true'`)
	b.checkShares("entity shares by share", byShare, totals)
	if reorder && slices.Equal(outletNames(byShare), outletNames(outlets)) {
		t.Errorf("entity shares: by share %v is the order by count: the fixture does not test the order", outletNames(byShare))
	}
	b.do("order by count", chromedp.Click(chromedp.CSS(`section.outlets-share button[data-order="count"]`)))
	b.wait("order by count", `document.querySelector('section.outlets-share button[data-order="count"]').getAttribute('aria-pressed') === 'true'`)
	b.checkShares("entity shares by count again", outlets, totals)
	b.check("entity spelling")

	// An unknown name: the closest names, each a link to its page.
	res := apiC.search(url.Values{"person": {unknown}})
	sugg := res.Suggestions["person"]
	if r := resolution(t, res, "person"); r.How != search.ResolvedNone || len(sugg) == 0 {
		t.Fatalf("entity unknown: API reads person=%s as %+v with suggestions %v, want none and some", unknown, r, sugg)
	}
	b.do("entity unknown", chromedp.Navigate(base+"/person/"+url.PathEscape(unknown)))
	b.wait("entity unknown", `document.querySelector('.unknown-filter ul.suggestions a') !== null`)
	if got, want := eval[string](b, `document.querySelector('.unknown-filter .unknown-what').textContent`), `No person called "`+unknown+`".`; got != want {
		t.Errorf("entity unknown: notice %q, want %q", got, want)
	}
	b.do("entity suggestion", chromedp.Click(chromedp.CSS(`.unknown-filter ul.suggestions li:first-child a`)))
	b.wait("entity suggestion", `document.querySelector('.entity-grid') !== null && document.querySelector('.entity-head h1').textContent === `+jsString(sugg[0].Value))
	if got := eval[string](b, `document.querySelector('.entity-total strong').textContent`); got != plural(sugg[0].Count) {
		t.Errorf("entity suggestion %s: total %q, the suggestion said %d", sugg[0].Value, got, sugg[0].Count)
	}
	b.check("entity unknown")
}

func outletNames(bs []search.Bucket) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Value
	}
	return out
}

// alertKey is the write key of the alerts test server.
const alertKey = "browser-alerts-key-0123456789"

// webhookCall is one delivery the test receiver got.
type webhookCall struct {
	body            []byte
	delivery, sigHd string
}

// alertServer starts the real API over a small index with a Writer and
// alerts (private webhooks allowed, as serve --alerts-allow-private),
// matched as articles are written, as serve wires them.
func alertServer(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := index.Open(filepath.Join(dir, "ix"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	first := newsdex.Article{ID: "harbour-1", Title: "Harbour reopens after the storm", Outlet: "Port News",
		Published: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Body: "The harbour reopened after the storm. Ferries run again."}
	first.Passages = chunk.Split(first.Body, chunk.Options{})
	if err := ix.Add(ctx, []newsdex.Article{first}); err != nil {
		t.Fatal(err)
	}
	eng, err := search.New(ix)
	if err != nil {
		t.Fatal(err)
	}
	m, err := alert.Open(dir, eng, alert.Options{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	x, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(ix, x, slog.New(slog.DiscardHandler))
	svc.Watch = m
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := m.Run(runCtx); err != nil {
			t.Errorf("alerts: %v", err)
		}
	}()
	t.Cleanup(func() {
		stop()
		<-done
		m.Close()
	})
	srv := httptest.NewServer(api.New(eng, slog.New(slog.DiscardHandler), api.Options{Writer: svc, Alerts: m, APIKeys: []string{alertKey}}).Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// keyed sends a request with the alerts server's write key and returns
// the status and body.
func keyed(t *testing.T, method, u, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+alertKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// alertFlow saves a search as an alert from the search page, against a
// local webhook receiver: a wrong key and a refused webhook URL are shown
// as the API's errors, the secret is shown once, the alerts page lists
// the alert, a matching article written through the API shows up there
// as a delivery (and at the receiver, signed with that secret), and the
// alert is deleted after a confirmation.
func (b *browser) alertFlow() {
	t := b.t
	t.Helper()
	base := alertServer(t)
	calls := make(chan webhookCall, 16)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case calls <- webhookCall{body: body, delivery: r.Header.Get("X-Newsdex-Delivery"), sigHd: r.Header.Get("X-Newsdex-Signature")}:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	hook := recv.URL + "/hook"

	// 1. The form opens over the search shown, the name taken from it.
	searched := url.Values{"q": {"harbour"}, "outlet": {"Port News"}}
	b.do("alert search", chromedp.Navigate(base+"/?"+searched.Encode()))
	b.wait("alert search", settled)
	if got := b.shownTotal(); got != 1 {
		t.Fatalf("alert search: page shows %d articles, want 1", got)
	}
	b.do("alert form", chromedp.Click(chromedp.CSS(`button.alert-toggle`)))
	b.wait("alert form", `!document.querySelector('#save-alert').hidden && document.activeElement.id === 'sa-name'`)
	if got := eval[string](b, `document.querySelector('button.alert-toggle').getAttribute('aria-expanded')`); got != "true" {
		t.Errorf("alert form: toggle aria-expanded=%s", got)
	}
	if got := eval[string](b, `document.querySelector('#sa-name').value`); got != "harbour · Port News" {
		t.Errorf("alert form: name %q, want it taken from the search", got)
	}
	// Every control has a label.
	if unlabelled := eval[[]string](b, `[...document.querySelectorAll('#save-alert input, #save-alert select')].filter(el => el.labels.length === 0).map(el => el.id)`); len(unlabelled) > 0 {
		t.Errorf("alert form: controls without a label: %v", unlabelled)
	}
	if !eval[bool](b, `document.querySelector('#sa-key') !== null && document.querySelector('#sa-key').type === 'password'`) {
		t.Fatalf("alert form: no password box for the write key")
	}

	// 2. A wrong key: the API's 403, and the key box stays.
	submit := chromedp.CSS(`#save-alert button[type=submit]`)
	b.expectFailing(regexp.MustCompile(`/v1/alerts$`))
	b.do("wrong key", chromedp.SendKeys(chromedp.ID("sa-url"), "gopher://example.invalid/"),
		chromedp.SendKeys(chromedp.ID("sa-key"), "not-the-key-0123456789"), chromedp.Click(submit))
	b.wait("wrong key", `document.querySelector('#save-alert .notice-error') !== null`)
	if got := eval[string](b, `document.querySelector('#save-alert .notice-error').textContent`); got != "The write key was refused: the API key is not valid" {
		t.Errorf("wrong key: page says %q", got)
	}
	if eval[bool](b, `document.querySelector('#sa-key') === null || sessionStorage.length !== 0`) {
		t.Errorf("wrong key: the key box went away or a refused key was kept")
	}

	// 3. The right key and a URL the API refuses: its 400, on the field.
	var wantErr struct {
		Error struct{ Message, Param string } `json:"error"`
	}
	code, body := keyed(t, http.MethodPost, base+"/v1/alerts", `{"name":"x","query":{"q":"harbour"},"webhook_url":"gopher://example.invalid/"}`)
	if err := json.Unmarshal(body, &wantErr); err != nil || code != http.StatusBadRequest || wantErr.Error.Param != "webhook_url" {
		t.Fatalf("API: bad webhook URL answered %d %s", code, body)
	}
	b.do("bad url", chromedp.SetValue(chromedp.ID("sa-key"), alertKey), chromedp.Click(submit))
	b.wait("bad url", `document.querySelector('#sa-url').getAttribute('aria-invalid') === 'true' && document.activeElement.id === 'sa-url'`)
	if got := eval[string](b, `document.querySelector('#save-alert .notice-error').textContent`); got != "The alert was not saved: "+wantErr.Error.Message {
		t.Errorf("bad url: page says %q, want the API's %q", got, wantErr.Error.Message)
	}
	// The server took the key: it is kept for the session, nowhere else.
	if got := eval[string](b, `sessionStorage.getItem('newsdex.writeKey') + '|' + localStorage.length + '|' + (document.querySelector('#sa-key') === null)`); got != alertKey+"|0|true" {
		t.Errorf("bad url: key storage %q, want the key in sessionStorage only and no key box", got)
	}

	// 4. Saved: the id and the secret, shown once.
	b.do("save alert", chromedp.SetValue(chromedp.ID("sa-url"), hook), chromedp.Click(submit))
	b.wait("save alert", `document.querySelector('.alert-saved .alert-secret') !== null && document.activeElement.id === 'save-alert-h'`)
	b.expectFailing(nil)
	id := eval[string](b, `document.querySelector('.alert-saved .alert-id').textContent`)
	secret := eval[string](b, `document.querySelector('.alert-saved .alert-secret').textContent`)
	if warn := eval[string](b, `document.querySelector('.alert-saved .notice-warn').textContent`); !strings.Contains(warn, "shown only this once") {
		t.Errorf("save alert: warning %q", warn)
	}
	if strings.Contains(b.location(), alertKey) || strings.Contains(b.location(), secret) {
		t.Errorf("save alert: the key or secret is in the URL %s", b.location())
	}
	code, body = keyed(t, http.MethodGet, base+"/v1/alerts", "")
	var list api.AlertsResponse
	if err := json.Unmarshal(body, &list); err != nil || code != http.StatusOK {
		t.Fatalf("GET /v1/alerts: %d %s", code, body)
	}
	if len(list.Alerts) != 1 || secret == "" || strings.Contains(string(body), secret) {
		t.Fatalf("GET /v1/alerts: %s, want one alert and not the secret %q", body, secret)
	}
	a := list.Alerts[0]
	q, _ := json.Marshal(a.Query)
	if a.ID != id || a.Name != "harbour · Port News" || string(q) != `{"outlet":["Port News"],"q":"harbour"}` || a.WebhookURL != hook || a.Frequency != "realtime" {
		t.Errorf("GET /v1/alerts: %+v with query %s, want id %s over the page's search to %s", a, q, id, hook)
	}
	b.shot("alert-saved")
	b.check("save alert")

	// 5. The alerts page lists it; the secret is gone for good.
	b.do("alerts page", chromedp.Click(chromedp.CSS(`.alert-saved a[href="/alerts"]`)))
	item := `.alert-item[data-id=` + jsString(id) + `]`
	b.wait("alerts page", `location.pathname === '/alerts' && document.querySelector('`+item+` .no-deliveries') !== null`)
	if got := eval[string](b, `document.activeElement.tagName`); got != "H1" {
		t.Errorf("alerts page: focus on %s, want the heading", got)
	}
	shown := eval[map[string]string](b, `(() => { const i = document.querySelector('`+item+`'); return {name: i.querySelector('h2').textContent, href: i.querySelector('a.alert-search').getAttribute('href'), search: i.querySelector('a.alert-search').textContent, freq: i.querySelector('.alert-frequency').textContent, host: i.querySelector('.alert-host').textContent}; })()`)
	recvURL, _ := url.Parse(recv.URL)
	want := map[string]string{"name": "harbour · Port News", "href": "/?q=harbour&outlet=Port+News", "search": `"harbour" · outlet: Port News`, "freq": "Real time", "host": recvURL.Host}
	if !maps.Equal(shown, want) {
		t.Errorf("alerts page: shows %v, want %v", shown, want)
	}
	if eval[bool](b, `document.body.innerText.includes(`+jsString(secret)+`)`) {
		t.Errorf("alerts page: the secret is shown again")
	}

	// 6. A matching article written through the API reaches the receiver,
	// signed with the secret the page showed, and the page lists the
	// delivery without a reload. The other two do not match.
	arts := `[{"id":"harbour-2","title":"Harbour fees rise","outlet":"Port News","published":"2025-06-02","body":"Fees at the harbour rise next month."},
	          {"id":"harbour-3","title":"Harbour dredged","outlet":"Other Wire","published":"2025-06-02","body":"The harbour was dredged."},
	          {"id":"library-1","title":"Library reopens","outlet":"Port News","published":"2025-06-02","body":"The town library reopened."}]`
	if code, body := keyed(t, http.MethodPost, base+"/v1/articles", arts); code != http.StatusOK {
		t.Fatalf("POST /v1/articles: %d %s", code, body)
	}
	var call webhookCall
	select {
	case call = <-calls:
	case <-time.After(20 * time.Second):
		t.Fatalf("receiver: no delivery within 20 s of indexing a matching article")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(call.body)
	if call.sigHd != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("receiver: signature %q does not verify with the secret the page showed", call.sigHd)
	}
	var payload alert.Payload
	if err := json.Unmarshal(call.body, &payload); err != nil {
		t.Fatalf("receiver: %v: %s", err, call.body)
	}
	if payload.AlertID != id || payload.DeliveryID != call.delivery || len(payload.Articles) != 1 || payload.Articles[0].ID != "harbour-2" {
		t.Errorf("receiver: got %s (delivery header %s), want harbour-2 for alert %s", call.body, call.delivery, id)
	}
	row := item + ` tr.delivery[data-status="delivered"]`
	b.wait("delivery shown", `document.querySelector('`+row+`') !== null`)
	cells := eval[[]string](b, `[...document.querySelector('`+row+`').cells].map(c => c.textContent)`)
	if got := eval[string](b, `document.querySelector('`+row+`').dataset.id`); got != payload.DeliveryID || len(cells) != 5 || cells[0] != "Delivered" || cells[1] != "1" || cells[2] != "1" || cells[3] != "—" || cells[4] == "" {
		t.Errorf("delivery shown: row %s %v, want delivery %s delivered with 1 article at the first attempt", got, cells, payload.DeliveryID)
	}
	b.shot("alerts-page")
	b.check("alerts page")

	// Without a key for the session the page asks for one, then lists.
	b.do("forget key", chromedp.Click(chromedp.CSS(`button.forget-key`)))
	b.wait("forget key", `document.activeElement.id === 'ak-key' && sessionStorage.length === 0 && document.querySelector('.alert-item') === null`)
	b.do("enter key", chromedp.SendKeys(chromedp.ID("ak-key"), alertKey+"\r"))
	b.wait("enter key", `document.querySelector('`+row+`') !== null`)
	if got := eval[string](b, `sessionStorage.getItem('newsdex.writeKey') + '|' + localStorage.length + '|' + location.search`); got != alertKey+"|0|" {
		t.Errorf("enter key: key storage and query %q, want the key in sessionStorage only", got)
	}
	b.check("enter key")

	// 7. Delete, by keyboard, after a confirmation that can be declined.
	b.do("delete", chromedp.Focus(chromedp.CSS(item+` button.delete-alert`)), chromedp.KeyEvent("\r"))
	b.wait("delete", `document.activeElement.classList.contains('cancel-delete')`)
	b.do("keep", chromedp.KeyEvent("\r"))
	b.wait("keep", `document.activeElement.classList.contains('delete-alert')`)
	b.do("delete", chromedp.KeyEvent("\r"))
	b.wait("delete", `document.activeElement.classList.contains('cancel-delete')`)
	// A refresh of the deliveries in flight when the alert goes answers 404.
	b.expectFailing(regexp.MustCompile(`/v1/alerts/` + regexp.QuoteMeta(id) + `/deliveries$`))
	b.do("confirm delete", chromedp.Click(chromedp.CSS(item+` button.confirm-delete`)))
	b.wait("confirm delete", `document.querySelector('`+item+`') === null && document.activeElement.classList.contains('alerts-count')`)
	if got := eval[string](b, `document.querySelector('.alerts-count').textContent`); got != `Alert "harbour · Port News" deleted. No alerts left.` {
		t.Errorf("confirm delete: page says %q", got)
	}
	if code, body := keyed(t, http.MethodGet, base+"/v1/alerts/"+id, ""); code != http.StatusNotFound {
		t.Errorf("GET /v1/alerts/%s after delete: %d %s", id, code, body)
	}
	b.check("delete alert")
	b.expectFailing(nil)
}

// drawnSeries is a series of the page's timeline chart as drawn.
type drawnSeries struct {
	Label  string `json:"label"`
	Total  uint64 `json:"total"`
	Legend string `json:"legend"`
	Points []struct {
		Key   string  `json:"key"`
		Count int     `json:"count"`
		Share float64 `json:"share"`
	} `json:"points"`
}

// timelineDrawn is true when the search view's timeline shows n series
// of measure (count or share) for its URL.
func timelineDrawn(n int, measure string) string {
	return fmt.Sprintf(`(%s) && !document.querySelector('.timeline').hasAttribute('aria-busy') && (document.querySelector('.timeline figure.series-chart') || {dataset: {}}).dataset.measure === '%s' && document.querySelectorAll('.timeline g.line-series').length === %d`, settled, measure, n)
}

// drawn reads the series the timeline chart shows, with their legend
// entries.
func (b *browser) drawn() []drawnSeries {
	return eval[[]drawnSeries](b, `(() => {
		const legend = [...document.querySelectorAll('.timeline ul.legend li')];
		return [...document.querySelectorAll('.timeline g.line-series')].map((g, i) => ({
			label: g.dataset.label, total: Number(g.dataset.total),
			legend: legend[i] ? legend[i].dataset.label + ' ' + legend[i].textContent : '',
			points: [...g.querySelectorAll('.pt')].map(p => ({key: p.dataset.key, count: Number(p.dataset.count), share: Number(p.dataset.share)})),
		}));
	})()`)
}

// checkDrawn compares the drawn series with the API's timeline.
func (b *browser) checkDrawn(step string, got []drawnSeries, want *search.Timeline) {
	b.t.Helper()
	if len(got) != len(want.Series) {
		b.t.Errorf("%s: %d series drawn, /v1/timeline has %d", step, len(got), len(want.Series))
		return
	}
	for i, ws := range want.Series {
		gs := got[i]
		if gs.Label != ws.Label || gs.Total != ws.Total {
			b.t.Errorf("%s: series %d drawn as %q with %d articles, API %q with %d", step, i+1, gs.Label, gs.Total, ws.Label, ws.Total)
		}
		if !strings.HasPrefix(gs.Legend, ws.Label+" ") || !strings.Contains(gs.Legend, plural(int(ws.Total))) {
			b.t.Errorf("%s: legend entry %d says %q, want %s and %s", step, i+1, gs.Legend, ws.Label, plural(int(ws.Total)))
		}
		if len(gs.Points) != len(ws.Buckets) {
			b.t.Errorf("%s: series %s has %d points, API %d buckets", step, ws.Label, len(gs.Points), len(ws.Buckets))
			continue
		}
		for j, wb := range ws.Buckets {
			gp := gs.Points[j]
			if gp.Key != wb.Key || gp.Count != wb.Count || math.Abs(gp.Share-wb.Share) > 1e-12 {
				b.t.Errorf("%s: series %s point %d is %+v, API bucket %+v", step, ws.Label, j, gp, wb)
			}
		}
	}
}

// fetchCSV downloads the page-relative link href from the server at base
// and parses it as CSV.
func fetchCSV(t *testing.T, base, href string) ([][]string, http.Header) {
	t.Helper()
	res, err := http.Get(base + href)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: status %d, %s: %s", href, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	rows, err := csv.NewReader(res.Body).ReadAll()
	if err != nil {
		t.Fatalf("GET %s: read CSV: %v", href, err)
	}
	if !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("GET %s: Content-Disposition %q, want an attachment", href, res.Header.Get("Content-Disposition"))
	}
	return rows, res.Header
}

// linkOf returns the href of the download link sel, after checking that
// it saves as file and goes to path with the parameters want.
func (b *browser) linkOf(step, sel, path, file string, want url.Values) string {
	b.t.Helper()
	a := eval[map[string]string](b, `(() => { const a = document.querySelector('`+sel+`'); return a ? {href: a.getAttribute('href'), download: a.getAttribute('download') || ''} : {}; })()`)
	u, err := url.Parse(a["href"])
	if err != nil || u.Path != path || a["download"] != file {
		b.t.Fatalf("%s: link %v, want %s saved as %s", step, a, path, file)
	}
	got := u.Query()
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			b.t.Errorf("%s: link %s has %s=%v, want %v", step, a["href"], k, got[k], v)
		}
	}
	return a["href"]
}

// termQuery is the query the page makes of q and a term clicked (and,
// the default op): a term of more than one word goes in quotes.
func termQuery(q, term string) string {
	if regexp.MustCompile(`^[\p{L}\p{N}]+$`).MatchString(term) {
		return q + " " + term
	}
	return q + ` "` + term + `"`
}

// researchFlow checks the research tools of the search page at base: q2
// compared with q1 on the timeline, counts then shares, a split by
// outlet, the CSV downloads of the timeline, a facet and the articles,
// and a significant term added to the query.
func (b *browser) researchFlow(base string, apiC apiClient, q1, q2 string) {
	t := b.t
	t.Helper()

	// Compare: "+ compare" adds a box; the chart draws one series per
	// query, as /v1/timeline counts them, with a legend.
	b.do("compare", chromedp.Navigate(base+"/?"+url.Values{"q": {q1}}.Encode()))
	b.wait("compare", settled+` && document.querySelectorAll('svg.volume a.bar').length > 0`)
	if n := eval[int](b, `document.querySelectorAll('input.compare-q').length`); n != 0 {
		t.Errorf("compare: %d compare boxes before + compare", n)
	}
	b.do("compare add", chromedp.Click(chromedp.CSS(`button.add-compare`)))
	b.wait("compare add", `document.activeElement !== null && document.activeElement.classList.contains('compare-q')`)
	b.do("compare type", chromedp.SendKeys(chromedp.CSS(`input.compare-q`), q2+"\r"))
	b.wait("compare", `new URLSearchParams(location.search).getAll('compare').join('|') === `+jsString(q2)+` && `+timelineDrawn(2, "count"))
	var tl search.Timeline
	if code := apiC.get("/v1/timeline", url.Values{"q": {q1, q2}, "interval": {"auto"}}, &tl); code != http.StatusOK || len(tl.Series) != 2 || tl.Series[0].Total == 0 || tl.Series[1].Total == 0 {
		t.Fatalf("compare: /v1/timeline?q=%s&q=%s: status %d, %+v", q1, q2, code, tl)
	}
	b.checkDrawn("compare", b.drawn(), &tl)
	if got := b.shownTotal(); got != int(tl.Series[0].Total) {
		t.Errorf("compare: the results count %d articles, the timeline's %s series %d", got, q1, tl.Series[0].Total)
	}
	if got := eval[string](b, `document.querySelector('.timeline svg .axis-label').textContent`); got != "articles" {
		t.Errorf("compare: axis says %q, want articles", got)
	}
	// Two series are told apart by colour, dash and marker.
	styles := eval[[]string](b, `[...document.querySelectorAll('.timeline g.line-series')].map(g => getComputedStyle(g.querySelector('.line')).stroke + '|' + (g.querySelector('.line').getAttribute('stroke-dasharray') || 'solid') + '|' + g.querySelector('.pt').tagName)`)
	if len(styles) != 2 || styles[0] == styles[1] || strings.Split(styles[0], "|")[0] == strings.Split(styles[1], "|")[0] || strings.Split(styles[0], "|")[1] == strings.Split(styles[1], "|")[1] {
		t.Errorf("compare: series styles %v, want distinct colours and dashes", styles)
	}
	b.shot("research-compare")
	b.save("research-compare-chart", chromedp.Screenshot(chromedp.CSS(".timeline")))
	b.check("compare")

	// Share: the same series as count/all, in per cent, with the axis
	// saying what the denominator is.
	b.do("share", chromedp.Click(chromedp.CSS(`#measure-share`)))
	b.wait("share", `new URLSearchParams(location.search).get('chart') === 'share' && `+timelineDrawn(2, "share"))
	b.checkDrawn("share", b.drawn(), &tl)
	if got := eval[string](b, `document.querySelector('.timeline svg .axis-label').textContent`); got != "share of all articles under these filters" {
		t.Errorf("share: axis says %q", got)
	}
	ticks := eval[[]string](b, `[...document.querySelectorAll('.timeline svg text.tick')].map(t => t.textContent).filter(s => /\d/.test(s) && !/[A-Za-z]/.test(s))`)
	maxShare := 0.0
	for _, s := range tl.Series {
		for _, bk := range s.Buckets {
			maxShare = max(maxShare, bk.Share)
		}
	}
	if wantTop := fmt.Sprintf("%.1f%%", 100*maxShare); !slices.Contains(ticks, wantTop) || !slices.Contains(ticks, "0%") {
		t.Errorf("share: value ticks %v, want 0%% and the top share %s", ticks, wantTop)
	}
	b.save("research-share-chart", chromedp.Screenshot(chromedp.CSS(".timeline")))
	b.check("share")

	// Split by outlet: the compared query goes (a split takes one
	// query), and the chart draws one series per top outlet of q1.
	b.do("split", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#split'); s.value = 'outlet'; s.dispatchEvent(new Event('change')); })()`))
	var split search.Timeline
	apiC.get("/v1/timeline", url.Values{"q": {q1}, "split": {"outlet"}, "split_size": {"5"}, "interval": {"auto"}}, &split)
	var top search.FacetList
	apiC.get("/v1/facets/outlets", url.Values{"q": {q1}, "size": {"5"}}, &top)
	if len(split.Series) < 2 || len(split.Series) != len(top.Values) {
		t.Fatalf("split: /v1/timeline has %d outlet series, /v1/facets/outlets %d values: want two or more, as many", len(split.Series), len(top.Values))
	}
	b.wait("split", `new URLSearchParams(location.search).get('split') === 'outlet' && !new URLSearchParams(location.search).has('compare') && `+timelineDrawn(len(split.Series), "share"))
	got := b.drawn()
	b.checkDrawn("split", got, &split)
	for i, v := range top.Values {
		if got[i].Label != v.Value || got[i].Total != uint64(v.Count) {
			t.Errorf("split: series %d is %s with %d articles, top outlet %d is %s with %d", i+1, got[i].Label, got[i].Total, i+1, v.Value, v.Count)
		}
	}
	if got := eval[string](b, `document.querySelector('.timeline svg .axis-label').textContent`); got != "share of each outlet's articles under these filters" {
		t.Errorf("split: axis says %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll('input.compare-q').length`); n != 0 {
		t.Errorf("split: %d compare boxes left", n)
	}
	b.shot("research-split")
	b.save("research-split-chart", chromedp.Screenshot(chromedp.CSS(".timeline")))
	b.check("split")

	// The period: by week, as /v1/timeline counts weeks.
	b.do("by week", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#interval'); s.value = 'week'; s.dispatchEvent(new Event('change')); })()`))
	split = search.Timeline{}
	apiC.get("/v1/timeline", url.Values{"q": {q1}, "split": {"outlet"}, "split_size": {"5"}, "interval": {"week"}}, &split)
	b.wait("by week", `new URLSearchParams(location.search).get('interval') === 'week' && (document.querySelector('.timeline figure.series-chart') || {dataset: {}}).dataset.interval === 'week' && `+timelineDrawn(len(split.Series), "share"))
	b.checkDrawn("by week", b.drawn(), &split)
	b.check("by week")

	// Downloads: the timeline as drawn, a facet's every value and every
	// article of the results, as CSV.
	href := b.linkOf("timeline CSV", `a.download-timeline`, "/v1/timeline", "timeline.csv",
		url.Values{"q": {q1}, "split": {"outlet"}, "split_size": {"5"}, "interval": {"week"}, "format": {"csv"}})
	rows, _ := fetchCSV(t, base, href)
	buckets := 0
	for _, s := range split.Series {
		buckets += len(s.Buckets)
	}
	if len(rows) != buckets+1 || len(rows) < 2 || !slices.Equal(rows[0][:5], []string{"q", "label", "split", "value", "total"}) {
		t.Errorf("timeline CSV: %d rows (header %v), want a header and %d buckets", len(rows), rows[0], buckets)
	} else if rows[1][1] != split.Series[0].Label || rows[1][8] != strconv.Itoa(split.Series[0].Buckets[0].Count) {
		t.Errorf("timeline CSV: first row %v, want %s with %d", rows[1], split.Series[0].Label, split.Series[0].Buckets[0].Count)
	}
	href = b.linkOf("facet CSV", `#facet-outlet a.download-facet`, "/v1/facets/outlets", "outlets.csv",
		url.Values{"q": {q1}, "format": {"csv"}, "size": {"10000"}})
	rows, _ = fetchCSV(t, base, href)
	var all search.FacetList
	apiC.get("/v1/facets/outlets", url.Values{"q": {q1}, "size": {"10000"}}, &all)
	if len(rows) != len(all.Values)+1 || len(all.Values) == 0 {
		t.Errorf("facet CSV: %d rows, /v1/facets/outlets has %d values", len(rows), len(all.Values))
	} else {
		for i, v := range all.Values {
			if rows[i+1][1] != v.Value || rows[i+1][2] != strconv.Itoa(v.Count) {
				t.Errorf("facet CSV: row %d is %v, want %s with %d", i+1, rows[i+1], v.Value, v.Count)
			}
		}
	}
	href = b.linkOf("articles CSV", `a.download-articles`, "/v1/export", "articles.csv", url.Values{"q": {q1}, "format": {"csv"}})
	rows, hdr := fetchCSV(t, base, href)
	if n, err := strconv.Atoi(hdr.Get("X-Total-Count")); err != nil || len(rows) != n+1 || n != b.shownTotal() {
		t.Errorf("articles CSV: %d rows, X-Total-Count %q, the page counts %d", len(rows), hdr.Get("X-Total-Count"), b.shownTotal())
	}
	b.check("downloads")

	// A significant term: a click adds it to the query and searches.
	var terms search.SignificantTerms
	apiC.get("/v1/terms", url.Values{"q": {q1}}, &terms)
	// The page leaves out the terms the query holds already.
	words := func(s string) string {
		return " " + strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ") + " "
	}
	offered := slices.DeleteFunc(slices.Clone(terms.Terms), func(x search.SignificantTerm) bool { return strings.Contains(words(q1), words(x.Term)) })
	if len(offered) == 0 {
		// A tiny index (the match fixture) may have no term that stands out.
		b.wait("no terms", `!document.querySelector('section.terms').hasAttribute('aria-busy') && /No term stands out/.test(document.querySelector('section.terms').textContent)`)
		t.Logf("research: /v1/terms?q=%s offers no term beyond the query (%+v): term click skipped", q1, terms.Terms)
		b.check("no terms")
		return
	}
	b.wait("terms", `!document.querySelector('section.terms').hasAttribute('aria-busy') && document.querySelector('section.terms button.term') !== null`)
	shown := eval[[]map[string]string](b, `[...document.querySelectorAll('section.terms button.term')].map(b => ({term: b.dataset.term, count: b.dataset.count}))`)
	var wantShown []map[string]string
	for _, x := range offered {
		wantShown = append(wantShown, map[string]string{"term": x.Term, "count": strconv.Itoa(x.Count)})
	}
	if !slices.EqualFunc(shown, wantShown, maps.Equal) {
		t.Errorf("terms: the page shows %v, want /v1/terms's %v", shown, wantShown)
	}
	b.save("research-terms", chromedp.Screenshot(chromedp.CSS("section.terms")))
	term := shown[0]["term"]
	want := termQuery(q1, term)
	b.do("term click", chromedp.Click(chromedp.CSS(`section.terms li:first-child button.term`)))
	b.wait("term click", `new URLSearchParams(location.search).get('q') === `+jsString(want)+` && (`+settled+`)`)
	if got, api := b.shownTotal(), apiC.search(url.Values{"q": {want}}).Total; got != int(api) || api == 0 {
		t.Errorf("term click %q: page shows %d articles for %q, API %d", term, got, want, api)
	}
	if p := b.params("term click", "/"); p.Get("split") != "outlet" || p.Get("chart") != "share" || p.Get("interval") != "week" {
		t.Errorf("term click: URL state %v, want the chart settings kept", p)
	}
	b.shot("research-term")
	b.check("term click")
}
