package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/newsdex/newsdex/alert"
	"github.com/newsdex/newsdex/search"
)

// TestAlertRoutes drives /v1/alerts over a real alert.Manager; every
// answer is checked against openapi.json by the harness.
func TestAlertRoutes(t *testing.T) {
	const key = "alerts-test-key-0123456789"
	ix := fixtureIndex(t)
	eng, err := search.New(ix)
	if err != nil {
		t.Fatal(err)
	}
	m, err := alert.Open(t.TempDir(), eng, alert.Options{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	hz := newHarness(t, eng, Options{APIKeys: []string{key}, Alerts: m})
	call := func(method, path, body string, withKey bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if withKey {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		return hz.do(req)
	}
	tests := []struct {
		name, method, path, body string
		key                      bool
		status                   int
		has                      string
	}{
		{"no key", "GET", "/v1/alerts", "", false, 401, ""},
		{"bad query", "POST", "/v1/alerts", `{"name":"x","query":{"q":"a AND (b"},"webhook_url":"http://127.0.0.1/"}`, true, 400, `"position"`},
		{"unknown parameter", "POST", "/v1/alerts", `{"name":"x","query":{"nope":"a"},"webhook_url":"http://127.0.0.1/"}`, true, 400, `"param":"nope"`},
		{"bad frequency", "POST", "/v1/alerts", `{"name":"x","query":{"q":"a"},"webhook_url":"http://127.0.0.1/","frequency":"weekly"}`, true, 400, "frequency"},
		{"bad url", "POST", "/v1/alerts", `{"name":"x","query":{"q":"a"},"webhook_url":"gopher://x/"}`, true, 400, "bad_webhook"},
		{"unknown field", "POST", "/v1/alerts", `{"name":"x","query":{},"webhook_url":"http://127.0.0.1/","extra":1}`, true, 400, "bad_body"},
		{"missing alert", "GET", "/v1/alerts/nope", "", true, 404, "alert not found"},
		{"missing deliveries", "GET", "/v1/alerts/nope/deliveries", "", true, 404, ""},
		{"missing delete", "DELETE", "/v1/alerts/nope", "", true, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := call(tc.method, tc.path, tc.body, tc.key)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.has) {
				t.Errorf("%s %s: %d %s, want %d with %q", tc.method, tc.path, rec.Code, rec.Body, tc.status, tc.has)
			}
		})
	}

	rec := call("POST", "/v1/alerts", `{"name":"putin","query":{"q":"putin","person":["Vladimir Putin"]},"webhook_url":"http://127.0.0.1:9/","secret":"the-secret-value"}`, true)
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	created := decode[CreateAlertResponse](t, rec)
	if created.Secret != "the-secret-value" {
		t.Errorf("secret %q", created.Secret)
	}
	for _, path := range []string{"/v1/alerts", "/v1/alerts/" + created.ID, "/v1/alerts/" + created.ID + "/deliveries", "/v1/alerts/" + created.ID + "/test?days=3660"} {
		rec := call("GET", path, "", true)
		if rec.Code != 200 || bytes.Contains(rec.Body.Bytes(), []byte("the-secret-value")) {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	if rec := call("GET", "/v1/alerts/"+created.ID+"/test?days=0", "", true); rec.Code != 400 {
		t.Errorf("test days=0: %d", rec.Code)
	}
	if rec := call("DELETE", "/v1/alerts/"+created.ID, "", true); rec.Code != 200 {
		t.Errorf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec := call("GET", "/v1/alerts/"+created.ID, "", true); rec.Code != http.StatusNotFound {
		t.Errorf("after delete: %d", rec.Code)
	}
	// Without alerts the routes answer 503.
	hz2 := newHarness(t, eng, Options{APIKeys: []string{key}})
	req := httptest.NewRequest("GET", "/v1/alerts", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	if rec := hz2.do(req); rec.Code != 503 {
		t.Errorf("no alerts: %d", rec.Code)
	}
}
