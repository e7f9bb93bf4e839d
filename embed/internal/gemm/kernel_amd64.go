package gemm

import "golang.org/x/sys/cpu"

// Which assembly kernels this CPU (and OS) can run; x/sys/cpu checks that
// the OS saves the wider registers.
var (
	hasFMA    = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = hasFMA && cpu.X86.HasAVX512F
)

// kernel6x16 is the AVX2/FMA kernel in kernel_amd64.s; it has kernelGo's
// contract with raw pointers (lda, ldc in elements).
//
//go:noescape
func kernel6x16(k int, a *float32, lda int, b *float32, c *float32, ldc int, accumulate bool)

// kernel6x32 is the AVX-512 kernel: two adjacent panels (bstride floats
// apart) at once, writing 32 columns of C.
//
//go:noescape
func kernel6x32(k int, a *float32, lda int, b *float32, bstride int, c *float32, ldc int, accumulate bool)

func kernel(k int, a []float32, lda int, b []float32, c []float32, ldc int, accumulate bool) {
	if hasFMA {
		kernel6x16(k, &a[0], lda, &b[0], &c[0], ldc, accumulate)
		return
	}
	kernelGo(k, a, lda, b, c, ldc, accumulate)
}

// kernel2 does two adjacent panels if the CPU has AVX-512 and reports
// whether it did; bstride is the distance between the panels in floats.
func kernel2(k int, a []float32, lda int, b []float32, bstride int, c []float32, ldc int, accumulate bool) bool {
	if !hasAVX512 {
		return false
	}
	_ = b[bstride+k*NR-1]
	_ = c[2*NR-1]
	kernel6x32(k, &a[0], lda, &b[0], bstride, &c[0], ldc, accumulate)
	return true
}
