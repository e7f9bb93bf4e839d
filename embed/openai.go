package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// openAIBatch is the most inputs OpenAI sends in one request; servers
// commonly cap batches, and smaller requests fail and retry cheaper.
const openAIBatch = 64

// openAITimeout bounds one request when Client is nil.
const openAITimeout = 60 * time.Second

// OpenAI embeds texts with a server that speaks the OpenAI embeddings
// protocol (POST {BaseURL}/v1/embeddings), such as OpenAI itself, a local
// llama.cpp, Ollama or vLLM server. Vectors are L2-normalised on arrival,
// whatever the server does. The zero value is not usable: BaseURL and
// Model are required. An OpenAI value is safe for concurrent use if Client
// is.
type OpenAI struct {
	// BaseURL is the server's root, without /v1/embeddings; a trailing /v1
	// is accepted too.
	BaseURL string
	// Model is sent as "model" in each request.
	Model string
	// APIKey, if set, is sent as a bearer token.
	APIKey string
	// Client sends the requests; nil means a client with a 60 s timeout.
	Client *http.Client
	// Dimensions is the vector length the model returns, reported by
	// Dims. If set, responses of another length are errors. (It cannot be
	// called Dims: Embedder needs that name for the method.)
	Dimensions int
}

var _ Embedder = (*OpenAI)(nil)

// OpenAIFromEnv configures an OpenAI embedder from NEWSDEX_EMBED_URL
// (required), NEWSDEX_EMBED_MODEL (required), NEWSDEX_EMBED_API_KEY and
// NEWSDEX_EMBED_DIMS (both optional). It returns an error naming the
// missing variable if a required one is unset.
func OpenAIFromEnv() (*OpenAI, error) {
	o := &OpenAI{
		BaseURL: os.Getenv("NEWSDEX_EMBED_URL"),
		Model:   os.Getenv("NEWSDEX_EMBED_MODEL"),
		APIKey:  os.Getenv("NEWSDEX_EMBED_API_KEY"),
	}
	if o.BaseURL == "" {
		return nil, errors.New("embed: NEWSDEX_EMBED_URL is not set")
	}
	if o.Model == "" {
		return nil, errors.New("embed: NEWSDEX_EMBED_MODEL is not set")
	}
	if d := os.Getenv("NEWSDEX_EMBED_DIMS"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("embed: NEWSDEX_EMBED_DIMS=%q, want a positive integer", d)
		}
		o.Dimensions = n
	}
	return o, nil
}

// Dims returns Dimensions: the configured vector length, or 0 if not
// configured.
func (o *OpenAI) Dims() int { return o.Dimensions }

// Name returns "openai:" followed by the model name.
func (o *OpenAI) Name() string { return "openai:" + o.Model }

// endpoint returns the embeddings URL for BaseURL.
func (o *OpenAI) endpoint() string {
	u := strings.TrimRight(o.BaseURL, "/")
	u = strings.TrimSuffix(u, "/v1")
	return u + "/v1/embeddings"
}

type openAIRequest struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type openAIResponse struct {
	Data []struct {
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	} `json:"data"`
}

// Embed sends the texts in batches of at most 64 and returns their
// normalised vectors in input order. Errors name the URL and, for a
// non-2xx answer, the status and the start of the body.
func (o *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if o.BaseURL == "" || o.Model == "" {
		return nil, errors.New("embed: OpenAI embedder needs BaseURL and Model")
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += openAIBatch {
		batch := texts[start:min(start+openAIBatch, len(texts))]
		vecs, err := o.embedBatch(ctx, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (o *OpenAI) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	url := o.endpoint()
	body, err := json.Marshal(openAIRequest{Model: o.Model, Input: batch})
	if err != nil {
		return nil, fmt.Errorf("embed: encode request for %s: %w", url, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("embed: POST %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if o.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+o.APIKey)
	}
	client := o.Client
	if client == nil {
		client = &http.Client{Timeout: openAITimeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("embed: POST %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("embed: POST %s: status %s: %s", url, resp.Status, strings.TrimSpace(string(snippet)))
	}
	var r openAIResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(&r); err != nil {
		return nil, fmt.Errorf("embed: POST %s: malformed response: %w", url, err)
	}
	if len(r.Data) != len(batch) {
		return nil, fmt.Errorf("embed: POST %s: malformed response: %d embeddings for %d inputs", url, len(r.Data), len(batch))
	}
	vecs := make([][]float32, len(batch))
	for _, d := range r.Data {
		if d.Index < 0 || d.Index >= len(batch) || vecs[d.Index] != nil {
			return nil, fmt.Errorf("embed: POST %s: malformed response: bad or repeated index %d", url, d.Index)
		}
		if len(d.Embedding) == 0 || (o.Dimensions > 0 && len(d.Embedding) != o.Dimensions) {
			return nil, fmt.Errorf("embed: POST %s: malformed response: embedding %d has %d dims, want %d", url, d.Index, len(d.Embedding), o.Dimensions)
		}
		if !normalise(d.Embedding) {
			return nil, fmt.Errorf("embed: POST %s: malformed response: embedding %d is zero or not finite", url, d.Index)
		}
		vecs[d.Index] = d.Embedding
	}
	return vecs, nil
}

// normalise scales v to unit length in place; it reports false if v is
// zero or has a NaN or infinite component.
func normalise(v []float32) bool {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 || math.IsNaN(ss) || math.IsInf(ss, 0) {
		return false
	}
	inv := 1 / math.Sqrt(ss)
	for i, x := range v {
		v[i] = float32(float64(x) * inv)
	}
	return true
}
