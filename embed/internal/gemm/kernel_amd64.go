package gemm

import "golang.org/x/sys/cpu"

// hasFMA reports whether the assembly kernel may run on this CPU.
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel6x16 is the AVX2/FMA kernel in kernel_amd64.s; it has kernelGo's
// contract with raw pointers (lda, ldc in elements).
//
//go:noescape
func kernel6x16(k int, a *float32, lda int, b *float32, c *float32, ldc int, accumulate bool)

func kernel(k int, a []float32, lda int, b []float32, c []float32, ldc int, accumulate bool) {
	if hasFMA {
		kernel6x16(k, &a[0], lda, &b[0], &c[0], ldc, accumulate)
		return
	}
	kernelGo(k, a, lda, b, c, ldc, accumulate)
}
