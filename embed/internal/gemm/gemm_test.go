package gemm

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time used by this process: on a shared machine the
// wall clock overstates the time a benchmark took.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func randMat(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// naive computes C = A×B in float64 for reference.
func naive(m, k, n int, a []float32, lda int, b []float32, ldb int) []float64 {
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for kk := 0; kk < k; kk++ {
				s += float64(a[i*lda+kk]) * float64(b[kk*ldb+j])
			}
			c[i*n+j] = s
		}
	}
	return c
}

func TestMul(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tests := []struct{ m, k, n int }{
		{1, 1, 1}, {6, 16, 16}, {7, 300, 33}, {13, 512, 48}, {64, 260, 96}, {5, 700, 80}, {12, 0, 16},
	}
	for _, tc := range tests {
		lda := tc.k + 3
		ldb := tc.n + 5
		a := randMat(r, Rows(tc.m)*lda)
		b := randMat(r, tc.k*ldb)
		ldc := Cols(tc.n) + 7
		c := randMat(r, Rows(tc.m)*ldc)
		p := Pack(b, tc.k, tc.n, ldb)
		Mul(tc.m, a, lda, p, c, ldc)
		want := naive(tc.m, tc.k, tc.n, a, lda, b, ldb)
		check(t, "Mul", tc.m, tc.n, c, ldc, want, tc.k)

		// The same through the transposed packing: B = (B^T)^T.
		bt := make([]float32, tc.n*(tc.k+1))
		for kk := 0; kk < tc.k; kk++ {
			for j := 0; j < tc.n; j++ {
				bt[j*(tc.k+1)+kk] = b[kk*ldb+j]
			}
		}
		var pt Panels
		pt.PackT(bt, tc.k, tc.n, tc.k+1)
		Mul(tc.m, a, lda, &pt, c, ldc)
		check(t, "PackT", tc.m, tc.n, c, ldc, want, tc.k)
	}
}

func TestKernelGoMatchesAsm(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	k := 700
	a := randMat(r, MR*k)
	b := randMat(r, k*NR)
	c1 := randMat(r, MR*NR)
	c2 := append([]float32(nil), c1...)
	kernel(k, a, k, b, c1, NR, nil, Add)
	kernelGo(k, a, k, b, c2, NR, nil, Add)
	for i := range c1 {
		if d := math.Abs(float64(c1[i] - c2[i])); d > 1e-3 {
			t.Fatalf("element %d: kernel %v, kernelGo %v", i, c1[i], c2[i])
		}
	}
}

// TestMulMode checks the bias, accumulate and clamp extras against the
// plain product, with K both under and over one kc slice.
func TestMulMode(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	modes := []Mode{0, Add, Bias, ReLU, Bias | ReLU, Add | Bias, Add | Bias | ReLU}
	for _, sz := range []struct{ m, k, n int }{{5, 40, 48}, {13, 300, 80}, {24, 600, 32}} {
		for _, mode := range modes {
			lda, ldb, ldc := sz.k+1, sz.n+2, Cols(sz.n)+3
			a := randMat(r, Rows(sz.m)*lda)
			b := randMat(r, sz.k*ldb)
			bias := randMat(r, sz.n)
			c0 := randMat(r, Rows(sz.m)*ldc)
			c := append([]float32(nil), c0...)
			p := Pack(b, sz.k, sz.n, ldb)
			p.SetBias(bias)
			MulMode(sz.m, a, lda, p, c, ldc, mode, nil)
			prod := naive(sz.m, sz.k, sz.n, a, lda, b, ldb)
			for i := 0; i < sz.m; i++ {
				for j := 0; j < Cols(sz.n); j++ {
					var want float64
					if j < sz.n {
						want = prod[i*sz.n+j]
						if mode&Bias != 0 {
							want += float64(bias[j])
						}
					}
					if mode&Add != 0 {
						want += float64(c0[i*ldc+j])
					}
					if mode&ReLU != 0 {
						want = max(want, 0)
					}
					if d := math.Abs(float64(c[i*ldc+j]) - want); d > 1e-5*float64(sz.k+1) {
						t.Fatalf("mode %b m=%d k=%d n=%d: C[%d][%d] = %v, want %v", mode, sz.m, sz.k, sz.n, i, j, c[i*ldc+j], want)
					}
				}
			}
		}
	}
}

func check(t *testing.T, what string, m, n int, c []float32, ldc int, want []float64, k int) {
	t.Helper()
	tol := 1e-5 * float64(k+1)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			if d := math.Abs(float64(c[i*ldc+j]) - want[i*n+j]); d > tol {
				t.Fatalf("%s m=%d k=%d n=%d: C[%d][%d] = %v, want %v", what, m, k, n, i, j, c[i*ldc+j], want[i*n+j])
			}
		}
		for j := n; j < Cols(n); j++ {
			if c[i*ldc+j] != 0 {
				t.Fatalf("%s: padding column C[%d][%d] = %v, want 0", what, i, j, c[i*ldc+j])
			}
		}
	}
}

func benchMul(b *testing.B, m, k, n, pad int) {
	r := rand.New(rand.NewPCG(5, 6))
	lda, ldc := k+pad, n+pad
	a := randMat(r, Rows(m)*lda)
	w := randMat(r, k*n)
	c := make([]float32, Rows(m)*ldc)
	p := Pack(w, k, n, n)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		Mul(m, a, lda, p, c, ldc)
	}
	flop := float64(2*m*k*n) * float64(b.N)
	b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(flop/cpu.Seconds()/1e9, "GFLOP/cpu-s")
	}
}

func BenchmarkMul96x512x1536(b *testing.B)    { benchMul(b, 96, 512, 1536, 0) }
func BenchmarkMul96x1536x512(b *testing.B)    { benchMul(b, 96, 1536, 512, 0) }
func BenchmarkMul96x512x1536Pad(b *testing.B) { benchMul(b, 96, 512, 1536, 16) }
func BenchmarkMul96x1536x512Pad(b *testing.B) { benchMul(b, 96, 1536, 512, 16) }
func BenchmarkMul12x512x1536(b *testing.B)    { benchMul(b, 12, 512, 1536, 0) }
