package alert

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/search"
)

// engine is what alerts need from the search engine.
type engine interface {
	CompileMatch(ctx context.Context, r search.Request) (*search.MatchSet, error)
	MatchBatch(ctx context.Context, sets []*search.MatchSet, ids []string, o search.BatchOptions) (*search.BatchMatch, error)
	Duplicates(ctx context.Context, ids []string) (map[string]int, error)
	Article(ctx context.Context, id string) (newsdex.Article, error)
	Search(ctx context.Context, r search.Request) (*search.Results, error)
}

var _ engine = (*search.Engine)(nil)

// Options configures a Manager. The zero value is the production
// behaviour.
type Options struct {
	// AllowPrivate lets webhooks go to loopback, private and link-local
	// addresses (tests, intranets).
	AllowPrivate bool
	// Backoff is the wait after the n-th failed attempt (n from 1); nil
	// is DefaultBackoff.
	Backoff func(n int) time.Duration
	// RetryFor is how long a delivery is retried after its first attempt
	// before it is marked failed; zero is 24 hours.
	RetryFor time.Duration
	// Timeout bounds one webhook call; zero is 10 s.
	Timeout time.Duration
	// Hold keeps this manager from sending anything until Hold after
	// Open (a test hook to stop the server between the match and the
	// delivery); it is not stored, so the next process sends at once.
	Hold time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Log receives what happens, never a secret; nil discards.
	Log *slog.Logger
}

// DefaultBackoff is the production retry schedule: 5 s after the first
// failure, doubling to at most 10 minutes between attempts.
func DefaultBackoff(n int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < n && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}

// Manager runs the alerts of one index directory. Its methods are safe
// for concurrent use; Run does the matching and the deliveries.
type Manager struct {
	st     *store
	eng    engine
	opts   Options
	log    *slog.Logger
	client *http.Client
	wake   chan struct{}
	opened time.Time

	// writing holds the batches this process has begun and not yet
	// reported done (under mu): a round must not match them before their articles
	// are searchable, or it would find none and drop the record. (A
	// batch left by an earlier process is over: written or not.)
	mu      sync.Mutex
	writing map[uint64]bool
}

// Open opens (creating if needed) the alerts of index directory dir.
// eng may be nil for a manager that only records batches and manages
// alerts (the command line writing to an index no server holds); the
// next server matches them.
func Open(dir string, eng engine, opts Options) (*Manager, error) {
	st, err := openStore(filepath.Join(dir, File))
	if err != nil {
		return nil, err
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	if opts.RetryFor <= 0 {
		opts.RetryFor = 24 * time.Hour
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{st: st, eng: eng, opts: opts, log: opts.Log, wake: make(chan struct{}, 1), opened: opts.Now(),
		writing: map[uint64]bool{}}
	m.client = newClient(opts.AllowPrivate, opts.Timeout)
	return m, nil
}

// Close closes the store; Run must have returned.
func (m *Manager) Close() error { return m.st.close() }

func (m *Manager) poke() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Begin records ids as about to be written and returns a token for Done.
// When it returns nil the record is durable: if the process dies before
// the articles are matched, the next Run matches those that were written.
func (m *Manager) Begin(ids []string) (uint64, error) {
	// The record and its mark appear together for a round, which
	// reads the records under the same lock (pendingBatches).
	m.mu.Lock()
	seq, err := m.st.beginBatch(ids)
	if err == nil && seq != 0 {
		m.writing[seq] = true
	}
	m.mu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("alert: record batch of %d articles: %w", len(ids), err)
	}
	return seq, nil
}

// Done reports the write that Begin announced: with err nil the articles
// are searchable and are matched; otherwise the record is dropped.
func (m *Manager) Done(token uint64, err error) {
	if token == 0 {
		return
	}
	m.mu.Lock()
	delete(m.writing, token)
	m.mu.Unlock()
	if err != nil {
		if derr := m.st.dropBatch(token); derr != nil {
			m.log.Warn("alert: drop batch record", "batch", token, "err", derr.Error())
		}
		return
	}
	m.poke()
}

func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Create validates and stores a new alert and returns it with its secret
// (generated when in.Secret is empty). A bad query or field is a
// *search.ParamError; a refused URL wraps ErrUnsafeURL.
func (m *Manager) Create(ctx context.Context, in NewAlert) (Alert, string, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return Alert{}, "", &search.ParamError{Param: "name", Pos: -1, Msg: "want a name of 1 to 200 characters"}
	}
	switch in.Frequency {
	case "":
		in.Frequency = Realtime
	case Realtime, Hourly, Daily:
	default:
		return Alert{}, "", &search.ParamError{Param: "frequency", Pos: -1, Msg: fmt.Sprintf("unknown frequency %q, want realtime, hourly or daily", in.Frequency)}
	}
	if len(in.Secret) > 256 {
		return Alert{}, "", &search.ParamError{Param: "secret", Pos: -1, Msg: "at most 256 bytes"}
	}
	r, err := in.Query.Request()
	if err != nil {
		return Alert{}, "", err
	}
	if m.eng != nil {
		if _, err := m.eng.CompileMatch(ctx, r); err != nil {
			return Alert{}, "", err
		}
	}
	if err := checkURL(ctx, in.WebhookURL, m.opts.AllowPrivate); err != nil {
		return Alert{}, "", err
	}
	v, _ := in.Query.Values()
	secret := in.Secret
	if secret == "" {
		secret = newID(24)
	}
	now := m.opts.Now().UTC()
	rec := record{Alert: Alert{ID: newID(8), Name: name, Query: QueryOf(v), WebhookURL: in.WebhookURL, Frequency: in.Frequency, Created: now},
		Secret: secret, LastDigest: now}
	if err := m.st.createAlert(&rec); err != nil {
		return Alert{}, "", fmt.Errorf("alert: create %q: %w", name, err)
	}
	m.log.Info("alert created", "alert", rec.ID, "frequency", rec.Frequency)
	return rec.Alert, secret, nil
}

// List returns every alert, oldest first.
func (m *Manager) List() ([]Alert, error) {
	recs, err := m.st.alerts()
	if err != nil {
		return nil, err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Seq < recs[j].Seq })
	out := make([]Alert, len(recs))
	for i, r := range recs {
		out[i] = r.Alert
	}
	return out, nil
}

// Get returns the alert id, or ErrNotFound.
func (m *Manager) Get(id string) (Alert, error) {
	r, err := m.st.alert(id)
	return r.Alert, err
}

// Delete removes the alert id and its pending deliveries, or returns
// ErrNotFound.
func (m *Manager) Delete(id string) error {
	if err := m.st.deleteAlert(id); err != nil {
		return err
	}
	m.log.Info("alert deleted", "alert", id)
	return nil
}

// MaxListedDeliveries bounds the deliveries Deliveries returns.
const MaxListedDeliveries = 100

// Deliveries returns the alert's most recent deliveries, newest first, or
// ErrNotFound.
func (m *Manager) Deliveries(id string) ([]Delivery, error) {
	if _, err := m.st.alert(id); err != nil {
		return nil, err
	}
	recs, err := m.st.deliveries(func(d *deliveryRec) bool { return d.AlertID == id })
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, 0, min(len(recs), MaxListedDeliveries))
	for i := len(recs) - 1; i >= 0 && len(out) < MaxListedDeliveries; i-- {
		out = append(out, recs[i].Delivery)
	}
	return out, nil
}

// Test returns what the alert would send for the articles published in
// the last days days (at most 100, newest first), without sending or
// recording anything.
func (m *Manager) Test(ctx context.Context, id string, days int) ([]Article, error) {
	if days < 1 || days > 3660 {
		return nil, &search.ParamError{Param: "days", Pos: -1, Msg: "want 1 to 3660"}
	}
	rec, err := m.st.alert(id)
	if err != nil {
		return nil, err
	}
	r, err := rec.Query.Request()
	if err != nil {
		return nil, err
	}
	now := m.opts.Now().UTC()
	from := now.AddDate(0, 0, -days).Truncate(24 * time.Hour)
	if r.From.Before(from) {
		r.From = from
	}
	r.Sort, r.Size, r.Snippets, r.Mode = search.SortDate, search.MaxSize, -1, search.ModeLexical
	r.Facets = []string{}
	res, err := m.eng.Search(ctx, r)
	if err != nil {
		return nil, err
	}
	out := make([]Article, 0, len(res.Hits))
	for _, h := range res.Hits {
		a, err := m.eng.Article(ctx, h.ID)
		if err != nil {
			continue
		}
		art := articleOf(&a)
		art.Duplicates = h.Duplicates
		out = append(out, art)
	}
	return out, nil
}

// SnippetRunes is the length of an article's snippet in a delivery.
const SnippetRunes = 280

func articleOf(a *newsdex.Article) Article {
	out := Article{ID: a.ID, Title: a.Title, URL: a.URL, Outlet: a.Outlet, Snippet: snippet(a.Body, SnippetRunes)}
	if !a.Published.IsZero() {
		out.Published = a.Published.UTC().Format(time.RFC3339)
	}
	return out
}

// snippet is the start of body, cut at a word boundary after at most n
// runes.
func snippet(body string, n int) string {
	s := squeeze(body, n+1)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if n == 0 {
			break
		}
		cut = i
		n--
	}
	// Cut inside a word: back off to the space before it, unless that
	// loses more than half.
	if sp := strings.LastIndexByte(s[:cut], ' '); s[cut] != ' ' && sp > cut/2 {
		cut = sp
	}
	return s[:cut] + "…"
}

// squeeze returns the first n runes of body with its runs of white space
// made single spaces and trimmed, as strings.Join(strings.Fields(body), " ")
// begins, without reading the whole body: a batch makes a snippet of each
// of its matched articles.
func squeeze(body string, n int) string {
	var b strings.Builder
	space, runes := false, 0
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRuneInString(body[i:])
		c := body[i : i+size] // an invalid byte stays as it is, as in strings.Fields
		i += size
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			if runes++; runes > n {
				break
			}
			b.WriteByte(' ')
			space = false
		}
		if runes++; runes > n {
			break
		}
		b.WriteString(c)
	}
	return b.String()
}

// Run matches written batches, forms deliveries and sends them until ctx
// ends. Work left by an earlier process (batches not matched, deliveries
// not acknowledged) is done first.
func (m *Manager) Run(ctx context.Context) error {
	if m.eng == nil {
		return errors.New("alert: Run needs a search engine")
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-m.wake:
		case <-timer.C:
		}
		next := m.round(ctx)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(max(time.Until(next), 10*time.Millisecond))
	}
}

// round does all the work due now and returns when the next is due.
func (m *Manager) round(ctx context.Context) time.Time {
	now := m.opts.Now()
	next := now.Add(time.Minute)
	if err := m.matchBatches(ctx); err != nil && ctx.Err() == nil {
		m.log.Error("alert: match", "err", err.Error())
		next = now.Add(5 * time.Second)
	}
	if t, err := m.formDeliveries(ctx); err != nil && ctx.Err() == nil {
		m.log.Error("alert: form deliveries", "err", err.Error())
		next = now.Add(5 * time.Second)
	} else if t.Before(next) {
		next = t
	}
	if t := m.deliverDue(ctx); t.Before(next) {
		next = t
	}
	return next
}

// matchBatches matches every recorded batch against the alerts created
// before it began, and queues what matched.
func (m *Manager) matchBatches(ctx context.Context) error {
	batches, err := m.pendingBatches()
	if err != nil || len(batches) == 0 {
		return err
	}
	recs, err := m.st.alerts()
	if err != nil {
		return err
	}
	sets := m.compile(ctx, recs)
	for _, b := range batches {
		matched, err := m.match(ctx, recs, sets, b)
		if err != nil {
			return err
		}
		q, err := m.st.commitMatches(b.Seq, recs, matched)
		if err != nil {
			return err
		}
		if q > 0 {
			m.log.Info("alert: matched", "batch", b.Seq, "articles", len(b.IDs), "queued", q)
		}
	}
	return nil
}

// pendingBatches returns the recorded batches whose write is over.
func (m *Manager) pendingBatches() ([]batch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	all, err := m.st.batches()
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, b := range all {
		if !m.writing[b.Seq] {
			out = append(out, b)
		}
	}
	return out, nil
}

// compile returns the match set of each alert (nil for one whose query no
// longer compiles); the filters are resolved once per round of batches.
func (m *Manager) compile(ctx context.Context, recs []record) []*search.MatchSet {
	sets := make([]*search.MatchSet, len(recs))
	for i, r := range recs {
		req, err := r.Query.Request()
		if err == nil {
			sets[i], err = m.eng.CompileMatch(ctx, req)
		}
		if err != nil {
			m.log.Warn("alert: query no longer valid", "alert", r.ID, "err", err.Error())
		}
	}
	return sets
}

// match returns, for each alert created before b began, the articles of
// b in its match set (whether it has taken them already is for
// commitMatches to see). All alerts are tested in one pass over one
// snapshot (search.Engine.MatchBatch).
func (m *Manager) match(ctx context.Context, recs []record, sets []*search.MatchSet, b batch) (matches, error) {
	use := make([]*search.MatchSet, len(sets))
	for i, r := range recs {
		if r.Seq <= b.Seq { // created before b began (one sequence orders both)
			use[i] = sets[i]
		}
	}
	res, err := m.eng.MatchBatch(ctx, use, b.IDs, search.BatchOptions{})
	if err != nil {
		return matches{}, err
	}
	out := matches{Members: make([][]string, len(recs)), Articles: map[string]Article{}}
	for i := range recs {
		if i >= len(res.Members) {
			break
		}
		out.Members[i] = res.Members[i]
		for _, id := range res.Members[i] {
			if _, ok := out.Articles[id]; ok {
				continue
			}
			if full, held := res.Articles[id]; held {
				out.Articles[id] = articleOf(&full)
			}
		}
	}
	return out, nil
}

// formDeliveries turns queued articles into deliveries: at once for
// realtime alerts, when their period has passed for digests. It returns
// when the next digest is due.
func (m *Manager) formDeliveries(ctx context.Context) (time.Time, error) {
	now := m.opts.Now()
	next := now.Add(time.Hour)
	recs, err := m.st.alerts()
	if err != nil {
		return next, err
	}
	type due struct {
		r        record
		q        queued
		digestAt time.Time
	}
	var dues []due
	var all []string // the queued articles of all dues
	seen := map[string]bool{}
	var ready []record // the alerts whose delivery is due
	for _, r := range recs {
		period := time.Duration(0)
		switch r.Frequency {
		case Hourly:
			period = time.Hour
		case Daily:
			period = 24 * time.Hour
		}
		if due := r.LastDigest.Add(period); period > 0 && now.Before(due) {
			if due.Before(next) {
				next = due
			}
			continue
		}
		ready = append(ready, r)
	}
	ids := make([]string, len(ready))
	for i, r := range ready {
		ids[i] = r.ID
	}
	qs, err := m.st.queues(ids)
	if err != nil {
		return next, err
	}
	for i, r := range ready {
		q := qs[i]
		if len(q.Articles) == 0 {
			continue
		}
		digestAt := r.LastDigest
		if r.Frequency == Hourly || r.Frequency == Daily {
			digestAt = now
		}
		dues = append(dues, due{r: r, q: q, digestAt: digestAt})
		for _, a := range q.Articles {
			if !seen[a.ID] {
				seen[a.ID] = true
				all = append(all, a.ID)
			}
		}
	}
	if len(dues) == 0 {
		return next, nil
	}
	// One count of wire copies for every queued article, and one
	// transaction for every delivery: a batch can queue articles for
	// a thousand alerts at once.
	dups, err := m.eng.Duplicates(ctx, all)
	if err != nil {
		return next, err
	}
	ds := make([]newDelivery, len(dues))
	for k, u := range dues {
		arts := u.q.Articles
		ids := make([]string, len(arts))
		for i := range arts {
			ids[i] = arts[i].ID
			arts[i].Duplicates = dups[arts[i].ID]
		}
		d := &deliveryRec{Delivery: Delivery{ID: newID(16), AlertID: u.r.ID, Status: StatusPending, Created: now.UTC(),
			NextAttempt: now.UTC(), ArticleIDs: ids}}
		// go-json: a round can form a thousand bodies; a body is frozen
		// here, so retries resend these exact bytes whatever the encoder.
		d.Body, err = gojson.Marshal(Payload{AlertID: u.r.ID, AlertName: u.r.Name, DeliveryID: d.ID, Articles: arts})
		if err != nil {
			return next, err
		}
		ds[k] = newDelivery{d: d, digestAt: u.digestAt, batches: u.q.Batches}
	}
	if err := m.st.addDeliveries(ds); err != nil {
		return next, err
	}
	for _, nd := range ds {
		if nd.stored {
			m.log.Info("alert: delivery queued", "alert", nd.d.AlertID, "delivery", nd.d.ID, "articles", len(nd.d.ArticleIDs))
		}
	}
	return next, nil
}
