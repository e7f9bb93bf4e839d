package api

import (
	"context"
	"net/http"
	"testing"
)

func TestHealthVectorsPending(t *testing.T) {
	eng, _ := fixture(t)
	tests := []struct {
		name    string
		pending func(context.Context) (uint64, error)
		want    map[string]any
	}{
		{"no background embedding", nil, map[string]any{"status": "ok"}},
		{"vectors pending", func(context.Context) (uint64, error) { return 42, nil },
			map[string]any{"status": "ok", "vectors_pending": float64(42)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hz := newHarness(t, eng, Options{VectorsPending: tc.pending})
			rec := hz.get("/healthz")
			if rec.Code != http.StatusOK {
				t.Fatalf("healthz: %d %s", rec.Code, rec.Body)
			}
			got := decode[map[string]any](t, rec)
			if len(got) != len(tc.want) {
				t.Fatalf("healthz = %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("healthz %s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}
