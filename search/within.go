package search

import (
	"time"

	"github.com/newsdex/newsdex"
)

// MaxWithinDays bounds the days of SimilarWithin: ten years.
const MaxWithinDays = 3650

// Within is the date window similar articles were limited to
// (Results.Within).
type Within struct {
	// Days is the window asked for: days before and after the article.
	Days int `json:"days"`
	// From and To are the window's first and last day (YYYY-MM-DD), narrowed
	// by the request's own from and to; empty when Ignored.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Ignored says why the window was not applied: the article has no
	// date. Similar articles then come from any time.
	Ignored string `json:"ignored,omitempty"`
}

// withinDays narrows r's date range to the days days before and after a's
// published day and returns the window, or nil for days 0. An article
// without a date has no window: the request is left as it is and the
// window says it was ignored, so that a page that always asks for one
// (the article page does) still lists similar articles for it.
func withinDays(r *Request, a newsdex.Article, days int) (*Within, error) {
	if days == 0 {
		return nil, nil
	}
	if days < 0 || days > MaxWithinDays {
		return nil, paramErr("within_days", "within_days %d out of range 1..%d", days, MaxWithinDays)
	}
	w := &Within{Days: days}
	if a.Published.IsZero() {
		w.Ignored = "the article has no published date"
		return w, nil
	}
	y, m, d := a.Published.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	from, to := day.AddDate(0, 0, -days), day.AddDate(0, 0, days)
	if r.From.IsZero() || r.From.Before(from) {
		r.From = from
	}
	if r.To.IsZero() || r.To.After(to) {
		r.To = to
	}
	// A from after to (the request's range misses the window) matches
	// nothing, as it should.
	w.From, w.To = r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)
	return w, nil
}
