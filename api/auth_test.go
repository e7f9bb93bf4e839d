package api

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	otherKey = "second-key-7a3e91c04bd2f658"
	wrongKey = "wrong-key-00000000000000000"
)

// TestWriteAuth: write routes refuse without a key (401) and with a wrong
// one (403), accept the right one in either header, and no key, right or
// wrong, reaches the log.
func TestWriteAuth(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{Writer: &fakeWriter{}, APIKeys: []string{testKey, otherKey}})
	post := func() *http.Request { return jsonReq(http.MethodPost, "/v1/articles", `{"id":"a","title":"t"}`) }
	del := func() *http.Request { return httptest.NewRequest(http.MethodDelete, "/v1/articles/a", nil) }
	tests := []struct {
		name   string
		header string // header name, "" for none
		value  string
		want   int
		code   string
	}{
		{"no key", "", "", 401, "unauthorized"},
		{"empty X-API-Key", "X-API-Key", "", 401, "unauthorized"},
		{"wrong bearer", "Authorization", "Bearer " + wrongKey, 403, "forbidden"},
		{"wrong X-API-Key", "X-API-Key", wrongKey, 403, "forbidden"},
		{"key prefix", "Authorization", "Bearer " + testKey[:len(testKey)-1], 403, "forbidden"},
		{"key with suffix", "X-API-Key", testKey + "x", 403, "forbidden"},
		{"basic scheme", "Authorization", "Basic " + testKey, 403, "forbidden"},
		{"bearer without key", "Authorization", "Bearer", 403, "forbidden"},
		{"right bearer", "Authorization", "Bearer " + testKey, 200, ""},
		{"right bearer, lower-case scheme", "Authorization", "bearer " + testKey, 200, ""},
		{"right X-API-Key", "X-API-Key", testKey, 200, ""},
		{"second key", "X-API-Key", otherKey, 200, ""},
	}
	for _, tc := range tests {
		for _, mk := range []func() *http.Request{post, del} {
			req := mk()
			t.Run(req.Method+" "+tc.name, func(t *testing.T) {
				if tc.header != "" {
					req.Header.Set(tc.header, tc.value)
				}
				rec := hz.do(req)
				if rec.Code != tc.want {
					t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
				}
				if tc.code != "" && decode[errorBody](t, rec).Error.Code != tc.code {
					t.Errorf("code: %s", rec.Body)
				}
				if tc.want == 401 && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("401 without WWW-Authenticate")
				}
				if strings.Contains(rec.Body.String(), testKey[:12]) || strings.Contains(rec.Body.String(), wrongKey) {
					t.Errorf("a key was echoed: %s", rec.Body)
				}
			})
		}
	}
	// A key smuggled in the query string is neither honoured nor logged.
	hz.do(withKey(httptest.NewRequest(http.MethodGet, "/v1/search?api_key="+testKey, nil)))
	log := hz.log.String()
	if !strings.Contains(log, `"route":"/v1/articles"`) || !strings.Contains(log, "rejected API key") {
		t.Fatalf("log capture missed the requests:\n%s", log)
	}
	for _, k := range []string{testKey, otherKey, wrongKey, testKey[:12]} {
		if strings.Contains(log, k) {
			t.Errorf("log contains key %q:\n%s", k, log)
		}
	}
}

func TestNoKeysConfigured(t *testing.T) {
	hz := newHarness(t, &fakeSearcher{}, Options{Writer: &fakeWriter{}})
	for _, req := range []*http.Request{
		jsonReq(http.MethodPost, "/v1/articles", `{"id":"a","title":"t"}`),
		withKey(jsonReq(http.MethodPost, "/v1/articles", `{"id":"a","title":"t"}`)),
		withKey(httptest.NewRequest(http.MethodDelete, "/v1/articles/a", nil)),
		withKey(httptest.NewRequest(http.MethodPost, "/v1/admin/reindex", nil)),
	} {
		rec := hz.do(req)
		e := decode[errorBody](t, rec)
		if rec.Code != http.StatusForbidden || e.Error.Code != "no_keys_configured" || !strings.Contains(e.Error.Message, "NEWSDEX_API_KEYS") {
			t.Errorf("%s %s without configured keys: %d %s", req.Method, req.URL, rec.Code, rec.Body)
		}
	}
}

func TestReadAndMetricsKeys(t *testing.T) {
	open := newHarness(t, &fakeSearcher{}, Options{APIKeys: []string{testKey}})
	for _, target := range []string{"/v1/search", "/v1/entities", "/metrics", "/healthz", "/openapi.json"} {
		if rec := open.get(target); rec.Code != http.StatusOK {
			t.Errorf("%s on an open server: %d", target, rec.Code)
		}
	}
	closed := newHarness(t, &fakeSearcher{}, Options{APIKeys: []string{testKey}, ReadKeyRequired: true, MetricsKeyRequired: true})
	for _, target := range []string{"/v1/search?q=x", "/v1/entities", "/v1/articles/a", "/v1/articles/a/similar", "/metrics"} {
		if rec := closed.get(target); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s without key: %d, want 401", target, rec.Code)
		}
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("X-API-Key", wrongKey)
		if rec := closed.do(req); rec.Code != http.StatusForbidden {
			t.Errorf("%s with a wrong key: %d, want 403", target, rec.Code)
		}
	}
	for _, target := range []string{"/v1/search?q=x", "/v1/entities", "/metrics"} {
		if rec := closed.do(withKey(httptest.NewRequest(http.MethodGet, target, nil))); rec.Code != http.StatusOK {
			t.Errorf("%s with the key: %d %s", target, rec.Code, rec.Body)
		}
	}
	// Health and the contract stay open for probes and clients.
	for _, target := range []string{"/healthz", "/openapi.json"} {
		if rec := closed.get(target); rec.Code != http.StatusOK {
			t.Errorf("%s must stay open: %d", target, rec.Code)
		}
	}
}

func TestSplitKeys(t *testing.T) {
	keys, err := SplitKeys(" " + testKey + " ,, " + otherKey + ",")
	if err != nil || len(keys) != 2 || keys[0] != testKey || keys[1] != otherKey {
		t.Fatalf("SplitKeys = %q, %v", keys, err)
	}
	for _, bad := range []string{"zq9x", testKey + ",zq9x", "zq9x has a space 1234567", "zq9x\x01" + testKey} {
		_, err := SplitKeys(bad)
		if err == nil {
			t.Errorf("SplitKeys(%q) accepted a bad key", bad)
			continue
		}
		if strings.Contains(err.Error(), "zq9x") {
			t.Errorf("error quotes the key: %v", err)
		}
	}
}

func TestReadKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys")
	if err := os.WriteFile(path, []byte("# ops keys\n\n"+testKey+"\n  "+otherKey+"  \r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := ReadKeyFile(path)
	if err != nil || len(keys) != 2 || keys[1] != otherKey {
		t.Fatalf("ReadKeyFile = %q, %v", keys, err)
	}
	if err := os.WriteFile(path, []byte(testKey+"\nsecretbutshort\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = ReadKeyFile(path)
	if err == nil || !strings.Contains(err.Error(), "line 2") || strings.Contains(err.Error(), "secretbutshort") {
		t.Errorf("short key in file: %v (want line 2, without the key)", err)
	}
	if _, err := ReadKeyFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing key file accepted")
	}
}

func TestKeySetMatch(t *testing.T) {
	ks := newKeySet([]string{testKey, " ", otherKey})
	if len(ks) != 2 {
		t.Fatalf("%d keys, want 2 (blank dropped)", len(ks))
	}
	for k, want := range map[string]bool{testKey: true, otherKey: true, "": false, wrongKey: false, testKey + testKey: false} {
		if got := ks.match(k); got != want {
			t.Errorf("match(%q) = %v", k, got)
		}
	}
	if (keySet{}).match("") {
		t.Error("empty key set matched")
	}
}
