package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"github.com/newsdex/newsdex"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// maxElems bounds the elements of a page given to readability, whose cost
// grows faster than linearly with page size.
const maxElems = 200_000

// readHTML reads a saved or fetched article page. Readability (a port of
// Mozilla's Readability.js) finds the main text and drops navigation,
// scripts, comments and banners; metadata come from Open Graph and
// article: meta tags, JSON-LD and, for dates readability does not look
// at, <time datetime> and meta date tags. o gives the page's URL when it
// was fetched.
func readHTML(s *stream, r io.Reader, o origin) (err error) {
	// readability is third-party code run on untrusted input: a panic in
	// it must cost the page, not the process.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("html parser panicked: %v", p)
		}
	}()
	b, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return err
	}
	if len(b) > maxFile {
		return fmt.Errorf("html page larger than %d bytes", maxFile)
	}
	// Pages declare their charset in a header or <meta>; readability
	// assumes UTF-8.
	cr, err := charset.NewReader(bytes.NewReader(b), o.contentType)
	if err != nil {
		return fmt.Errorf("html charset: %w", err)
	}
	doc, err := html.Parse(cr)
	if err != nil {
		return fmt.Errorf("html: %w", err)
	}
	info := pageMeta(doc)
	base := pageURL(info.url, o.url)
	pageURL := ""
	if base != nil {
		pageURL = base.String()
	}
	p := readability.NewParser()
	p.MaxElemsToParse = maxElems
	art, err := p.ParseAndMutate(doc, base)
	if err != nil {
		return fmt.Errorf("html readability: %w", err)
	}
	var body string
	if art.Node != nil {
		body = dropByline(cleanBody(render.InnerText(art.Node)))
	}
	if len(strings.Fields(body)) < minPageWords {
		s.skipRecord(0, errors.New("no article text found in the page"))
		return nil
	}
	a := newsdex.Article{
		Title:    art.Title(),
		URL:      pageURL,
		Outlet:   art.SiteName(),
		Authors:  splitAuthors(art.Byline()),
		Body:     body,
		Language: art.Language(),
	}
	if a.Title == "" {
		a.Title = info.title
	}
	if len(a.Authors) == 0 {
		a.Authors = splitAuthors(info.author)
	}
	if t, err := art.PublishedTime(); err == nil {
		a.Published = t
	} else {
		a.Published = info.published
	}
	return s.send(0, a)
}

// minPageWords is the least text a page must yield to count as an
// article; below it readability has found only navigation or a stub.
const minPageWords = 10

// dropByline drops an opening "By Jane Doe, May 1, 2024" paragraph, which
// readability keeps when the page's metadata already name the author. The
// body should open with the story (and its dateline).
func dropByline(body string) string {
	first, rest, ok := strings.Cut(body, "\n\n")
	if !ok || !strings.HasPrefix(strings.ToLower(first), "by ") || len(strings.Fields(first)) > 12 {
		return body
	}
	return rest
}

// pageURL returns the page's absolute URL: its canonical URL, resolved
// against the URL it was fetched from, or that URL; nil if neither is
// absolute.
func pageURL(canonical, fetched string) *url.URL {
	var base *url.URL
	if u, err := url.Parse(fetched); err == nil && u.IsAbs() {
		base = u
	}
	if canonical != "" {
		if u, err := url.Parse(canonical); err == nil {
			if base != nil {
				u = base.ResolveReference(u)
			}
			if u.IsAbs() && (u.Scheme == "http" || u.Scheme == "https") {
				return u
			}
		}
	}
	return base
}

// pageInfo holds what pageMeta finds outside readability's reach.
type pageInfo struct {
	url       string    // <link rel=canonical> or og:url
	title     string    // <title>
	author    string    // <meta name=author>
	published time.Time // <time datetime>, <meta itemprop=datePublished> and kin
}

// pageMeta collects page metadata that readability does not return: the
// canonical URL and dates in <time> elements and less common meta tags.
// For dates, one marked as the publication date wins over the first
// <time> of the page.
func pageMeta(doc *html.Node) pageInfo {
	var m pageInfo
	var firstTime, markedTime time.Time
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "link":
				if strings.EqualFold(attrOf(n, "rel"), "canonical") && m.url == "" {
					m.url = attrOf(n, "href")
				}
			case "meta":
				key := strings.ToLower(attrOf(n, "property") + attrOf(n, "name") + attrOf(n, "itemprop"))
				content := attrOf(n, "content")
				switch key {
				case "og:url":
					if m.url == "" {
						m.url = content
					}
				case "author":
					if m.author == "" {
						m.author = content
					}
				case "datepublished", "date", "pubdate", "publishdate", "publish-date", "dc.date.issued", "dc.date", "sailthru.date":
					if t, ok := parseDate(content); ok && markedTime.IsZero() {
						markedTime = t
					}
				}
			case "title":
				if m.title == "" && n.FirstChild != nil {
					m.title = n.FirstChild.Data
				}
			case "time":
				if t, ok := parseDate(attrOf(n, "datetime")); ok {
					marked := strings.EqualFold(attrOf(n, "itemprop"), "datePublished") ||
						hasAttr(n, "pubdate") ||
						strings.Contains(strings.ToLower(attrOf(n, "class")), "publish")
					if marked && markedTime.IsZero() {
						markedTime = t
					}
					if firstTime.IsZero() {
						firstTime = t
					}
				}
			case "script", "style", "noscript":
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	m.published = markedTime
	if m.published.IsZero() {
		m.published = firstTime
	}
	return m
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}
