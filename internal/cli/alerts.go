package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/newsdex/newsdex/alert"
	"github.com/newsdex/newsdex/search"
)

// Test hooks of the alerts, read by serve from the environment only:
// NEWSDEX_ALERTS_TEST_HOLD delays every delivery's first attempt (so a
// test can kill the server between the match and the delivery), and
// NEWSDEX_ALERTS_TEST_BACKOFF replaces the retry schedule (5 s doubling
// to 10 min) by a constant wait, so retries can be tested quickly.
const (
	envAlertsHold    = "NEWSDEX_ALERTS_TEST_HOLD"
	envAlertsBackoff = "NEWSDEX_ALERTS_TEST_BACKOFF"
)

// openAlerts opens the alerts of index dir, matched with eng.
func openAlerts(dir string, eng *search.Engine, allowPrivate bool, log *slog.Logger) (*alert.Manager, error) {
	opts := alert.Options{AllowPrivate: allowPrivate, Log: log}
	if v := os.Getenv(envAlertsHold); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", envAlertsHold, v, err)
		}
		opts.Hold = d
	}
	if v := os.Getenv(envAlertsBackoff); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", envAlertsBackoff, v, err)
		}
		opts.Backoff = func(int) time.Duration { return d }
	}
	var m *alert.Manager
	var err error
	if eng == nil {
		m, err = alert.Open(dir, nil, opts)
	} else {
		m, err = alert.Open(dir, eng, opts)
	}
	return m, err
}

// keep context imported for the commands below.
var _ = context.Background
