package alert

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsdex/newsdex/search"
)

func TestDefaultBackoff(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{{1, 5 * time.Second}, {2, 10 * time.Second}, {3, 20 * time.Second}, {7, 320 * time.Second}, {8, 10 * time.Minute}, {50, 10 * time.Minute}}
	for _, tc := range tests {
		if got := DefaultBackoff(tc.n); got != tc.want {
			t.Errorf("DefaultBackoff(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
	// At most 10 minutes apart, the attempts of 24 hours number well over
	// a hundred: the schedule keeps trying for the whole day.
	var total time.Duration
	n := 0
	for total < 24*time.Hour {
		n++
		total += DefaultBackoff(n)
	}
	if n < 140 {
		t.Errorf("%d attempts in 24 h, want at least 140", n)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name, h string
		want    time.Duration
	}{
		{"absent", "", 0},
		{"seconds", "120", 2 * time.Minute},
		{"date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"past date", now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"garbage", "soon", 0},
		{"capped", "999999", 24 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := retryAfter(tc.h, now); got != tc.want {
				t.Errorf("retryAfter(%q) = %s, want %s", tc.h, got, tc.want)
			}
		})
	}
}

func TestPublicAddr(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", false}, {"::1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"fe80::1", false}, {"fc00::1", false}, {"0.0.0.0", false}, {"100.64.0.1", false},
		{"::ffff:127.0.0.1", false}, {"8.8.8.8", true}, {"2001:4860:4860::8888", true},
	}
	for _, tc := range tests {
		if got := publicAddr(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("publicAddr(%s) = %v, want %v", tc.ip, got, tc.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"http://127.0.0.1:8080/hook", false, false},
		{"http://127.0.0.1:8080/hook", true, true},
		{"http://[::1]/hook", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"http://localhost/hook", false, false},
		{"ftp://example.com/", true, false},
		{"http://user:pw@example.com/", true, false},
		{"not a url", true, false},
	}
	for _, tc := range tests {
		err := checkURL(t.Context(), tc.url, tc.allowPrivate)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrUnsafeURL)) {
			t.Errorf("checkURL(%q, %v) = %v, want ok %v", tc.url, tc.allowPrivate, err, tc.ok)
		}
	}
}

func TestQueryRequest(t *testing.T) {
	tests := []struct {
		name  string
		q     Query
		param string // of the *search.ParamError; "" for none
	}{
		{"words and filters", Query{"q": "central bank", "person": []any{"Angela Merkel", "Xi Jinping"}, "person_op": "or", "from": "2024-01-01"}, ""},
		{"numbers and booleans", Query{"q": "x", "size": 5.0, "collapse": false}, ""},
		{"unknown", Query{"qq": "x"}, "qq"},
		{"repeated", Query{"q": []any{"a", "b"}}, "q"},
		{"bad date", Query{"from": "yesterday"}, "from"},
		{"semantic", Query{"q": "x", "mode": "semantic"}, "mode"},
		{"object", Query{"q": map[string]any{}}, "q"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.q.Request()
			var pe *search.ParamError
			switch {
			case tc.param == "" && err != nil:
				t.Errorf("Request() = %v, want nil", err)
			case tc.param != "" && (!errors.As(err, &pe) || pe.Param != tc.param):
				t.Errorf("Request() = %v, want a ParamError on %s", err, tc.param)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	if got := snippet("  short\n text ", 280); got != "short text" {
		t.Errorf("snippet = %q", got)
	}
	long := ""
	for range 100 {
		long += "word "
	}
	got := snippet(long, 20)
	if got != "word word word word…" {
		t.Errorf("snippet = %q", got)
	}
}

// TestSqueeze checks that snippets built from a prefix of the body are
// those of the whole body made one line (strings.Fields joined).
func TestSqueeze(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	parts := []string{"a", "bé", " ", "  ", "\n", "\t", "\u00a0", "\u3000", "word", "\xff", "日本", "."}
	for range 2000 {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		body, n := b.String(), r.IntN(30)
		want := strings.Join(strings.Fields(body), " ")
		if utf8.RuneCountInString(want) > n {
			want = string([]rune(want)[:n]) // rune-wise prefix, for valid text
		}
		got := squeeze(body, n)
		if utf8.ValidString(body) && got != want {
			t.Fatalf("squeeze(%q, %d) = %q, want %q", body, n, got, want)
		}
		if !strings.HasPrefix(strings.Join(strings.Fields(body), " "), got) {
			t.Fatalf("squeeze(%q, %d) = %q, not a prefix of the joined fields", body, n, got)
		}
	}
}
