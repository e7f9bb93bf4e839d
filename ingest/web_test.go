package ingest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHTMLBoilerplate(t *testing.T) {
	arts, skips := collect(t, []string{"testdata/html/article.html"}, Options{})
	if len(arts) != 1 || len(skips) != 0 {
		t.Fatalf("got %d articles and skips %v, want 1 article", len(arts), skips)
	}
	a := arts[0]
	if a.Title != "Harbour bridge reopens after repairs" {
		t.Errorf("title %q", a.Title)
	}
	if want := time.Date(2024, 5, 1, 7, 30, 0, 0, time.UTC); !a.Published.Equal(want) {
		t.Errorf("published %v, want %v", a.Published, want)
	}
	if diff := cmp.Diff([]string{"Ann Lee"}, a.Authors); diff != "" {
		t.Errorf("authors mismatch (-want +got):\n%s", diff)
	}
	if a.Outlet != "The Example Herald" || a.URL != "https://herald.example.com/news/harbour-bridge" || a.Language != "en" {
		t.Errorf("outlet %q, URL %q, language %q", a.Outlet, a.URL, a.Language)
	}
	if !strings.HasPrefix(a.Body, "PORTSMOUTH, May 1 - The harbour bridge reopened") || a.Dateline != "Portsmouth" {
		t.Errorf("body starts %q, dateline %q", a.Body[:min(60, len(a.Body))], a.Dateline)
	}
	if n := strings.Count(a.Body, "\n\n"); n != 3 {
		t.Errorf("body has %d paragraph breaks, want 3:\n%s", n, a.Body)
	}
	// Every piece of boilerplate in the fixture carries a marker in capitals.
	for _, junk := range []string{"TRACKING", "SCRIPT", "COOKIE", "cookies", "NAV-", "COMMENT-TEXT", "RELATED-", "FOOTER-TEXT", "font-family", "Related stories"} {
		if strings.Contains(a.Body, junk) {
			t.Errorf("body contains boilerplate %q:\n%s", junk, a.Body)
		}
	}
}

func TestHTMLTimeAndCharset(t *testing.T) {
	arts, _ := collect(t, []string{"testdata/html/latin1-time.html"}, Options{})
	if len(arts) != 1 {
		t.Fatalf("got %d articles, want 1", len(arts))
	}
	a := arts[0]
	if a.Title != "Café owners protest new rules" {
		t.Errorf("title %q, want Latin-1 decoded", a.Title)
	}
	if want := time.Date(2023, 9, 14, 0, 0, 0, 0, time.UTC); !a.Published.Equal(want) {
		t.Errorf("published %v, want %v from <time datetime>", a.Published, want)
	}
	for _, junk := range []string{"NAV-", "USER-COMMENT"} {
		if strings.Contains(a.Body, junk) {
			t.Errorf("body contains boilerplate %q", junk)
		}
	}
}

func TestFeeds(t *testing.T) {
	arts, skips := collect(t, []string{"testdata/feed/rss2.xml", "testdata/feed/atom.xml"}, Options{})
	var ids []string
	for _, a := range arts {
		ids = append(ids, a.ID)
		checkArticle(t, a)
		if strings.Contains(a.Body, "tracking") || strings.Contains(a.Body, "<") {
			t.Errorf("article %s body keeps markup or script: %q", a.ID, a.Body)
		}
	}
	want := []string{
		"wire-2024-0501", // GUID first
		"https://wire.example.org/2024/05/council", // then the link
		"https://wire.example.org/2024/05/odd",
		"https://wire.example.org/2024/05/markup",
		"urn:example:atom-desk:1",
		"urn:example:atom-desk:2",
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("IDs mismatch (-want +got):\n%s", diff)
	}
	var skipped []string
	for _, e := range skips {
		skipped = append(skipped, e.Error())
	}
	wantSkips := []string{
		"ingest testdata/feed/rss2.xml record 3: no title and no body",
		"ingest testdata/feed/atom.xml record 3: no title and no body",
	}
	if diff := cmp.Diff(wantSkips, skipped); diff != "" {
		t.Errorf("skips mismatch (-want +got):\n%s", diff)
	}
	if a := arts[0]; a.Outlet != "Example Wire & Co" || a.Body != "PORTSMOUTH, May 1 - The harbour bridge reopened on Wednesday after three months of repairs.\n\nTraffic was light in the morning, officials said." {
		t.Errorf("first RSS item: outlet %q body %q", a.Outlet, a.Body)
	}
	if a := arts[5]; !a.Published.Equal(time.Date(2024, 6, 2, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("Atom entry with only <updated>: published %v", a.Published)
	}
}

// serve returns a test server for the fixtures and a few failure modes.
func serve(t *testing.T) *httptest.Server {
	t.Helper()
	fixture := func(path, contentType string) http.HandlerFunc {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.Write(b)
		}
	}
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/feed", fixture("testdata/feed/rss2.xml", "application/rss+xml; charset=utf-8"))
	mux.Handle("/atom", fixture("testdata/feed/atom.xml", "application/atom+xml"))
	mux.Handle("/story", fixture("testdata/html/latin1-time.html", "text/html; charset=iso-8859-1"))
	mux.Handle("/page", fixture("testdata/html/article.html", "text/html"))
	mux.Handle("/data", fixture("testdata/jsonl/native.jsonl", "application/octet-stream"))
	mux.Handle("/moved", http.RedirectHandler("/story", http.StatusFound))
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { close(release); srv.Close() })
	return srv
}

func TestURLs(t *testing.T) {
	srv := serve(t)
	opts := Options{HTTPClient: &http.Client{Timeout: 300 * time.Millisecond}}
	arts, skips := collect(t, []string{
		srv.URL + "/feed",
		srv.URL + "/moved",
		srv.URL + "/page",
		srv.URL + "/data.jsonl",
		srv.URL + "/missing",
		srv.URL + "/slow",
		"testdata/feed/atom.xml",
	}, opts)
	count := map[string]int{}
	for _, a := range arts {
		checkArticle(t, a)
		count[a.Source]++
	}
	wantCount := map[string]int{
		srv.URL + "/feed":        4,
		srv.URL + "/moved":       1,
		srv.URL + "/page":        1,
		"testdata/feed/atom.xml": 2,
	}
	if diff := cmp.Diff(wantCount, count); diff != "" {
		t.Errorf("articles per source mismatch (-want +got):\n%s", diff)
	}
	// A page without a canonical URL gets the URL it was fetched from,
	// after redirects; a relative canonical URL is resolved against it.
	for _, a := range arts {
		if a.Source == srv.URL+"/moved" && a.URL != srv.URL+"/local/cafe-rules" {
			t.Errorf("redirected page URL %q, want the canonical URL resolved on the server", a.URL)
		}
	}
	got := map[string]string{}
	for _, e := range skips {
		got[strings.TrimPrefix(e.Source, srv.URL)] = e.Err.Error()
	}
	for path, want := range map[string]string{
		"/feed":       "no title and no body",
		"/data.jsonl": "HTTP 404",
		"/missing":    "HTTP 404",
		"/slow":       "timed out",
	} {
		if !strings.Contains(got[path], want) {
			t.Errorf("skip for %s = %q, want it to contain %q", path, got[path], want)
		}
	}
}

func TestURLContentSniffing(t *testing.T) {
	srv := serve(t)
	// application/octet-stream says nothing; the content says JSON.
	arts, _ := collect(t, []string{srv.URL + "/data"}, Options{})
	if len(arts) != 8 {
		t.Errorf("got %d articles from JSON served as octet-stream, want 8", len(arts))
	}
}

// FuzzFeed and FuzzHTML run the third-party parsers on arbitrary input
// through Read: no panic may escape and every article must be clean.
func FuzzFeed(f *testing.F) {
	addFiles(f, "feed/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz.xml", Options{Format: FormatFeed})
	})
}

func FuzzHTML(f *testing.F) {
	addFiles(f, "html/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz.html", Options{Format: FormatHTML})
	})
}
