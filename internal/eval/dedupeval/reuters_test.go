package dedupeval

import (
	"compress/gzip"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var reuters = flag.Bool("reuters", false, "run TestReuters: detect duplicates in Reuters-21578 (slow)")

// TestReuters measures the detector on Reuters-21578, whose 21,578 wire
// items from 1987 include many re-sent stories and many short, templated
// items (earnings tables) that AllSides lacks: it is where MinWords is
// measured. Run it with -reuters; it honours the same flags as TestAllSides.
func TestReuters(t *testing.T) {
	if !*reuters || testing.Short() {
		t.Skip("corpus-scale measurement; run with -reuters (and without -short)")
	}
	docs := readReuters(t)
	measure(t, docs)
}

var (
	reutersRecord = regexp.MustCompile(`(?s)<REUTERS[^>]*NEWID="(\d+)"[^>]*>(.*?)</REUTERS>`)
	reutersField  = func(name string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)<` + name + `>(.*?)</` + name + `>`)
	}
	reutersTitle = reutersField("TITLE")
	reutersBody  = reutersField("BODY")
	reutersDate  = reutersField("DATE")
)

// readReuters reads the 22 SGML files of Reuters-21578. The files are
// Latin-1; bodies are hard-wrapped at about 70 columns with indented
// paragraphs, and end in "Reuter" and a control character.
func readReuters(tb testing.TB) []Doc {
	tb.Helper()
	dir := corpus(tb, "reuters21578")
	var docs []Doc
	for i := range 22 {
		name := filepath.Join(dir, fmt.Sprintf("reut2-%03d.sgm.gz", i))
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			tb.Fatalf("read %s: %v", name, err)
		}
		raw, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			tb.Fatalf("read %s: %v", name, err)
		}
		text := latin1(raw)
		for _, m := range reutersRecord.FindAllStringSubmatch(text, -1) {
			field := func(re *regexp.Regexp) string {
				if f := re.FindStringSubmatch(m[2]); f != nil {
					return strings.TrimSpace(html.UnescapeString(f[1]))
				}
				return ""
			}
			docs = append(docs, Doc{ID: m[1], Outlet: "Reuters", Title: field(reutersTitle),
				Date: field(reutersDate), Text: field(reutersBody)})
		}
	}
	return docs
}

// latin1 decodes ISO 8859-1 bytes.
func latin1(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}
