package embed

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestExpNeg(t *testing.T) {
	var worst float64
	for x := float32(-90); x <= 0; x += 0.000731 {
		want := math.Exp(float64(x))
		got := float64(expNeg(x))
		if want < 1.2e-38 {
			if got > 1.2e-38 {
				t.Fatalf("expNeg(%v) = %v, want < 1.2e-38", x, got)
			}
			continue
		}
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 3e-7 {
		t.Errorf("expNeg max relative error %g, want <= 3e-7", worst)
	}
	if got := expNeg(0); got != 1 {
		t.Errorf("expNeg(0) = %v, want 1", got)
	}
}

// TestSoftmax checks softmax (AVX-512 where the CPU has it) against the
// portable code for lengths around the vector width.
func TestSoftmax(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 70; n++ {
		s := make([]float32, n+3)
		for i := range s {
			s[i] = float32(r.NormFloat64() * 8)
		}
		s[n/2] = -200 // an element that underflows
		want := append([]float32(nil), s...)
		softmax(s[:n])
		softmaxGo(want[:n])
		for i := range s {
			d := math.Abs(float64(s[i] - want[i]))
			if (i < n && d > 1e-6*float64(want[i])+1e-30) || (i >= n && s[i] != want[i]) {
				t.Fatalf("n=%d: softmax[%d] = %v, portable %v", n, i, s[i], want[i])
			}
		}
	}
}

// TestLayerNorm checks layerNorm (AVX-512 where the CPU has it) against
// the portable code.
func TestLayerNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, d := range []int{16, 256, 512} {
		rows := 5
		src := make([]float32, rows*d)
		scale := make([]float32, d)
		bias := make([]float32, d)
		for i := range src {
			src[i] = float32(r.NormFloat64()*3 + 1)
		}
		for i := range scale {
			scale[i] = float32(r.NormFloat64())
			bias[i] = float32(r.NormFloat64())
		}
		got := make([]float32, rows*d)
		want := make([]float32, rows*d)
		layerNorm(got, src, rows, d, scale, bias, 1e-6)
		layerNormGo(want, src, rows, d, scale, bias, 1e-6)
		for i := range got {
			if diff := math.Abs(float64(got[i] - want[i])); diff > 2e-6*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("d=%d: layerNorm[%d] = %v, portable %v", d, i, got[i], want[i])
			}
		}
	}
}
