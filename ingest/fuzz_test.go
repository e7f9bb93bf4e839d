package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/newsdex/newsdex"
)

// addFiles adds the fixtures matching pattern to f's seed corpus.
func addFiles(f *testing.F, pattern string) {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range names {
		if fi, err := os.Stat(n); err != nil || fi.IsDir() {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// fuzzRead reads data as format and checks the invariants every reader
// keeps whatever the input: no panic, no fatal error from an in-memory
// stream, and only clean articles with an ID.
func fuzzRead(t *testing.T, data []byte, name string, opts Options) {
	emit := func(a newsdex.Article) error {
		if a.ID == "" {
			t.Errorf("article with empty ID: %+v", a)
		}
		if a.Title == "" && a.Body == "" {
			t.Errorf("article %q with no title and no body", a.ID)
		}
		fields := append([]string{a.ID, a.Title, a.Body, a.URL, a.Outlet, a.Dateline, a.Language}, a.Authors...)
		for _, vs := range a.Labels {
			fields = append(fields, vs...)
		}
		for _, s := range fields {
			if !utf8.ValidString(s) {
				t.Errorf("article %q: invalid UTF-8 %q", a.ID, s)
			}
			if strings.ContainsFunc(s, func(r rune) bool { return (r < ' ' && r != '\n' && r != '\t') || r == 0x7f }) {
				t.Errorf("article %q: control character in %q", a.ID, s)
			}
		}
		return nil
	}
	skip := func(e *RecordError) {
		if e == nil || e.Err == nil || e.Source != name {
			t.Errorf("bad skip %#v", e)
		}
	}
	err := Read(context.Background(), bytes.NewReader(data), name, opts, emit, skip)
	var re *RecordError
	if err != nil && !errors.As(err, &re) {
		t.Errorf("Read: fatal error %v on in-memory input", err)
	}
}

func FuzzSeed(f *testing.F) {
	addFiles(f, "seed/*.txt")
	if b, err := newsdex.Seeds.ReadFile("seeds/000_5285904866886d73.txt"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz.txt", Options{Format: FormatSeed})
	})
}

func FuzzJSONL(f *testing.F) {
	addFiles(f, "jsonl/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz.jsonl", Options{Format: FormatJSONL})
		fuzzRead(t, data, "fuzz.jsonl", Options{Format: FormatJSONL, Map: map[string]string{"id": "ID", "body": "content_original", "authors": "authors"}})
	})
}

func FuzzReuters(f *testing.F) {
	addFiles(f, "reuters/*.sgm")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz.sgm", Options{Format: FormatReuters})
	})
}

func FuzzCSV(f *testing.F) {
	addFiles(f, "csv/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz.csv", Options{Format: FormatCSV})
		fuzzRead(t, data, "fuzz.tsv", Options{})
	})
}

// FuzzDetect reads input with the format detected from content, so that
// every reader is reached from arbitrary bytes.
func FuzzDetect(f *testing.F) {
	addFiles(f, "*/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz", Options{})
	})
}
