package e2e_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// wireStory is written for these tests; a copy of it with a byline and a
// newsletter line is a wire copy the index folds.
const wireStory = `The central bank raised its benchmark interest rate by a quarter point on Wednesday, citing persistent inflation in services and a labour market that has stayed tighter than policymakers expected. ` +
	`Officials said further increases remained possible if price growth did not slow over the coming months, while several members argued for a pause to assess the effect of earlier moves. ` +
	`Markets had largely priced in the decision, and bond yields were little changed after the announcement, though the currency rose against the dollar in late trading. ` +
	`The bank also cut its growth forecast for next year and said it would keep reducing its holdings of government bonds at the pace set in the spring.`

// delivery is one webhook call the receiver got.
type delivery struct {
	id, signature string
	body          []byte
	payload       struct {
		AlertID    string `json:"alert_id"`
		AlertName  string `json:"alert_name"`
		DeliveryID string `json:"delivery_id"`
		Articles   []struct {
			ID         string `json:"id"`
			Title      string `json:"title"`
			Duplicates int    `json:"duplicates"`
		} `json:"articles"`
	}
}

// receiver is a local webhook that records every call. status, if set,
// picks the answer to the n-th call (from 1).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []delivery
	status func(n int) int
	got    chan struct{} // receives after every call
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	t.Helper()
	r := &receiver{status: status, got: make(chan struct{}, 1000)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		d := delivery{id: req.Header.Get("X-Newsdex-Delivery"), signature: req.Header.Get("X-Newsdex-Signature"), body: b}
		if err := json.Unmarshal(b, &d.payload); err != nil {
			t.Errorf("receiver: bad body %q: %v", b, err)
		}
		r.mu.Lock()
		r.calls = append(r.calls, d)
		n := len(r.calls)
		r.mu.Unlock()
		code := 200
		if r.status != nil {
			code = r.status(n)
		}
		w.WriteHeader(code)
		r.got <- struct{}{}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) snapshot() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.calls...)
}

// waitUntil blocks until cond holds over the calls or timeout passes.
func (r *receiver) waitUntil(t *testing.T, timeout time.Duration, what string, cond func([]delivery) bool) []delivery {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		calls := r.snapshot()
		if cond(calls) {
			return calls
		}
		select {
		case <-r.got:
		case <-deadline.C:
			t.Fatalf("receiver: %s not seen within %s; calls: %d", what, timeout, len(calls))
		}
	}
}

// articlesOf returns the article ids of calls of alert id.
func articlesOf(calls []delivery, alertID string) []string {
	var out []string
	for _, c := range calls {
		if c.payload.AlertID != alertID {
			continue
		}
		for _, a := range c.payload.Articles {
			out = append(out, a.ID)
		}
	}
	return out
}

// keyed sends method path with the server's token and body as JSON.
func (s *server) keyed(method, path string, body any) (int, []byte) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// createAlert creates an alert and returns its id and secret.
func (s *server) createAlert(name string, query map[string]any, hook, secret string) (string, string) {
	s.t.Helper()
	body := map[string]any{"name": name, "query": query, "webhook_url": hook, "frequency": "realtime"}
	if secret != "" {
		body["secret"] = secret
	}
	code, b := s.keyed(http.MethodPost, "/v1/alerts", body)
	if code != http.StatusCreated {
		s.t.Fatalf("POST /v1/alerts: %d %s", code, b)
	}
	var out struct{ ID, Secret string }
	if err := json.Unmarshal(b, &out); err != nil || out.ID == "" || out.Secret == "" {
		s.t.Fatalf("POST /v1/alerts: %s (%v)", b, err)
	}
	return out.ID, out.Secret
}

func verifySig(secret string, d delivery) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(d.body)
	return hmac.Equal([]byte(d.signature), []byte("sha256="+hex.EncodeToString(mac.Sum(nil))))
}

// alertArticles are the five articles of TestAlertDelivers: three match
// "central bank" (wire-2 a copy of wire-1), two do not.
func alertArticles() []article {
	return []article{
		{ID: "wire-1", Title: "Central bank raises rates", Published: "2025-03-05", Outlet: "Reuters", Body: wireStory},
		{ID: "wire-2", Title: "Bank lifts rates again", Published: "2025-03-05", Outlet: "Daily Example", Body: "By Staff Writer\n\n" + wireStory + "\n\nSign up for our newsletter."},
		{ID: "hold-1", Title: "Central bank holds rates", Published: "2025-03-06", Outlet: "Reuters", Body: strings.Repeat("The central bank kept its interest rate unchanged and said inflation was easing in most sectors. ", 5)},
		{ID: "ball-1", Title: "Cup final goes to extra time", Published: "2025-03-06", Outlet: "Sports Desk", Body: strings.Repeat("The football final went to extra time after a late equaliser from the visiting side. ", 5)},
		{ID: "rain-1", Title: "Storm brings heavy rain", Published: "2025-03-06", Outlet: "Weather Wire", Body: strings.Repeat("Heavy rain flooded several streets and the river rose above its banks overnight. ", 5)},
	}
}

// canary returns an article only the canary alert ("zebrafish") matches:
// once its delivery arrives, every batch written before it was matched.
func canary(i int) article {
	// Generated bodies differ enough not to be wire copies of each other.
	a := genArticles(fmt.Sprintf("canary-%d", i), 1, 7, 1)[0]
	a.ID, a.Title = fmt.Sprintf("canary-%d", i), fmt.Sprintf("Zebrafish study %d", i)
	a.Body = "A zebrafish study. " + a.Body
	return a
}

// TestAlertDelivers is acceptance 1 and 4: an alert gets the matching
// articles of a CLI index once (wire copies folded), signed; indexing
// them again, before and after a restart, sends nothing; a private
// webhook is refused without the flag; no secret reaches the log or a GET.
func TestAlertDelivers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	rcv := newReceiver(t, nil)

	// Without the flag, the receiver's loopback address is refused.
	strict := startServe(t, dir)
	code, b := strict.keyed(http.MethodPost, "/v1/alerts", map[string]any{"name": "x", "query": map[string]any{"q": "bank"}, "webhook_url": rcv.srv.URL})
	if code != http.StatusBadRequest || !strings.Contains(string(b), "bad_webhook") {
		t.Fatalf("private webhook without the flag: %d %s, want 400 bad_webhook", code, b)
	}
	// A bad query is a 400 with its position.
	code, b = strict.keyed(http.MethodPost, "/v1/alerts", map[string]any{"name": "x", "query": map[string]any{"q": `bank AND (rates`}, "webhook_url": "http://example.com/"})
	if code != http.StatusBadRequest || !strings.Contains(string(b), `"position"`) {
		t.Fatalf("bad query: %d %s, want 400 with a position", code, b)
	}
	if err := strict.stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}

	const secret = "alert-secret-7d1e0c5b9a"
	env := []string{"NEWSDEX_ALERTS_ALLOW_PRIVATE=1"}
	srv := startServeEnv(t, dir, env)
	id, got := srv.createAlert("central bank", map[string]any{"q": "central bank"}, rcv.srv.URL+"/hook", secret)
	if got != secret {
		t.Fatalf("secret %q, want the one given", got)
	}
	canaryID, canarySecret := srv.createAlert("canary", map[string]any{"q": "zebrafish"}, rcv.srv.URL+"/canary", "")

	file := filepath.Join(t.TempDir(), "five.jsonl")
	writeJSONL(t, file, alertArticles())
	start := time.Now()
	mustNewsdex(t, 60*time.Second, "index", "--index", dir, file)
	calls := rcv.waitUntil(t, 10*time.Second, "the alert's delivery", func(c []delivery) bool { return len(articlesOf(c, id)) > 0 })
	t.Logf("delivered %s after the index command returned", time.Since(start))
	if len(calls) != 1 {
		t.Fatalf("%d calls, want 1", len(calls))
	}
	d := calls[0]
	if ids := articlesOf(calls, id); strings.Join(ids, ",") != "hold-1,wire-1" {
		t.Errorf("delivered %q, want hold-1 and wire-1 (wire-2 folded)", ids)
	}
	for _, a := range d.payload.Articles {
		if a.ID == "wire-1" && a.Duplicates != 1 {
			t.Errorf("wire-1 duplicates %d, want 1", a.Duplicates)
		}
	}
	if !verifySig(secret, d) {
		t.Errorf("signature %q does not verify", d.signature)
	}
	if d.id == "" || d.id != d.payload.DeliveryID || d.payload.AlertName != "central bank" {
		t.Errorf("delivery header %q, payload %+v", d.id, d.payload)
	}

	// The same articles again, then a canary: once the canary arrives
	// the repeat was matched, and must have sent nothing.
	mustNewsdex(t, 60*time.Second, "index", "--index", dir, file)
	writeJSONL(t, file+".c1", []article{canary(1)})
	mustNewsdex(t, 60*time.Second, "index", "--index", dir, file+".c1")
	rcv.waitUntil(t, 10*time.Second, "canary 1", func(c []delivery) bool { return len(articlesOf(c, canaryID)) == 1 })

	// And after a restart.
	if err := srv.stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	srv = startServeEnv(t, dir, env)
	mustNewsdex(t, 60*time.Second, "index", "--index", dir, file)
	writeJSONL(t, file+".c2", []article{canary(2)})
	mustNewsdex(t, 60*time.Second, "index", "--index", dir, file+".c2")
	calls = rcv.waitUntil(t, 10*time.Second, "canary 2", func(c []delivery) bool { return len(articlesOf(c, canaryID)) == 2 })
	if n := len(articlesOf(calls, id)); n != 2 {
		t.Errorf("after indexing again and restarting, the alert got %d articles in all, want the first 2", n)
	}
	for _, c := range calls {
		if c.payload.AlertID == canaryID && !verifySig(canarySecret, c) {
			t.Errorf("canary signature does not verify")
		}
	}

	// Deliveries are listed; no answer and no log line holds a secret.
	code, b = srv.keyed(http.MethodGet, "/v1/alerts/"+id+"/deliveries", nil)
	if code != 200 || !strings.Contains(string(b), `"status":"delivered"`) {
		t.Errorf("deliveries: %d %s", code, b)
	}
	for _, path := range []string{"/v1/alerts", "/v1/alerts/" + id, "/v1/alerts/" + canaryID} {
		code, b := srv.keyed(http.MethodGet, path, nil)
		if code != 200 || strings.Contains(string(b), secret) || strings.Contains(string(b), canarySecret) || strings.Contains(string(b), "secret") {
			t.Errorf("GET %s: %d %s: want 200 without a secret", path, code, b)
		}
	}
	if err := srv.stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{secret, canarySecret} {
		if strings.Contains(srv.log.String(), s) {
			t.Errorf("the server log holds a secret")
		}
	}
}

// TestAlertRetries is acceptance 2: the receiver fails three times with
// 500, then answers 200; the delivery arrives, with one delivery id on
// every attempt. The retry wait is shortened by the test hook; the
// schedule itself is tested in package alert.
func TestAlertRetries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	rcv := newReceiver(t, func(n int) int {
		if n <= 3 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	srv := startServeEnv(t, dir, []string{"NEWSDEX_ALERTS_ALLOW_PRIVATE=1", "NEWSDEX_ALERTS_TEST_BACKOFF=50ms"})
	id, _ := srv.createAlert("rates", map[string]any{"q": "central bank"}, rcv.srv.URL, "")
	if _, err := srv.post(t.Context(), alertArticles()[:1]); err != nil {
		t.Fatal(err)
	}
	calls := rcv.waitUntil(t, 20*time.Second, "the fourth attempt", func(c []delivery) bool { return len(c) >= 4 })
	for i, c := range calls {
		if c.id != calls[0].id || c.payload.DeliveryID != calls[0].id {
			t.Errorf("attempt %d: delivery id %q, want %q as on the first", i+1, c.id, calls[0].id)
		}
	}
	// The status is recorded just after the 200: poll it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, b := srv.keyed(http.MethodGet, "/v1/alerts/"+id+"/deliveries", nil)
		var out struct {
			Deliveries []struct {
				ID       string `json:"delivery_id"`
				Status   string `json:"status"`
				Attempts int    `json:"attempts"`
			} `json:"deliveries"`
		}
		_ = json.Unmarshal(b, &out)
		if code == 200 && len(out.Deliveries) == 1 && out.Deliveries[0].Status == "delivered" {
			if out.Deliveries[0].Attempts != 4 || out.Deliveries[0].ID != calls[0].id {
				t.Errorf("delivery %+v, want 4 attempts of %s", out.Deliveries[0], calls[0].id)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries: %d %s", code, b)
		}
		<-time.After(20 * time.Millisecond) // polling with a deadline
	}
	if n := len(rcv.snapshot()); n != 4 {
		t.Errorf("%d calls, want 4", n)
	}
}

// TestAlertKill9 is acceptance 3: serve is killed with SIGKILL between
// the match and the delivery (held by the test hook) ten times; after
// the restarts every matched article has arrived, none under two
// delivery ids.
func TestAlertKill9(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	rcv := newReceiver(t, nil)
	env := []string{"NEWSDEX_ALERTS_ALLOW_PRIVATE=1", "NEWSDEX_ALERTS_TEST_HOLD=1h"}
	srv := startServeEnv(t, dir, env)
	id, _ := srv.createAlert("zebrafish", map[string]any{"q": "zebrafish"}, rcv.srv.URL, "")
	want := map[string]bool{}
	for round := range 10 {
		if round > 0 {
			srv = startServeEnv(t, dir, env)
		}
		arts := []article{canary(2 * round), canary(2*round + 1)}
		for _, a := range arts {
			want[a.ID] = true
		}
		file := filepath.Join(t.TempDir(), "round.jsonl")
		writeJSONL(t, file, arts)
		mustNewsdex(t, 60*time.Second, "index", "--index", dir, file)
		// Odd rounds are killed as soon as the articles are written
		// (before or while they are matched), even ones once the
		// delivery is stored but held back.
		if round%2 == 0 && !srv.log.waitFor("alert: delivery queued", srv.waited, 10*time.Second) {
			t.Fatalf("round %d: no delivery queued\n%s", round, tail(srv.log.String(), 2000))
		}
		srv.kill()
	}
	if n := len(rcv.snapshot()); n != 0 {
		t.Fatalf("%d calls while every delivery was held", n)
	}
	startServeEnv(t, dir, env[:1])
	calls := rcv.waitUntil(t, 20*time.Second, "all 20 articles", func(c []delivery) bool {
		seen := map[string]bool{}
		for _, a := range articlesOf(c, id) {
			seen[a] = true
		}
		return len(seen) == len(want)
	})
	byArticle := map[string]map[string]bool{}
	for _, c := range calls {
		for _, a := range c.payload.Articles {
			if byArticle[a.ID] == nil {
				byArticle[a.ID] = map[string]bool{}
			}
			byArticle[a.ID][c.id] = true
		}
	}
	for a := range want {
		if len(byArticle[a]) != 1 {
			t.Errorf("article %s came under %d delivery ids, want 1", a, len(byArticle[a]))
		}
	}
	if len(byArticle) != len(want) {
		t.Errorf("%d articles delivered, want %d", len(byArticle), len(want))
	}
}

// TestAlertsCLI: `newsdex alerts add | list | test | delete` through a
// running server, and list and delete directly once it has stopped; an
// index written by the CLI alone is matched by the next server.
func TestAlertsCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	rcv := newReceiver(t, nil)
	srv := startServeEnv(t, dir, []string{"NEWSDEX_ALERTS_ALLOW_PRIVATE=1"})
	file := filepath.Join(t.TempDir(), "five.jsonl")
	writeJSONL(t, file, alertArticles())
	mustNewsdex(t, 60*time.Second, "index", "--index", dir, file)

	out := mustNewsdex(t, 30*time.Second, "alerts", "add", "--index", dir, "--json", "--name", "rates", "--webhook", rcv.srv.URL, "central", "bank").stdout
	var created struct{ ID, Secret string }
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID == "" || created.Secret == "" {
		t.Fatalf("alerts add: %q (%v)", out, err)
	}
	if out := mustNewsdex(t, 30*time.Second, "alerts", "list", "--index", dir).stdout; !strings.Contains(out, created.ID) || strings.Contains(out, created.Secret) {
		t.Errorf("alerts list: %q, want the id and no secret", out)
	}
	out = mustNewsdex(t, 30*time.Second, "alerts", "test", created.ID, "--index", dir, "--days", "3660").stdout
	if !strings.HasPrefix(out, "2 articles") || !strings.Contains(out, "wire-1") || !strings.Contains(out, "hold-1") || !strings.Contains(out, "+1 copies") {
		t.Errorf("alerts test: %q, want wire-1 (+1 copies) and hold-1", out)
	}
	if n := len(rcv.snapshot()); n != 0 {
		t.Errorf("alerts test sent %d calls", n)
	}
	if err := srv.stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	// Written with no server: recorded now, matched by the next server.
	writeJSONL(t, file+".new", []article{{ID: "cut-1", Title: "Central bank cuts rates", Published: "2025-04-01", Outlet: "Reuters",
		Body: strings.Repeat("The central bank cut its rate by half a point as growth slowed sharply in the first quarter. ", 4)}})
	mustNewsdex(t, 60*time.Second, "index", "--index", dir, file+".new")
	if out := mustNewsdex(t, 30*time.Second, "alerts", "list", "--index", dir).stdout; !strings.Contains(out, created.ID) {
		t.Errorf("alerts list without a server: %q", out)
	}
	srv = startServeEnv(t, dir, []string{"NEWSDEX_ALERTS_ALLOW_PRIVATE=1"})
	calls := rcv.waitUntil(t, 10*time.Second, "cut-1", func(c []delivery) bool { return len(articlesOf(c, created.ID)) > 0 })
	if ids := articlesOf(calls, created.ID); strings.Join(ids, ",") != "cut-1" {
		t.Errorf("delivered %q, want cut-1 only", ids)
	}
	if err := srv.stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	mustNewsdex(t, 30*time.Second, "alerts", "delete", created.ID, "--index", dir)
	if out := mustNewsdex(t, 30*time.Second, "alerts", "list", "--index", dir).stdout; strings.Contains(out, created.ID) {
		t.Errorf("alerts list after delete: %q", out)
	}
}
