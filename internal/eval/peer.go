package eval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Peer runs the SQLite FTS5 BM25 peer (relevance_peer.py in the shared
// bench folder) on a collection's documents and queries, so that every
// figure of newsdex is read beside a plain BM25 system's from the same run.
type Peer struct {
	// Script is the path of relevance_peer.py.
	Script string
	// Python is the interpreter; "" means python3 on $PATH.
	Python string
}

// PeerName is the peer's row label and its key in the JSON output.
const PeerName = "peer"

// Run writes c as docs.jsonl, queries.jsonl and qrels.tsv (and its stop
// list) into dir, runs the peer to depth k and returns its scores.
func (p Peer) Run(ctx context.Context, c *Collection, k int, dir string) (Scores, error) {
	py := p.Python
	if py == "" {
		py = "python3"
	}
	if _, err := exec.LookPath(py); err != nil {
		return Scores{}, fmt.Errorf("eval: peer needs %s: %w", py, err)
	}
	if _, err := os.Stat(p.Script); err != nil {
		return Scores{}, fmt.Errorf("eval: peer script: %w", err)
	}
	docs, queries, qrels := filepath.Join(dir, "docs.jsonl"), filepath.Join(dir, "queries.jsonl"), filepath.Join(dir, "qrels.tsv")
	if err := WritePeerInput(c, docs, queries, qrels); err != nil {
		return Scores{}, err
	}
	fields := c.PeerFields
	if fields == "" {
		fields = "title,body"
	}
	args := []string{p.Script, "--docs", docs, "--queries", queries, "--qrels", qrels, "--k", fmt.Sprint(k), "--fields", fields}
	if c.Stop != nil {
		stop := filepath.Join(dir, "stop.txt")
		words := make([]string, 0, len(c.Stop))
		for w := range c.Stop {
			words = append(words, w)
		}
		slices.Sort(words)
		if err := os.WriteFile(stop, []byte(strings.Join(words, "\n")+"\n"), 0o644); err != nil {
			return Scores{}, fmt.Errorf("eval: write peer stop list: %w", err)
		}
		args = append(args, "--stop", stop)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Scores{}, fmt.Errorf("eval: peer %s on %s: %w: %s", p.Script, c.Name, err, strings.TrimSpace(stderr.String()))
	}
	return parsePeer(stdout.Bytes())
}

// parsePeer reads the peer's JSON line (the last non-empty line).
func parsePeer(out []byte) (Scores, error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	var r struct {
		NDCG10  *float64 `json:"ndcg@10"`
		MAP     float64  `json:"map"`
		MRR10   float64  `json:"mrr@10"`
		P10     float64  `json:"p@10"`
		RecallK float64  `json:"recall@k"`
		Judged  int      `json:"queries_judged"`
	}
	if err := json.Unmarshal([]byte(last), &r); err != nil || r.NDCG10 == nil {
		return Scores{}, fmt.Errorf("eval: peer printed %q, want a JSON line with ndcg@10 (err %v)", last, err)
	}
	return Scores{Queries: r.Judged, NDCG10: *r.NDCG10, MAP: r.MAP, MRR10: r.MRR10, P10: r.P10, Recall100: r.RecallK}, nil
}

// WritePeerInput writes c in the peer's formats: docs as {"id", "title",
// "body"} lines, queries as {"qid", "query"} lines (the text as written:
// the peer lower-cases it and drops stop words itself) and judgments as
// "qid<TAB>docid<TAB>1".
func WritePeerInput(c *Collection, docs, queries, qrels string) error {
	err := writeLines(docs, func(w *bufio.Writer, enc *json.Encoder) error {
		for _, d := range c.Docs {
			if err := enc.Encode(struct {
				ID    string `json:"id"`
				Title string `json:"title"`
				Body  string `json:"body"`
			}{d.ID, d.Title, d.Body}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = writeLines(queries, func(w *bufio.Writer, enc *json.Encoder) error {
			for _, q := range c.Queries {
				if err := enc.Encode(struct {
					QID   string `json:"qid"`
					Query string `json:"query"`
				}{q.ID, q.Text}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err == nil {
		err = writeLines(qrels, func(w *bufio.Writer, _ *json.Encoder) error {
			for _, q := range c.Queries {
				ids := make([]string, 0, len(q.Relevant))
				for id, ok := range q.Relevant {
					if ok {
						ids = append(ids, id)
					}
				}
				slices.Sort(ids)
				for _, id := range ids {
					fmt.Fprintf(w, "%s\t%s\t1\n", q.ID, id)
				}
			}
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("eval: write peer input for %s: %w", c.Name, err)
	}
	return nil
}

func writeLines(path string, fill func(*bufio.Writer, *json.Encoder) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	err = fill(w, enc)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
