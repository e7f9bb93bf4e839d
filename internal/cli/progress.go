package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// progress shows how a long command advances: a bar with rate (and ETA
// when the total is known) on a terminal, a plain line every few seconds
// elsewhere (CI, pipes), nothing with --quiet.
type progress struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	label string
	last  time.Time
	start time.Time
}

// onTerminal reports whether w is a terminal and CI is not set.
func onTerminal(w io.Writer) bool {
	if os.Getenv("CI") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// colourOn reports whether w takes terminal colour codes: it is a
// terminal, and NO_COLOR (no-color.org) is unset or empty.
func colourOn(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// newProgress returns a reporter for total items (-1 if unknown).
func (e *env) newProgress(label string, total int64) *progress {
	if e.quiet {
		return nil
	}
	p := &progress{w: e.stderr, label: label, start: time.Now(), last: time.Now()}
	if onTerminal(e.stderr) {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("articles"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetPredictTime(total > 0),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

// set reports the running count.
func (p *progress) set(n int) {
	if p == nil {
		return
	}
	if p.bar != nil {
		_ = p.bar.Set(n)
		return
	}
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		rate := float64(n) / time.Since(p.start).Seconds()
		fmt.Fprintf(p.w, "%s: %d articles (%.0f/s)\n", p.label, n, rate)
	}
}

func (p *progress) done() {
	if p != nil && p.bar != nil {
		_ = p.bar.Finish()
	}
}
