package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestEvalFloorArgs checks the arguments --floor refuses before it loads
// any collection or model (the sweep itself is tested in internal/eval).
func TestEvalFloorArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"entities", []string{"eval", "--floor", "entities"}, "not entities"},
		{"mode", []string{"eval", "--floor", "--mode", "semantic"}, "takes no --mode"},
		{"threshold out of range", []string{"eval", "--floor", "--floor-thresholds", "0.5,1.5"}, "between -1 and 1"},
		{"unknown collection", []string{"eval", "--floor", "--collection", "nope"}, `unknown collection "nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Run(context.Background(), tc.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("newsdex %s: error %v, want one containing %q", strings.Join(tc.args, " "), err, tc.want)
			}
		})
	}
}
