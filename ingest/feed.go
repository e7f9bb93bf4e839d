package ingest

import (
	"fmt"
	"io"
	"strings"

	"codeberg.org/readeck/go-readability/v2/render"
	"github.com/mmcdole/gofeed"
	"github.com/newsdex/newsdex"
	"golang.org/x/net/html"
)

// readFeed reads an RSS 2.0, RSS 1.0 or Atom feed with gofeed: each item is
// an article with the feed's title as outlet. The body is the item's
// content, or else its description, reduced from HTML to text. Items are
// numbered from 1 in skips.
func readFeed(s *stream, r io.Reader) (err error) {
	// gofeed is third-party code run on untrusted input: a panic in it
	// must cost the file, not the process.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("feed parser panicked: %v", p)
		}
	}()
	feed, err := gofeed.NewParser().Parse(r)
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	for i, it := range feed.Items {
		if it == nil {
			continue
		}
		a := newsdex.Article{
			ID:       it.GUID,
			Title:    htmlText(it.Title),
			URL:      it.Link,
			Outlet:   htmlText(feed.Title),
			Language: feed.Language,
		}
		if a.URL == "" && len(it.Links) > 0 {
			a.URL = it.Links[0]
		}
		if a.ID == "" {
			a.ID = a.URL
		}
		switch {
		case it.PublishedParsed != nil:
			a.Published = *it.PublishedParsed
		case it.UpdatedParsed != nil:
			a.Published = *it.UpdatedParsed
		default:
			a.Published, _ = parseDate(it.Published)
		}
		for _, p := range it.Authors {
			if p != nil {
				a.Authors = append(a.Authors, splitAuthors(p.Name)...)
			}
		}
		if len(a.Authors) == 0 && it.DublinCoreExt != nil {
			for _, c := range it.DublinCoreExt.Creator {
				a.Authors = append(a.Authors, splitAuthors(c)...)
			}
		}
		a.Authors = dedupe(a.Authors)
		body := it.Content
		if strings.TrimSpace(body) == "" {
			body = it.Description
		}
		a.Body = htmlText(body)
		if err := s.send(i+1, a); err != nil {
			return err
		}
	}
	return nil
}

// htmlText reduces an HTML fragment to text: block elements become line
// breaks and paragraphs blank lines; scripts, styles and hidden elements
// go. Text without markup or entities is returned as it is.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return s
	}
	return render.InnerText(doc)
}
