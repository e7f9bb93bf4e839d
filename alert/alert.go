// Package alert keeps saved searches that send new matching articles to a
// webhook. It sits beside the pipeline's last stages: package service
// tells it of every batch of articles it is about to write and has
// written (Begin, Done), the alerts' match sets are tested against each
// written batch through package search (search.Engine.MatchBatch: all
// alerts in one snapshot, the batch's ids looked up once, and each alert's
// exact query run only on the articles holding the terms it needs, so the
// cost follows the batch and not the index), off the write path in Run,
// and matched articles go to an outbox that a delivery loop sends with
// retries.
//
// Everything lives in one bbolt file of the index directory (File): the
// alerts, a write-ahead record of each batch until it is matched, the
// alerts each article has gone to (so none is sent twice, across
// replacements, restarts and reindexing), the matched articles of each
// batch (stored once, however many alerts queue them), each alert's queue
// of article ids and the deliveries with their exact bodies. A delivery
// is stored with its id and body before its first attempt, so a crash at
// any point leads to a retry of the same delivery id and body, never to a
// loss (at-least-once).
package alert

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newsdex/newsdex/search"
)

// Frequencies of an alert.
const (
	Realtime = "realtime"
	Hourly   = "hourly"
	Daily    = "daily"
)

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// ErrNotFound is returned for an unknown alert id.
var ErrNotFound = errors.New("alert: not found")

// ErrUnsafeURL wraps the reason a webhook URL is refused.
var ErrUnsafeURL = errors.New("alert: webhook URL refused")

// Alert is a saved search as GET /v1/alerts shows it: never its secret.
type Alert struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Query      Query     `json:"query"`
	WebhookURL string    `json:"webhook_url"`
	Frequency  string    `json:"frequency"`
	Created    time.Time `json:"created"`
}

// NewAlert is the body of POST /v1/alerts.
type NewAlert struct {
	Name       string `json:"name"`
	Query      Query  `json:"query"`
	WebhookURL string `json:"webhook_url"`
	Frequency  string `json:"frequency"`
	Secret     string `json:"secret,omitempty"`
}

// Query is an alert's search: /v1/search parameters as JSON, a string (or
// number or boolean) for a single value and an array for the repeatable
// filters.
type Query map[string]any

// Values returns q as URL query parameters, refusing what /v1/search
// would refuse: unknown parameters, and a parameter given more than once
// unless it is a filter. Errors are *search.ParamError.
func (q Query) Values() (url.Values, error) {
	v := url.Values{}
	for name, raw := range q {
		if !slices.Contains(search.Params, name) {
			return nil, &search.ParamError{Param: name, Pos: -1, Msg: "unknown parameter, want one of " + strings.Join(search.Params, ", ")}
		}
		vals, err := scalars(name, raw)
		if err != nil {
			return nil, err
		}
		if len(vals) > 1 && !slices.Contains(search.FilterNames, name) {
			return nil, &search.ParamError{Param: name, Pos: -1, Msg: "given more than once"}
		}
		v[name] = vals
	}
	return v, nil
}

func scalars(name string, raw any) ([]string, error) {
	one := func(x any) (string, error) {
		switch x := x.(type) {
		case string:
			return x, nil
		case bool:
			return strconv.FormatBool(x), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		case int:
			return strconv.Itoa(x), nil
		}
		return "", &search.ParamError{Param: name, Pos: -1, Msg: fmt.Sprintf("want a string, number, boolean or an array of them, got %T", x)}
	}
	switch x := raw.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, err := one(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	case []string:
		return x, nil
	}
	s, err := one(raw)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// QueryOf turns URL parameters back into a Query: filters as arrays,
// the rest as strings.
func QueryOf(v url.Values) Query {
	q := Query{}
	for name, vals := range v {
		if len(vals) == 0 {
			continue
		}
		if slices.Contains(search.FilterNames, name) {
			q[name] = append([]string(nil), vals...)
		} else {
			q[name] = vals[0]
		}
	}
	return q
}

// Request decodes q as a search request, validated as far as it can be
// without an index (ParseValues, Normalize). Alerts match lexically: the
// semantic mode, whose set depends on the whole index, is refused.
func (q Query) Request() (search.Request, error) {
	v, err := q.Values()
	if err != nil {
		return search.Request{}, err
	}
	r, err := search.ParseValues(v)
	if err != nil {
		return r, err
	}
	if r.Mode == search.ModeSemantic {
		return r, &search.ParamError{Param: "mode", Pos: -1, Msg: "alerts match the words of the query; semantic mode has no fixed match set, use lexical or hybrid"}
	}
	// Paging and presentation do not change the match set; a cursor
	// would only make Normalize refuse a page.
	r.Cursor, r.Page, r.Size = "", 0, 0
	c := r
	if err := c.Normalize(); err != nil {
		return r, err
	}
	return r, nil
}

// Article is one article of a delivery.
type Article struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	URL        string `json:"url,omitempty"`
	Published  string `json:"published,omitempty"`
	Outlet     string `json:"outlet,omitempty"`
	Snippet    string `json:"snippet"`
	Duplicates int    `json:"duplicates"`
}

// Payload is the JSON body POSTed to a webhook.
type Payload struct {
	AlertID    string    `json:"alert_id"`
	AlertName  string    `json:"alert_name"`
	DeliveryID string    `json:"delivery_id"`
	Articles   []Article `json:"articles"`
}

// Delivery is one webhook call, as GET /v1/alerts/{id}/deliveries shows
// it.
type Delivery struct {
	ID          string    `json:"delivery_id"`
	AlertID     string    `json:"alert_id"`
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	LastError   string    `json:"last_error,omitempty"`
	LastStatus  int       `json:"last_status,omitempty"`
	Created     time.Time `json:"created"`
	FirstTry    time.Time `json:"first_attempt,omitzero"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	Done        time.Time `json:"done,omitzero"`
	ArticleIDs  []string  `json:"article_ids"`
}
