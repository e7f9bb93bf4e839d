package ingest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
)

func TestNormalize(t *testing.T) {
	may8 := time.Date(2025, 5, 8, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		in, want    newsdex.Article
		wantDropped []string // FieldError texts
		wantErr     string
	}{
		{
			name: "text cleaned like every reader's",
			in: newsdex.Article{ID: " a\tb ", Title: "T\u0007 x\n y", Body: "one  \r\n\r\n\r\ntwo\u009b",
				Authors: []string{"", " A "}, Labels: map[string][]string{"to\npics": {"o\u0001il", " "}, "x": {""}},
				People: []newsdex.Entity{{Name: "P\u0002", Office: " O "}}},
			want: newsdex.Article{ID: "a b", Title: "T x y", Body: "one\n\ntwo", Authors: []string{"A"},
				Labels: map[string][]string{"to pics": {"oil"}}, People: []newsdex.Entity{{Name: "P", Office: "O"}}},
		},
		{
			name: "published becomes UTC",
			in:   newsdex.Article{ID: "a", Title: "T", Published: time.Date(2025, 5, 8, 2, 0, 0, 0, time.FixedZone("CEST", 2*3600))},
			want: newsdex.Article{ID: "a", Title: "T", Published: may8},
		},
		{
			name:        "a date after next year is dropped and reported",
			in:          newsdex.Article{ID: "a", Title: "T", Published: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)},
			want:        newsdex.Article{ID: "a", Title: "T"},
			wantDropped: []string{`published "2300-01-01": no news article has this date`},
		},
		{
			name:        "a date before 1800 is dropped and reported",
			in:          newsdex.Article{ID: "a", Title: "T", Published: time.Date(1, 11, 30, 10, 0, 0, 0, time.UTC)},
			want:        newsdex.Article{ID: "a", Title: "T"},
			wantDropped: []string{`published "0001-11-30T10:00:00Z": no news article has this date`},
		},
		{
			name: "dateline found in the body",
			in:   newsdex.Article{ID: "a", Body: "MOSCOW (Reuters) - Talks."},
			want: newsdex.Article{ID: "a", Body: "MOSCOW (Reuters) - Talks.", Dateline: "Moscow"},
		},
		{
			name: "an empty id becomes a hash of the URL",
			in:   newsdex.Article{URL: "https://example.org/x", Title: "T"},
			want: newsdex.Article{ID: hashID("https://example.org/x", "", ""), URL: "https://example.org/x", Title: "T"},
		},
		{
			name: "a URL id keeps its slashes",
			in:   newsdex.Article{ID: "https://en.wikinews.org//wiki/A/B", Title: "T"},
			want: newsdex.Article{ID: "https://en.wikinews.org//wiki/A/B", Title: "T"},
		},
		{name: "no text", in: newsdex.Article{ID: "a", Title: " \u0001", Body: "\r\n"}, wantErr: "no title and no body"},
		{name: "id too long", in: newsdex.Article{ID: strings.Repeat("i", MaxIDBytes+1), Title: "T"}, wantErr: "is 513 bytes, the limit is 512"},
		{name: "dot-dot id", in: newsdex.Article{ID: "..", Title: "T"}, wantErr: `id "..": is "." or ".."`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.in
			dropped, err := Normalize(&a)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Normalize error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, a); diff != "" {
				t.Errorf("Normalize mismatch (-want +got):\n%s", diff)
			}
			if len(dropped) != len(tc.wantDropped) {
				t.Fatalf("dropped %v, want %q", dropped, tc.wantDropped)
			}
			for i, d := range dropped {
				if !strings.Contains(d.Error(), tc.wantDropped[i]) {
					t.Errorf("dropped[%d] = %q, want %q", i, d, tc.wantDropped[i])
				}
			}
			// Normalising twice changes nothing.
			again := a
			if _, err := Normalize(&again); err != nil || !cmp.Equal(a, again) {
				t.Errorf("second Normalize: %v %s", err, cmp.Diff(a, again))
			}
		})
	}
}

// TestReadKeepsArticleWithImplausibleDate: a file's article with a date no
// article can have is indexed without it (the API refuses it instead), and
// one whose id cannot be read back is skipped with a record error.
func TestReadKeepsArticleWithImplausibleDate(t *testing.T) {
	in := `{"id":"a","title":"T","published":"2300-01-01"}` + "\n" +
		`{"id":"` + strings.Repeat("i", MaxIDBytes+1) + `","title":"T"}` + "\n"
	var arts []newsdex.Article
	var skips []string
	err := Read(context.Background(), strings.NewReader(in), "x.jsonl", Options{},
		func(a newsdex.Article) error { arts = append(arts, a); return nil },
		func(re *RecordError) { skips = append(skips, re.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 1 || arts[0].ID != "a" || !arts[0].Published.IsZero() {
		t.Errorf("articles = %+v, want a without a date", arts)
	}
	if len(skips) != 1 || !strings.Contains(skips[0], "x.jsonl record 2: id") || !strings.Contains(skips[0], "the limit is 512") {
		t.Errorf("skips = %q, want record 2's id", skips)
	}
	var fe *FieldError
	if err := CheckID(strings.Repeat("i", MaxIDBytes+1)); !errors.As(err, &fe) || fe.Field != "id" {
		t.Errorf("CheckID error %v is not a *FieldError for id", err)
	}
}
