package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/newsdex/newsdex/alert"
	"github.com/newsdex/newsdex/search"
)

// inputError is a bad request body: its status (400, 413, 415) and code
// go to the client as they are.
type inputError struct {
	status int
	code   string
	msg    string
}

func (e *inputError) Error() string { return e.msg }

// errReadOnly is a write or a rebuild asked of a server that cannot do
// it; fail answers it with 503 and the message.
var errReadOnly = errors.New("read-only server: this instance does not accept writes")

// The kinds of answer the API gives on its own, not because a call below
// it failed. Handlers and middleware wrap them with refuse, which carries
// the message the client sees; fail maps each kind to its status and code.
var (
	errNoRoute          = errors.New("api: no such route")          // 404 not_found
	errMethodNotAllowed = errors.New("api: method not allowed")     // 405 method_not_allowed
	errNoKeys           = errors.New("api: no API keys configured") // 403 no_keys_configured
	errUnauthorized     = errors.New("api: API key required")       // 401 unauthorized
	errForbidden        = errors.New("api: API key not valid")      // 403 forbidden
	errRateLimited      = errors.New("api: rate limited")           // 429 rate_limited
	errUnavailable      = errors.New("api: feature not served")     // 503 unavailable
	errNoAlerts         = errors.New("api: no alerts kept")         // 503 no_alerts
	errPanicked         = errors.New("api: handler panicked")       // 500 internal, logged
)

// refusal is an answer of a kind above, with the message for the client.
type refusal struct {
	kind error
	msg  string
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.kind }

// refuse returns an error of kind whose message, formatted from format
// and args, is what the client reads.
func refuse(kind error, format string, args ...any) error {
	return &refusal{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// fail writes err as a JSON error with the status it maps to. It is the
// one place errors become HTTP statuses and codes: every error answer of
// the API leaves through it (TestAPIErrorsLeaveThroughFail in
// internal/archtest holds that). Messages that say what to do keep the
// wrapped reason; errors it does not know are logged and answered 500
// without their text.
func (s *Server) fail(c *gin.Context, err error) {
	var pe *search.ParamError
	var ie *inputError
	switch {
	case errors.As(err, &ie):
		writeError(c, ie.status, ie.code, ie.msg, nil)
	case errors.As(err, &pe):
		detail := gin.H{"param": pe.Param}
		if pe.Pos >= 0 {
			detail["position"] = pe.Pos
		}
		writeError(c, http.StatusBadRequest, "bad_request", pe.Error(), detail)
	case errors.Is(err, errNoRoute):
		writeError(c, http.StatusNotFound, "not_found", err.Error(), nil)
	case errors.Is(err, errMethodNotAllowed):
		writeError(c, http.StatusMethodNotAllowed, "method_not_allowed", err.Error(), nil)
	case errors.Is(err, errNoKeys):
		writeError(c, http.StatusForbidden, "no_keys_configured", err.Error(), nil)
	case errors.Is(err, errUnauthorized):
		writeError(c, http.StatusUnauthorized, "unauthorized", err.Error(), nil)
	case errors.Is(err, errForbidden):
		writeError(c, http.StatusForbidden, "forbidden", err.Error(), nil)
	case errors.Is(err, errRateLimited):
		writeError(c, http.StatusTooManyRequests, "rate_limited", err.Error(), nil)
	case errors.Is(err, errUnavailable):
		writeError(c, http.StatusServiceUnavailable, "unavailable", err.Error(), nil)
	case errors.Is(err, errNoAlerts):
		writeError(c, http.StatusServiceUnavailable, "no_alerts", err.Error(), nil)
	case errors.Is(err, search.ErrNoEmbeddings):
		// Keep the wrapped reason (no vectors, no embedder, another
		// model): it says what to do, and names no path or internal.
		writeError(c, http.StatusBadRequest, "no_embeddings", err.Error(), nil)
	case errors.Is(err, errReadOnly):
		writeError(c, http.StatusServiceUnavailable, "read_only", err.Error(), nil)
	case errors.Is(err, alert.ErrNotFound):
		writeError(c, http.StatusNotFound, "not_found", "alert not found", nil)
	case errors.Is(err, alert.ErrUnsafeURL):
		writeError(c, http.StatusBadRequest, "bad_webhook", err.Error(), gin.H{"param": "webhook_url"})
	case errors.Is(err, search.ErrNotFound):
		writeError(c, http.StatusNotFound, "not_found", "article not found", nil)
	case errors.Is(err, context.DeadlineExceeded):
		writeError(c, http.StatusServiceUnavailable, "timeout", "the request took too long and was stopped; narrow the query or add filters", nil)
	case errors.Is(err, context.Canceled):
		writeError(c, 499, "canceled", "request canceled", nil)
	case errors.Is(err, errPanicked):
		s.log.Error("handler panicked", "route", c.FullPath(), "method", c.Request.Method, "panic", err.Error())
		writeError(c, http.StatusInternalServerError, "internal", "internal error", nil)
	default:
		s.log.Error("request failed", "route", c.FullPath(), "err", err)
		writeError(c, http.StatusInternalServerError, "internal", "internal error", nil)
	}
}

// writeError aborts c with the JSON error body. encoding/json escapes <, >
// and &, so user input echoed in msg is inert in any browser. Only fail
// calls it.
func writeError(c *gin.Context, status int, code, msg string, detail gin.H) {
	body := gin.H{"code": code, "message": msg}
	for k, v := range detail {
		body[k] = v
	}
	c.AbortWithStatusJSON(status, gin.H{"error": body})
}
