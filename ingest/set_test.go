package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
)

func TestParseSet(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    map[string]string
		wantErr bool
	}{
		{"none", nil, nil, false},
		{"outlet", []string{"outlet=Wikinews"}, map[string]string{"outlet": "Wikinews"}, false},
		{"two", []string{"outlet=Wikinews", " language = en "}, map[string]string{"outlet": "Wikinews", "language": "en"}, false},
		{"unknown field", []string{"body=x"}, nil, true},
		{"no value", []string{"outlet="}, nil, true},
		{"twice", []string{"outlet=a", "outlet=b"}, nil, true},
		{"bad date", []string{"published=yesterday"}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSet(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseSet(%q) error %v, want error %v", tc.in, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseSet(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// TestWalkSet checks that Options.Set fills only the fields a record lacks,
// and that the outlet it sets is canonicalised like a read one.
func TestWalkSet(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.jsonl")
	writeFile(t, path, `{"id":"1","title":"t","body":"b"}
{"id":"2","title":"t","body":"b","outlet":"NYTimes","language":"de"}
`)
	var got []newsdex.Article
	opts := Options{Set: map[string]string{"outlet": "Wikinews", "language": "en"}}
	err := Walk(context.Background(), []string{path}, opts, func(a newsdex.Article) error {
		got = append(got, a)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d articles, want 2", len(got))
	}
	if got[0].Outlet != "Wikinews" || got[0].Language != "en" {
		t.Errorf("article 1: outlet %q language %q, want Wikinews, en", got[0].Outlet, got[0].Language)
	}
	if got[1].Outlet != "The New York Times" || got[1].Language != "de" {
		t.Errorf("article 2: outlet %q language %q, want The New York Times, de", got[1].Outlet, got[1].Language)
	}
	if err := Walk(context.Background(), []string{path}, Options{Set: map[string]string{"body": "x"}}, func(newsdex.Article) error { return nil }, nil); err == nil {
		t.Error("Walk with Set body: want an error")
	}
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}
