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
	kernel(k, a, k, b, c1, NR, true)
	kernelGo(k, a, k, b, c2, NR, true)
	for i := range c1 {
		if d := math.Abs(float64(c1[i] - c2[i])); d > 1e-3 {
			t.Fatalf("element %d: kernel %v, kernelGo %v", i, c1[i], c2[i])
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

func benchMul(b *testing.B, m, k, n int) {
	r := rand.New(rand.NewPCG(5, 6))
	a := randMat(r, Rows(m)*k)
	w := randMat(r, k*n)
	c := make([]float32, Rows(m)*n)
	p := Pack(w, k, n, n)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		Mul(m, a, k, p, c, n)
	}
	flop := float64(2*m*k*n) * float64(b.N)
	b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(flop/cpu.Seconds()/1e9, "GFLOP/cpu-s")
	}
}

func BenchmarkMul128x512x1536(b *testing.B) { benchMul(b, 128, 512, 1536) }
func BenchmarkMul128x1536x512(b *testing.B) { benchMul(b, 128, 1536, 512) }
func BenchmarkMul12x512x1536(b *testing.B)  { benchMul(b, 12, 512, 1536) }
