package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMulAMX checks the AMX path against float64 products: each term may
// be off by about 2⁻¹⁶ of its size, so the bound is a multiple of that
// times the sum of |a·b|.
func TestMulAMX(t *testing.T) {
	if !amxAvailable() {
		t.Skip("no AMX-BF16")
	}
	r := rand.New(rand.NewPCG(9, 10))
	for _, sz := range []struct{ m, k, n int }{{1, 32, 32}, {12, 64, 64}, {95, 512, 96}, {40, 1536, 32}, {17, 256, 512}, {200, 256, 64}} {
		for _, mode := range []Mode{0, Add, Bias | ReLU, Add | Bias} {
			lda, ldb, ldc := sz.k+5, sz.n, sz.n+3
			a := randMat(r, Rows(sz.m)*lda)
			b := randMat(r, sz.k*ldb)
			bias := randMat(r, sz.n)
			c0 := randMat(r, Rows(sz.m)*ldc)
			c := append([]float32(nil), c0...)
			p := Pack(b, sz.k, sz.n, ldb)
			p.SetBias(bias)
			if !p.SplitBF16() {
				t.Fatalf("SplitBF16 refused k=%d n=%d", sz.k, sz.n)
			}
			MulMode(sz.m, a, lda, p, c, ldc, mode, nil)
			prod := naive(sz.m, sz.k, sz.n, a, lda, b, ldb)
			for i := 0; i < Rows(sz.m); i++ {
				for j := 0; j < sz.n; j++ {
					var want, mag float64
					if i < sz.m {
						want = prod[i*sz.n+j]
					} else {
						for kk := 0; kk < sz.k; kk++ {
							want += float64(a[i*lda+kk]) * float64(b[kk*ldb+j])
						}
					}
					for kk := 0; kk < sz.k; kk++ {
						mag += math.Abs(float64(a[i*lda+kk]) * float64(b[kk*ldb+j]))
					}
					if mode&Bias != 0 {
						want += float64(bias[j])
					}
					if mode&Add != 0 {
						want += float64(c0[i*ldc+j])
					}
					if mode&ReLU != 0 {
						want = max(want, 0)
					}
					if d := math.Abs(float64(c[i*ldc+j]) - want); d > 4*mag/65536+1e-6 {
						t.Fatalf("mode %b m=%d k=%d n=%d: C[%d][%d] = %v, want %v (|terms| %v)", mode, sz.m, sz.k, sz.n, i, j, c[i*ldc+j], want, mag)
					}
				}
			}
			// Rows past Rows(m) are not touched.
			for i := Rows(sz.m) * ldc; i < len(c); i++ {
				if c[i] != c0[i] {
					t.Fatalf("element %d past Rows(m) changed", i)
				}
			}
		}
	}
}

func benchAMX(b *testing.B, m, k, n int) {
	r := rand.New(rand.NewPCG(5, 6))
	a := randMat(r, Rows(m)*k)
	w := randMat(r, k*n)
	c := make([]float32, Rows(m)*n)
	p := Pack(w, k, n, n)
	if !p.SplitBF16() {
		b.Skip("no AMX-BF16")
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

func BenchmarkAMX96x512x1536(b *testing.B) { benchAMX(b, 96, 512, 1536) }
func BenchmarkAMX96x1536x512(b *testing.B) { benchAMX(b, 96, 1536, 512) }
func BenchmarkAMX12x512x1536(b *testing.B) { benchAMX(b, 12, 512, 1536) }
