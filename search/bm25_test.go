package search

import (
	"math"
	"testing"
)

// TestBM25Score checks the formula against hand-computed Okapi BM25 values
// (k1 = 1.2, b = 0.75) and its shape: more occurrences score higher but
// saturate, longer documents score lower.
func TestBM25Score(t *testing.T) {
	idf := math.Log(1 + (100-10+0.5)/(10+0.5))
	norm := func(length float64) float64 { return 1 / math.Sqrt(length) }
	tests := []struct {
		name        string
		freq        uint64
		length, avg float64
		want        float64
	}{
		{"average length, once", 1, 100, 100, idf * 2.2 / (1 + 1.2)},
		{"average length, 3 times", 3, 100, 100, idf * 3 * 2.2 / (3 + 1.2)},
		{"twice the average", 1, 200, 100, idf * 2.2 / (1 + 1.2*(0.25+0.75*2))},
		{"half the average", 1, 50, 100, idf * 2.2 / (1 + 1.2*(0.25+0.75*0.5))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := bm25Score(idf, tc.avg, tc.freq, norm(tc.length))
			if math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("bm25Score(freq %d, len %v, avg %v) = %v, want %v", tc.freq, tc.length, tc.avg, got, tc.want)
			}
		})
	}
	if a, b := bm25Score(idf, 100, 2, norm(100)), bm25Score(idf, 100, 1, norm(100)); a <= b || a >= 2*b {
		t.Errorf("tf 2 scores %v against tf 1's %v: want more, but less than double", a, b)
	}
	if long, short := bm25Score(idf, 100, 1, norm(400)), bm25Score(idf, 100, 1, norm(25)); long >= short {
		t.Errorf("a long document scores %v, a short one %v: want the short one higher", long, short)
	}
}
