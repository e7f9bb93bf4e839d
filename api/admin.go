package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/newsdex/newsdex"
)

// Rebuilder rebuilds the index into a new generation from src (nil: from
// the articles the index stores) and swaps it in when it is verified.
type Rebuilder interface {
	Rebuild(ctx context.Context, src func(context.Context, func(newsdex.Article) error) error, progress func(int)) (any, error)
}

// reindexLine is one NDJSON line of POST /v1/admin/reindex's answer:
// progress, then exactly one of Done or Error.
type reindexLine struct {
	Indexed int    `json:"indexed"`
	Skipped int    `json:"skipped,omitempty"`
	Done    any    `json:"done,omitempty"`
	Error   string `json:"error,omitempty"`
}

// handleReindex rebuilds from the NDJSON articles in the body, or from the
// stored articles with ?from=stored. It streams progress lines. If the
// client goes away the rebuild is abandoned and the live generation stays.
func (s *Server) handleReindex(c *gin.Context) {
	if s.opts.Rebuilder == nil {
		s.fail(c, fmt.Errorf("this server cannot rebuild its index: %w", errReadOnly))
		return
	}
	fromStored := c.Query("from") == "stored"
	// A rebuild outlives the server's usual read and write deadlines.
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})

	var skipped atomic.Int64
	var src func(context.Context, func(newsdex.Article) error) error
	if fromStored {
		// net/http watches for the client going away (and cancels the
		// request's context) only once the body has been read to its end.
		_, _ = io.Copy(io.Discard, io.LimitReader(c.Request.Body, MaxArticleBytes))
	} else {
		body := c.Request.Body
		src = func(ctx context.Context, emit func(newsdex.Article) error) error {
			sc := bufio.NewScanner(body)
			sc.Buffer(nil, MaxArticleBytes+1024)
			for sc.Scan() {
				if err := ctx.Err(); err != nil {
					return err
				}
				line := sc.Bytes()
				if len(line) == 0 {
					continue
				}
				a, err := decodeArticle(json.RawMessage(append([]byte(nil), line...)))
				if err != nil {
					skipped.Add(1)
					continue
				}
				if err := emit(a); err != nil {
					return err
				}
			}
			return sc.Err()
		}
	}

	c.Header("Content-Type", "application/x-ndjson")
	c.Status(http.StatusOK)
	var indexed atomic.Int64
	enc := json.NewEncoder(c.Writer)
	stop := make(chan struct{})
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	write := func(l reindexLine) {
		_ = enc.Encode(l)
		_ = rc.Flush()
	}
	tickDone := make(chan struct{})
	go func() {
		defer close(tickDone)
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
				write(reindexLine{Indexed: int(indexed.Load()), Skipped: int(skipped.Load())})
			}
		}
	}()
	res, err := s.opts.Rebuilder.Rebuild(c.Request.Context(), src, func(n int) { indexed.Store(int64(n)) })
	close(stop)
	<-tickDone
	if err != nil {
		s.log.Error("reindex failed", "err", err)
		write(reindexLine{Indexed: int(indexed.Load()), Error: err.Error()})
		return
	}
	write(reindexLine{Indexed: int(indexed.Load()), Skipped: int(skipped.Load()), Done: res})
}

// StatsView is the JSON of GET /v1/stats: index.Stats without the index
// directory. Where the server keeps its files is no client's business (a
// path can name a user or a layout worth hiding); sources are already
// index.Origin names, a file's base name or a URL's host.
type StatsView struct {
	Generation  string         `json:"generation"`
	Generations []string       `json:"generations"`
	Articles    uint64         `json:"articles"`
	Passages    int            `json:"passages"`
	SizeBytes   int64          `json:"size_bytes"`
	Sources     map[string]int `json:"sources"`
	Outlets     map[string]int `json:"outlets"`
	LastUpdate  string         `json:"last_update,omitempty"`
	// MissingVectors counts articles indexed without passage vectors.
	MissingVectors uint64 `json:"articles_missing_vectors"`
	// VectorsPending counts the articles whose vectors the server is
	// computing behind its writes; absent when it computes none.
	VectorsPending *uint64 `json:"vectors_pending,omitempty"`
}

// handleStats answers GET /v1/stats with Options.Stats. It is a /v1 read
// route, so it needs a key when Options.ReadKeyRequired.
func (s *Server) handleStats(c *gin.Context) {
	if s.opts.Stats == nil {
		s.fail(c, refuse(errUnavailable, "this server does not report index statistics"))
		return
	}
	st, err := s.opts.Stats(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	v := StatsView{Generation: st.Generation, Generations: st.Generations, Articles: st.Articles,
		Passages: st.Passages, SizeBytes: st.SizeBytes, Sources: st.Sources, Outlets: st.Outlets,
		LastUpdate: st.LastUpdate, MissingVectors: st.MissingVectors, VectorsPending: st.VectorsPending}
	if v.Generations == nil {
		v.Generations = []string{}
	}
	if v.Sources == nil {
		v.Sources = map[string]int{}
	}
	if v.Outlets == nil {
		v.Outlets = map[string]int{}
	}
	c.JSON(http.StatusOK, v)
}
