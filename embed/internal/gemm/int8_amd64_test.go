package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMulInt8 checks the int8 path against float64 products. Each element
// of A is off by at most half its row's step sa (range/255), each of B by
// half its column's step sb (max/127), so one element of C may be off by
// sa/2·Σ|b| + sb/2·Σ|a| + k·sa·sb/4; the bound adds float32 rounding.
func TestMulInt8(t *testing.T) {
	if !int8Available() {
		t.Skip("no AVX-512 VNNI")
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, sz := range []struct{ m, k, n int }{{1, 16, 32}, {12, 64, 64}, {95, 512, 96}, {40, 1536, 32}, {17, 256, 512}, {200, 256, 64}} {
		for _, mode := range []Mode{0, Add, Bias | ReLU, Add | Bias} {
			lda, ldb, ldc := sz.k+5, sz.n, sz.n+3
			a := randMat(r, Rows(sz.m)*lda)
			// Rows of one sign, as after a ReLU, use the zero point.
			for kk := 0; kk < sz.k; kk++ {
				a[kk] = abs32(a[kk])
			}
			b := randMat(r, sz.k*ldb)
			bias := randMat(r, sz.n)
			c0 := randMat(r, Rows(sz.m)*ldc)
			c := append([]float32(nil), c0...)
			p := Pack(b, sz.k, sz.n, ldb)
			p.SetBias(bias)
			if !p.QuantizeInt8() {
				t.Fatalf("QuantizeInt8 refused k=%d n=%d", sz.k, sz.n)
			}
			MulMode(sz.m, a, lda, p, c, ldc, mode, nil)
			for i := 0; i < Rows(sz.m); i++ {
				lo, hi := float32(0), float32(0)
				var sumA float64
				for kk := 0; kk < sz.k; kk++ {
					v := a[i*lda+kk]
					lo, hi = min(lo, v), max(hi, v)
					sumA += math.Abs(float64(v))
				}
				sa := float64(hi-lo) / 255
				for j := 0; j < sz.n; j++ {
					var want, sumB, bmax, mag float64
					for kk := 0; kk < sz.k; kk++ {
						x, y := float64(a[i*lda+kk]), float64(b[kk*ldb+j])
						want += x * y
						mag += math.Abs(x * y)
						sumB += math.Abs(y)
						bmax = max(bmax, math.Abs(y))
					}
					sb := bmax / 127
					bound := sa/2*sumB + sb/2*sumA + float64(sz.k)*sa*sb/4 + 1e-5*(mag+1)
					if mode&Bias != 0 {
						want += float64(bias[j])
					}
					if mode&Add != 0 {
						want += float64(c0[i*ldc+j])
					}
					if mode&ReLU != 0 {
						want = max(want, 0)
					}
					if d := math.Abs(float64(c[i*ldc+j]) - want); d > bound {
						t.Fatalf("mode %b m=%d k=%d n=%d: C[%d][%d] = %v, want %v ± %v", mode, sz.m, sz.k, sz.n, i, j, c[i*ldc+j], want, bound)
					}
				}
			}
			for i := Rows(sz.m) * ldc; i < len(c); i++ {
				if c[i] != c0[i] {
					t.Fatalf("element %d past Rows(m) changed", i)
				}
			}
		}
	}
}

// TestQuantRowMatchesGo checks the assembly quantiser, clamping included,
// against the portable one.
func TestQuantRowMatchesGo(t *testing.T) {
	if !int8Available() {
		t.Skip("no AVX-512 VNNI")
	}
	r := rand.New(rand.NewPCG(13, 14))
	for _, tc := range []struct {
		name      string
		n         int
		inv, zero float32
	}{
		{"signed", 64, 127.5, 128},
		{"positive", 256, 255, 0},
		{"clamped", 32, 1000, 128}, // most values land outside 0..255
		{"zero row", 16, 1, 0},
	} {
		src := randMat(r, tc.n)
		if tc.name == "zero row" {
			clear(src)
		}
		got := make([]uint8, tc.n)
		want := make([]uint8, tc.n)
		quantRow(tc.n, &src[0], &got[0], tc.inv, tc.zero)
		quantRowGo(src, want, tc.inv, tc.zero)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: element %d (%v): quantRow %d, quantRowGo %d", tc.name, i, src[i], got[i], want[i])
			}
		}
	}
}

func benchInt8(b *testing.B, m, k, n int) {
	r := rand.New(rand.NewPCG(5, 6))
	a := randMat(r, Rows(m)*k)
	w := randMat(r, k*n)
	c := make([]float32, Rows(m)*n)
	p := Pack(w, k, n, n)
	if !p.QuantizeInt8() {
		b.Skip("no AVX-512 VNNI")
	}
	var s Scratch
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		MulMode(m, a, k, p, c, n, 0, &s)
	}
	flop := float64(2*m*k*n) * float64(b.N)
	b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(flop/cpu.Seconds()/1e9, "GFLOP/cpu-s")
	}
}

func BenchmarkInt8x96x512x1536(b *testing.B) { benchInt8(b, 96, 512, 1536) }
func BenchmarkInt8x96x1536x512(b *testing.B) { benchInt8(b, 96, 1536, 512) }
func BenchmarkInt8x12x512x1536(b *testing.B) { benchInt8(b, 12, 512, 1536) }
