package search

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pinnedBleve holds the versions of Bleve and its zapx segment formats
// that the bulk path (bulk.go, collect.go) was checked against: it repeats
// Bleve's ordering, normalisation and summing of clause scores and reads
// zapx segments directly, so a new version of either can change scores
// without any other test noticing. Update it only after the checks that
// TestBleveVersionPinned names pass on the new versions.
var pinnedBleve = map[string]string{
	"github.com/blevesearch/bleve/v2": "v2.6.3",
	"github.com/blevesearch/zapx/v11": "v11.4.3",
	"github.com/blevesearch/zapx/v12": "v12.4.3",
	"github.com/blevesearch/zapx/v13": "v13.4.3",
	"github.com/blevesearch/zapx/v14": "v14.4.3",
	"github.com/blevesearch/zapx/v15": "v15.4.3",
	"github.com/blevesearch/zapx/v16": "v16.3.4",
	"github.com/blevesearch/zapx/v17": "v17.2.5",
}

// TestBleveVersionPinned fails when go.mod requires (or replaces) another
// version of Bleve or zapx than the one the copied arithmetic was
// checked against, and says which checks to re-run.
func TestBleveVersionPinned(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := bleveVersions(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pinnedBleve, got); diff != "" {
		t.Errorf("Bleve or zapx in go.mod differ from the versions pinned in search/bleve_pin_test.go (-pinned +go.mod):\n%s\n"+
			"The bulk path copies Bleve's score arithmetic. On the new versions, re-run the tests that compare it with Bleve:\n"+
			"\tgo test ./search -run 'TestRunSearchMatchesBleve|TestPhrasesKeepScores'\n"+
			"\tNEWSDEX_BULK_CHECK_INDEX=DIR/lexical go test ./search -run TestBulkMatchesBleveOnIndex\n"+
			"(DIR from `newsdex bench --work DIR --keep`), and when they pass update pinnedBleve.", diff)
	}
}

// pinned reports whether path is a module TestBleveVersionPinned pins.
func pinned(path string) bool {
	return path == "github.com/blevesearch/bleve/v2" || strings.HasPrefix(path, "github.com/blevesearch/zapx/")
}

// bleveVersions returns the version go.mod requires of each pinned
// module, or "=> target" for one it replaces (a replacement wins).
func bleveVersions(gomod []byte) (map[string]string, error) {
	got := map[string]string{}
	block := "" // "require" or "replace" inside a ( ... ) block
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "//")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		verb := block
		switch {
		case block != "" && f[0] == ")":
			block = ""
			continue
		case block == "" && (f[0] == "require" || f[0] == "replace") && len(f) == 2 && f[1] == "(":
			block = f[0]
			continue
		case block == "" && (f[0] == "require" || f[0] == "replace"):
			verb, f = f[0], f[1:] // a one-line directive
		case block == "":
			continue // module, go, toolchain, exclude, retract
		}
		if len(f) == 0 || !pinned(f[0]) {
			continue
		}
		switch verb {
		case "require":
			if len(f) != 2 {
				return nil, fmt.Errorf("go.mod line %d: require %q: want a path and a version", n, strings.TrimSpace(line))
			}
			if !strings.HasPrefix(got[f[0]], "=>") {
				got[f[0]] = f[1]
			}
		case "replace":
			_, target, ok := strings.Cut(line, "=>")
			if !ok {
				return nil, fmt.Errorf("go.mod line %d: replace %q: no =>", n, strings.TrimSpace(line))
			}
			got[f[0]] = "=> " + strings.Join(strings.Fields(target), " ")
		}
	}
	return got, sc.Err()
}

func TestBleveVersions(t *testing.T) {
	tests := []struct {
		name, gomod string
		want        map[string]string
		wantErr     bool
	}{
		{"require block", "module m\n\ngo 1.26\n\nrequire (\n\tgithub.com/blevesearch/bleve/v2 v2.6.3 // indirect\n\tgithub.com/blevesearch/bleve_index_api v1.4.1\n\tgithub.com/blevesearch/zapx/v16 v16.3.4\n)\n",
			map[string]string{"github.com/blevesearch/bleve/v2": "v2.6.3", "github.com/blevesearch/zapx/v16": "v16.3.4"}, false},
		{"one-line require", "module m\nrequire github.com/blevesearch/zapx/v17 v17.3.0\nrequire golang.org/x/text v0.1.0\n",
			map[string]string{"github.com/blevesearch/zapx/v17": "v17.3.0"}, false},
		{"replace block after require", "require (\n\tgithub.com/blevesearch/bleve/v2 v2.6.3\n)\nreplace (\n\tgithub.com/blevesearch/bleve/v2 => ../bleve\n)\n",
			map[string]string{"github.com/blevesearch/bleve/v2": "=> ../bleve"}, false},
		{"one-line replace before require", "replace github.com/blevesearch/zapx/v16 v16.3.4 => example.org/zapx/v16 v16.3.5\nrequire github.com/blevesearch/zapx/v16 v16.3.4\n",
			map[string]string{"github.com/blevesearch/zapx/v16": "=> example.org/zapx/v16 v16.3.5"}, false},
		{"exclude block ignored", "exclude (\n\tgithub.com/blevesearch/bleve/v2 v2.0.0\n)\nrequire github.com/blevesearch/bleve/v2 v2.6.3\n",
			map[string]string{"github.com/blevesearch/bleve/v2": "v2.6.3"}, false},
		{"no bleve", "module m\nrequire golang.org/x/text v0.1.0\n", map[string]string{}, false},
		{"require without version", "require (\n\tgithub.com/blevesearch/bleve/v2\n)\n", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := bleveVersions([]byte(tc.gomod))
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); !tc.wantErr && diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
		})
	}
}
