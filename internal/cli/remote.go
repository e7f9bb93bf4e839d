package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/internal/pipeline"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/search"
)

// A running `newsdex serve` holds its index directory's lock, so other
// commands cannot open the index. The server records its address and a
// token in serveFile beside the index (mode 0600), and commands hand their
// work to it over HTTP instead. The token is an extra API key known only
// to processes that can read the index directory.
const serveFile = "serve.json"

type serveInfo struct {
	Addr  string `json:"addr"`
	PID   int    `json:"pid"`
	Token string `json:"token"`
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeServeInfo(dir string, info serveInfo) error {
	b, _ := json.Marshal(info)
	tmp := filepath.Join(dir, serveFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("serve: record address in %s: %w", dir, err)
	}
	return os.Rename(tmp, filepath.Join(dir, serveFile))
}

func removeServeInfo(dir string) { _ = os.Remove(filepath.Join(dir, serveFile)) }

// remote is a running server that commands hand their work to.
type remote struct {
	base   string
	token  string
	client *http.Client
}

// findServer returns the server holding dir, if one answers.
func findServer(ctx context.Context, dir string) (*remote, error) {
	b, err := os.ReadFile(filepath.Join(dir, serveFile))
	if err != nil {
		return nil, fmt.Errorf("index %s is locked by another process and no server address is recorded (%v)", dir, err)
	}
	var info serveInfo
	if err := json.Unmarshal(b, &info); err != nil || info.Addr == "" {
		return nil, fmt.Errorf("index %s: unreadable %s", dir, serveFile)
	}
	r := &remote{base: "http://" + info.Addr, token: info.Token, client: &http.Client{}}
	hctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(hctx, http.MethodGet, r.base+"/healthz", nil)
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("index %s is locked, but its server at %s does not answer: %w", dir, info.Addr, err)
	}
	resp.Body.Close()
	return r, nil
}

func (r *remote) do(ctx context.Context, method, path string, body io.Reader, contentType string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, r.base+path, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, &statusError{code: resp.StatusCode,
			msg: fmt.Sprintf("%s %s: %s: %s", method, r.base+path, resp.Status, strings.TrimSpace(string(b)))}
	}
	return resp, nil
}

// statusError is a non-2xx answer of the server.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// put sends articles to POST /v1/articles.
func (r *remote) put(ctx context.Context, arts []newsdex.Article) (int, error) {
	b, err := json.Marshal(arts)
	if err != nil {
		return 0, err
	}
	resp, err := r.do(ctx, http.MethodPost, "/v1/articles", bytes.NewReader(b), "application/json")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Indexed int `json:"indexed"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, fmt.Errorf("POST /v1/articles: bad response: %w", err)
	}
	return out.Indexed, nil
}

func (r *remote) delete(ctx context.Context, id string) (bool, error) {
	resp, err := r.do(ctx, http.MethodDelete, "/v1/articles/"+url.PathEscape(id), nil, "")
	var se *statusError
	if errors.As(err, &se) && se.code == http.StatusNotFound {
		return false, nil // an unknown id is ignored, as without a server
	}
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var out struct {
		Deleted int `json:"deleted"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out.Deleted > 0, nil
}

// reindex streams articles (or nothing, to rebuild from what the index
// stores) to POST /v1/admin/reindex and follows its progress lines. If this
// process dies, the connection drops and the server abandons the rebuild.
func (r *remote) reindex(ctx context.Context, src pipeline.Source, fromStored bool, prog *progress) (service.RebuildResult, error) {
	var res service.RebuildResult
	pr, pw := io.Pipe()
	go func() {
		if fromStored {
			pw.Close()
			return
		}
		enc := json.NewEncoder(pw)
		err := src(ctx, func(a newsdex.Article) error { return enc.Encode(a) })
		pw.CloseWithError(err)
	}()
	path := "/v1/admin/reindex"
	if fromStored {
		path += "?from=stored"
	}
	resp, err := r.do(ctx, http.MethodPost, path, pr, "application/x-ndjson")
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var line struct {
			Indexed int                    `json:"indexed"`
			Done    *service.RebuildResult `json:"done"`
			Error   string                 `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			continue
		}
		switch {
		case line.Error != "":
			return res, errors.New(line.Error)
		case line.Done != nil:
			return *line.Done, nil
		default:
			prog.set(line.Indexed)
		}
	}
	if err := sc.Err(); err != nil {
		return res, fmt.Errorf("reindex via %s: %w", r.base, err)
	}
	return res, fmt.Errorf("reindex via %s: the server ended the stream without a result", r.base)
}

// ingest reads src here and sends the articles to the server in batches;
// the server extracts, chunks and indexes them.
func (r *remote) ingest(ctx context.Context, src pipeline.Source, batch int, progress func(int)) (pipeline.Summary, error) {
	start := time.Now()
	var sum pipeline.Summary
	if batch <= 0 || batch > 1000 {
		batch = 500
	}
	buf := make([]newsdex.Article, 0, batch)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		n, err := r.put(ctx, buf)
		if err != nil {
			return err
		}
		sum.Indexed += n
		if progress != nil {
			progress(sum.Indexed)
		}
		buf = buf[:0]
		return nil
	}
	err := src(ctx, func(a newsdex.Article) error {
		sum.Read++
		buf = append(buf, a)
		if len(buf) == batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	sum.Seconds = time.Since(start).Seconds()
	return sum, err
}

// stats asks the server for GET /v1/stats.
func (r *remote) stats(ctx context.Context) (index.Stats, error) {
	var st index.Stats
	resp, err := r.do(ctx, http.MethodGet, "/v1/stats", nil, "")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("GET /v1/stats: bad response: %w", err)
	}
	return st, nil
}

// runSearch runs req on dir, or on the server that holds it.
func (e *env) runSearch(ctx context.Context, dir string, req search.Request) (*search.Results, error) {
	ix, err := index.OpenExisting(dir)
	if errors.Is(err, index.ErrBusy) {
		rem, rerr := findServer(ctx, dir)
		if rerr != nil {
			return nil, rerr
		}
		return rem.search(ctx, req)
	}
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	eng, err := e.newEngine(ix)
	if err != nil {
		return nil, err
	}
	return eng.Search(ctx, req)
}

// search sends req to GET /v1/search.
func (r *remote) search(ctx context.Context, req search.Request) (*search.Results, error) {
	v := req.Values()
	resp, err := r.do(ctx, http.MethodGet, "/v1/search?"+v.Encode(), nil, "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var res search.Results
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return nil, fmt.Errorf("GET /v1/search: bad response: %w", err)
	}
	return &res, nil
}
