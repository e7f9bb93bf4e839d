package ingest

import "strings"

// aliases are the source field names tried, in order, for each target that
// Options.Map does not name. They cover the native newsdex.Article JSON,
// the corpora in ../shared (AllSides: ID, content_original, source, date;
// Wikinews: url, date, title, text) and common export schemas.
func aliases(target string) []string {
	switch target {
	case "id":
		return []string{"id", "guid", "doc_id", "docid", "article_id", "uuid"}
	case "title":
		return []string{"title", "headline", "heading"}
	case "body":
		return []string{"body", "text", "content_original", "content", "article", "story", "full_text", "fulltext", "summary", "description"}
	case "outlet":
		return []string{"outlet", "publisher", "publication", "source", "site_name", "site", "domain"}
	case "published":
		return []string{"published", "date", "published_at", "publish_date", "date_published", "pubdate", "pub_date", "datetime", "timestamp", "time", "created_at"}
	case "url":
		return []string{"url", "link", "href", "permalink"}
	case "authors":
		return []string{"authors", "author", "byline", "creator", "writer"}
	case "language":
		return []string{"language", "lang"}
	}
	return nil
}

// fieldNames returns the source names to try for target under m: only the
// mapped name if there is one, else the aliases.
func fieldNames(m map[string]string, target string) []string {
	if src, ok := m[target]; ok {
		return []string{src}
	}
	return aliases(target)
}

// lookup finds the first of names among keys, exactly and then ignoring
// case; it returns the matching key's index or -1.
func lookup(keys []string, names []string) int {
	for _, n := range names {
		for i, k := range keys {
			if k == n {
				return i
			}
		}
	}
	for _, n := range names {
		for i, k := range keys {
			if strings.EqualFold(strings.TrimSpace(k), n) {
				return i
			}
		}
	}
	return -1
}
