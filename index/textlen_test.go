package index

import (
	"testing"

	"github.com/blevesearch/bleve/v2/registry"
)

// TestTextLengthMatchesAnalyzer: TextLength counts the tokens TextAnalyzer
// keeps, which is the length Bleve records for FieldText.
func TestTextLengthMatchesAnalyzer(t *testing.T) {
	a, err := registry.NewCache().AnalyzerNamed(TextAnalyzer)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{
		"",
		"The President of the United States said on Monday that it was time.",
		"Xi Jinping\nChinese President Xi Jinping, who is on a state visit to Russia, held talks in Moscow.",
		"U.S. stocks fell 2.5% on Friday; the Dow lost 300 points — its worst week since 2020.",
		"Putin-Xi talks: what's next? Officials don't say.",
	} {
		if got, want := TextLength(text), len(a.Analyze([]byte(text))); got != want {
			t.Errorf("TextLength(%q) = %d, want %d (the analyzer's tokens)", text, got, want)
		}
	}
}
