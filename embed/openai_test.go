package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeOpenAI is an httptest server speaking the embeddings protocol. Each
// input's vector is [len(input), 1, 0, ...] (dims long), unnormalised, and
// data comes back in reverse order to check that index is honoured.
type fakeOpenAI struct {
	dims    int
	mu      sync.Mutex
	batches []int
	keys    []string
	handler http.HandlerFunc // overrides the protocol when set
	srv     *httptest.Server
}

func newFakeOpenAI(t *testing.T, dims int) *fakeOpenAI {
	f := &fakeOpenAI{dims: dims}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.handler != nil {
			f.handler(w, r)
			return
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		var req openAIRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.batches = append(f.batches, len(req.Input))
		f.keys = append(f.keys, r.Header.Get("Authorization"))
		f.mu.Unlock()
		var resp openAIResponse
		for i := len(req.Input) - 1; i >= 0; i-- {
			v := make([]float32, f.dims)
			v[0], v[1] = float32(len(req.Input[i])), 1
			resp.Data = append(resp.Data, struct {
				Embedding []float32 `json:"embedding"`
				Index     int       `json:"index"`
			}{v, i})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func TestOpenAIEmbed(t *testing.T) {
	f := newFakeOpenAI(t, 8)
	o := &OpenAI{BaseURL: f.srv.URL + "/", Model: "m", APIKey: "secret", Dimensions: 8}
	texts := make([]string, 150)
	for i := range texts {
		texts[i] = strings.Repeat("x", i+1)
	}
	got, err := o.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(texts) {
		t.Fatalf("got %d vectors, want %d", len(got), len(texts))
	}
	for i, v := range got {
		n := float64(i + 1)
		want0 := n / math.Sqrt(n*n+1)
		if math.Abs(float64(v[0])-want0) > 1e-6 || len(v) != 8 {
			t.Fatalf("vector %d = %v, want first component %v (normalised, in input order)", i, v[:2], want0)
		}
	}
	if want := []int{64, 64, 22}; fmt.Sprint(f.batches) != fmt.Sprint(want) {
		t.Errorf("batches = %v, want %v", f.batches, want)
	}
	if f.keys[0] != "Bearer secret" {
		t.Errorf("Authorization = %q, want bearer token", f.keys[0])
	}
	if o.Dims() != 8 || o.Name() != "openai:m" {
		t.Errorf("Dims, Name = %d, %q", o.Dims(), o.Name())
	}
}

func TestOpenAIErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		dims    int
		want    []string
	}{
		{"status", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":"rate limited"}`, http.StatusTooManyRequests)
		}, 0, []string{"/v1/embeddings", "429", "rate limited"}},
		{"malformed json", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"data": [{"embedding": [1, 2`))
		}, 0, []string{"/v1/embeddings", "malformed"}},
		{"too few embeddings", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"data": [{"embedding": [1, 2], "index": 0}]}`))
		}, 0, []string{"malformed", "1 embeddings for 2 inputs"}},
		{"repeated index", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"data": [{"embedding": [1, 2], "index": 0}, {"embedding": [1, 2], "index": 0}]}`))
		}, 0, []string{"repeated index 0"}},
		{"wrong dims", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"data": [{"embedding": [1, 2], "index": 0}, {"embedding": [1, 2], "index": 1}]}`))
		}, 3, []string{"2 dims, want 3"}},
		{"zero vector", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"data": [{"embedding": [0, 0], "index": 0}, {"embedding": [1, 2], "index": 1}]}`))
		}, 0, []string{"zero or not finite"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeOpenAI(t, 2)
			f.handler = tc.handler
			o := &OpenAI{BaseURL: f.srv.URL, Model: "m", Dimensions: tc.dims}
			_, err := o.Embed(context.Background(), []string{"a", "b"})
			if err == nil {
				t.Fatal("Embed succeeded, want error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestOpenAITimeout(t *testing.T) {
	f := newFakeOpenAI(t, 2)
	release := make(chan struct{})
	defer close(release)
	f.handler = func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	o := &OpenAI{BaseURL: f.srv.URL + "/v1", Model: "m", Client: &http.Client{Timeout: 50 * time.Millisecond}}
	start := time.Now()
	_, err := o.Embed(context.Background(), []string{"a"})
	if err == nil || !strings.Contains(err.Error(), f.srv.URL+"/v1/embeddings") {
		t.Fatalf("err = %v, want a timeout naming the URL", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("timeout took %v", time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := o.Embed(ctx, []string{"a"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestOpenAIFromEnv(t *testing.T) {
	t.Setenv("NEWSDEX_EMBED_URL", "")
	t.Setenv("NEWSDEX_EMBED_MODEL", "")
	t.Setenv("NEWSDEX_EMBED_API_KEY", "")
	t.Setenv("NEWSDEX_EMBED_DIMS", "")
	if _, err := OpenAIFromEnv(); err == nil || !strings.Contains(err.Error(), "NEWSDEX_EMBED_URL") {
		t.Errorf("no URL: err = %v", err)
	}
	t.Setenv("NEWSDEX_EMBED_URL", "http://127.0.0.1:1")
	if _, err := OpenAIFromEnv(); err == nil || !strings.Contains(err.Error(), "NEWSDEX_EMBED_MODEL") {
		t.Errorf("no model: err = %v", err)
	}
	t.Setenv("NEWSDEX_EMBED_MODEL", "nomic-embed-text")
	t.Setenv("NEWSDEX_EMBED_API_KEY", "k")
	t.Setenv("NEWSDEX_EMBED_DIMS", "768")
	o, err := OpenAIFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if o.BaseURL != "http://127.0.0.1:1" || o.Model != "nomic-embed-text" || o.APIKey != "k" || o.Dims() != 768 {
		t.Errorf("OpenAIFromEnv() = %+v", o)
	}
	t.Setenv("NEWSDEX_EMBED_DIMS", "many")
	if _, err := OpenAIFromEnv(); err == nil {
		t.Error("bad NEWSDEX_EMBED_DIMS accepted")
	}
}
