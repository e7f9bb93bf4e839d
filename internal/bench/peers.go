package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// peerScripts names the peer scripts a Peers setting runs.
func peerScripts(peers string) []string {
	switch peers {
	case "none":
		return nil
	case "all":
		return []string{"fts5_peer.py", "xapian_peer.py", "postgres_peer.py"}
	}
	return []string{"fts5_peer.py"}
}

// runPeer runs one peer script and parses the JSON line it prints. Errors
// are recorded in the result, not returned: a missing peer must not stop
// newsdex's own measurements.
func runPeer(ctx context.Context, c Config, script string) PeerResult {
	args := []string{filepath.Join(c.PeerDir, script), "--corpus", c.Corpus, "--reps", strconv.Itoa(c.PeerReps)}
	if c.Limit > 0 {
		args = append(args, "--limit", strconv.Itoa(c.Limit))
	}
	pr := PeerResult{Peer: strings.TrimSuffix(script, "_peer.py"), CommandLine: c.Python + " " + strings.Join(args, " ")}
	cmd := exec.CommandContext(ctx, c.Python, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	pr.WallSeconds = time.Since(start).Seconds()
	if err != nil {
		pr.Error = fmt.Sprintf("%s: %v: %s", script, err, lastLine(stderr.String()))
		return pr
	}
	line := lastLine(stdout.String())
	cmdLine := pr.CommandLine
	if err := json.Unmarshal([]byte(line), &pr); err != nil {
		pr.Error = fmt.Sprintf("%s: parse output %q: %v", script, line, err)
	}
	pr.CommandLine = cmdLine
	return pr
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
