package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Sign returns the X-Newsdex-Signature value of body under secret:
// "sha256=" and the hex HMAC-SHA256.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// maxParallel bounds the webhook calls made at once.
const maxParallel = 8

// deliverDue attempts every pending delivery whose time has come and
// returns when the next pending one is due.
func (m *Manager) deliverDue(ctx context.Context) time.Time {
	now := m.opts.Now()
	if held := m.opened.Add(m.opts.Hold); now.Before(held) {
		return held
	}
	next := now.Add(time.Hour)
	due, err := m.st.pending()
	if err != nil {
		m.log.Error("alert: read outbox", "err", err.Error())
		return now.Add(5 * time.Second)
	}
	recs, err := m.st.alerts()
	if err != nil {
		m.log.Error("alert: read alerts", "err", err.Error())
		return now.Add(5 * time.Second)
	}
	byID := make(map[string]*record, len(recs))
	for i := range recs {
		byID[recs[i].ID] = &recs[i]
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallel)
	var mu sync.Mutex
	for i := range due {
		d := &due[i]
		if d.NextAttempt.After(now) {
			if d.NextAttempt.Before(next) {
				next = d.NextAttempt
			}
			continue
		}
		rec, ok := byID[d.AlertID]
		if !ok {
			continue // deleted: its deliveries went with it
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			m.attempt(ctx, rec.WebhookURL, rec.Secret, d)
			if d.Status == StatusPending {
				mu.Lock()
				if d.NextAttempt.Before(next) {
					next = d.NextAttempt
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return next
}

// attempt makes one call of d and records its outcome.
func (m *Manager) attempt(ctx context.Context, url, secret string, d *deliveryRec) {
	start := m.opts.Now()
	if d.FirstTry.IsZero() {
		d.FirstTry = start.UTC()
	}
	d.Attempts++
	status, retryAfter, err := m.post(ctx, url, secret, d)
	if ctx.Err() != nil {
		return // shutting down: the attempt does not count, nothing is recorded
	}
	d.LastStatus = status
	now := m.opts.Now()
	switch {
	case err == nil && status >= 200 && status < 300:
		d.Status, d.Done, d.LastError, d.NextAttempt = StatusDelivered, now.UTC(), "", time.Time{}
	case err == nil && status >= 400 && status < 500 && status != http.StatusTooManyRequests,
		err == nil && status >= 300 && status < 400,
		errors.Is(err, ErrUnsafeURL):
		d.Status, d.Done, d.NextAttempt = StatusFailed, now.UTC(), time.Time{}
		d.LastError = fmt.Sprintf("receiver answered %d", status)
		if err != nil {
			d.LastError = err.Error()
		}
	default:
		wait := m.opts.Backoff(d.Attempts)
		if status == http.StatusTooManyRequests && retryAfter > 0 {
			wait = retryAfter
		}
		d.LastError = fmt.Sprintf("receiver answered %d", status)
		if err != nil {
			d.LastError = err.Error()
		}
		if now.Sub(d.FirstTry) >= m.opts.RetryFor {
			d.Status, d.Done, d.NextAttempt = StatusFailed, now.UTC(), time.Time{}
			d.LastError = "gave up after " + m.opts.RetryFor.String() + ": " + d.LastError
		} else {
			d.NextAttempt = now.Add(wait).UTC()
		}
	}
	if err := m.st.putDelivery(d); err != nil {
		m.log.Error("alert: record delivery", "delivery", d.ID, "err", err.Error())
		return
	}
	m.log.Info("alert: delivery attempt", "alert", d.AlertID, "delivery", d.ID, "attempt", d.Attempts,
		"status", d.Status, "http_status", status, "error", d.LastError)
}

// post sends d's body and returns the HTTP status and, for a 429, the
// Retry-After wait.
func (m *Manager) post(ctx context.Context, url, secret string, d *deliveryRec) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %v", ErrUnsafeURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "newsdex-alerts/1")
	req.Header.Set("X-Newsdex-Delivery", d.ID)
	req.Header.Set("X-Newsdex-Signature", Sign(secret, d.Body))
	resp, err := m.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), m.opts.Now()), nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date; zero
// when absent or unreadable. It is capped at a day.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), 24*time.Hour)
}
