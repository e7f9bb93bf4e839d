package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdex/newsdex/api"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// TestExportCommand: `newsdex export` writes the match set as CSV or
// JSONL, to stdout or a file, and a server holding the index sends the
// same bytes.
func TestExportCommand(t *testing.T) {
	noModel(t)
	dir := testIndex(t)
	tests := []struct {
		name           string
		args           []string
		q, fmt, fields string // what args say, for the server
		check          func(t *testing.T, out string)
	}{
		{"csv, every article", nil, "", "csv", "", func(t *testing.T, out string) {
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(recs[0], ","); got != "id,title,url,published,outlet,authors,people,leaders,cited,places,duplicates" {
				t.Errorf("header %q", got)
			}
			if len(recs) != 4 {
				t.Errorf("%d records, want a header and 3 rows", len(recs))
			}
		}},
		{"jsonl, query, fields", []string{"--format", "jsonl", "--fields", "id,body", "pipeline"}, "pipeline", "jsonl", "id,body", func(t *testing.T, out string) {
			for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				var row map[string]any
				if err := json.Unmarshal([]byte(line), &row); err != nil || len(row) != 2 || row["body"] == "" {
					t.Errorf("line %q: %v", line, err)
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"export", "--quiet", "--index", dir}, tc.args...)
			out, _ := run(t, args...)
			tc.check(t, out)
			file := filepath.Join(t.TempDir(), "out")
			run(t, append(args, "-o", file)...)
			b, err := os.ReadFile(file)
			if err != nil || string(b) != out {
				t.Errorf("-o wrote %q (%v), stdout had %q", b, err, out)
			}
			if _, err := os.Stat(file + ".part"); !os.IsNotExist(err) {
				t.Errorf("the .part file remains: %v", err)
			}
			// The server's export of the same request.
			f := exportFlags{format: tc.fmt, fields: tc.fields}
			q := tc.q
			rem := serveIndex(t, dir)
			var buf bytes.Buffer
			if _, err := rem.export(context.Background(), f.values(search.Request{Query: q}), &buf); err != nil {
				t.Fatal(err)
			}
			if buf.String() != out {
				t.Errorf("the server exported\n%s\nthe command\n%s", buf.String(), out)
			}
		})
	}
}

// serveIndex serves the index in dir with the API until the test ends.
func serveIndex(t *testing.T, dir string) *remote {
	t.Helper()
	ix, err := index.OpenExisting(dir)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := search.New(ix)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(eng, nil, api.Options{}).Handler())
	t.Cleanup(func() { srv.Close(); ix.Close() })
	return &remote{base: srv.URL, client: srv.Client()}
}

// TestRemoteExportCutShort: a body that ends early is an error, not a
// short file.
func TestRemoteExportCutShort(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Total-Count", "10")
		w.Header().Set("Trailer", "X-Export-Rows")
		_, _ = w.Write([]byte("id\na\n"))
		w.Header().Set("X-Export-Rows", "1")
	}))
	defer srv.Close()
	rem := &remote{base: srv.URL, client: srv.Client()}
	var buf bytes.Buffer
	if _, err := rem.export(context.Background(), nil, &buf); err == nil || !strings.Contains(err.Error(), "1 of 10") {
		t.Errorf("export of a short body: %v, want an error naming 1 of 10", err)
	}
}
