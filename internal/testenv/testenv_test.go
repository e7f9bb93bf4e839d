package testenv

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that records which of the calls Missing and
// Partial make it received, instead of stopping the test.
type recorder struct {
	testing.TB
	calls []string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.calls = append(r.calls, "Fatalf: "+fmt.Sprintf(format, args...))
}
func (r *recorder) Skipf(format string, args ...any) {
	r.calls = append(r.calls, "Skipf: "+fmt.Sprintf(format, args...))
}
func (r *recorder) Errorf(format string, args ...any) {
	r.calls = append(r.calls, "Errorf: "+fmt.Sprintf(format, args...))
}
func (r *recorder) Logf(format string, args ...any) {
	r.calls = append(r.calls, "Logf: "+fmt.Sprintf(format, args...))
}

func TestMissingAndPartial(t *testing.T) {
	tests := []struct {
		name, ci    string
		f           func(testing.TB, string, string)
		wantCall    string
		wantCIValue bool
	}{
		{"missing outside CI", "", Missing, "Skipf", false},
		{"missing with CI=false", "false", Missing, "Skipf", false},
		{"missing with CI=0", "0", Missing, "Skipf", false},
		{"missing under CI=true", "true", Missing, "Fatalf", true},
		{"missing under CI=1", "1", Missing, "Fatalf", true},
		{"partial outside CI", "", Partial, "Logf", false},
		{"partial under CI=true", "true", Partial, "Errorf", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			if got := CI(); got != tc.wantCIValue {
				t.Errorf("CI() with CI=%q = %v, want %v", tc.ci, got, tc.wantCIValue)
			}
			r := &recorder{}
			tc.f(r, "chromium", "apt-get install chromium")
			if len(r.calls) != 1 {
				t.Fatalf("calls = %q, want one %s", r.calls, tc.wantCall)
			}
			call, msg, _ := strings.Cut(r.calls[0], ": ")
			if call != tc.wantCall {
				t.Errorf("call = %s (%q), want %s", call, msg, tc.wantCall)
			}
			// The message names what is missing and how to get it.
			if !strings.HasPrefix(msg, "missing chromium") || !strings.HasSuffix(msg, ": apt-get install chromium") {
				t.Errorf("message %q, want it to start with %q and end with the hint", msg, "missing chromium")
			}
		})
	}
}
