package gemm

import "golang.org/x/sys/cpu"

// Which assembly kernels this CPU (and OS) can run; x/sys/cpu checks that
// the OS saves the wider registers.
var (
	hasFMA    = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = hasFMA && cpu.X86.HasAVX512F
)

// kernel6x16 is the AVX2/FMA kernel in kernel_amd64.s: C[0:6, 0:16] (+)=
// A[0:6, 0:k] × panel, with raw pointers (lda, ldc in elements).
//
//go:noescape
func kernel6x16(k int, a *float32, lda int, b *float32, c *float32, ldc int, accumulate bool)

// kernel12x32 is the AVX-512 kernel in kernel512_amd64.s: C[0:12, 0:32]
// for two adjacent panels (bstride floats apart), with mode's extras done
// in registers; bias (32 floats) is read only in Bias mode.
//
//go:noescape
func kernel12x32(k int, a *float32, lda int, b *float32, bstride int, c *float32, ldc int, bias *float32, mode int)

// kernel12x16 is kernel12x32 for a single panel.
//
//go:noescape
func kernel12x16(k int, a *float32, lda int, b *float32, bstride int, c *float32, ldc int, bias *float32, mode int)

// kernel does one panel for MR rows.
func kernel(k int, a []float32, lda int, b []float32, c []float32, ldc int, bias []float32, mode Mode) {
	switch {
	case hasAVX512:
		_ = b[k*NR-1]
		kernel12x16(k, &a[0], lda, &b[0], 0, &c[0], ldc, biasPtr(bias, NR), int(mode))
	case hasFMA:
		half := MR / 2
		kernel6x16(k, &a[0], lda, &b[0], &c[0], ldc, mode&Add != 0)
		kernel6x16(k, &a[half*lda], lda, &b[0], &c[half*ldc], ldc, mode&Add != 0)
		if mode&(Bias|ReLU) != 0 {
			for r := 0; r < MR; r++ {
				finish(c[r*ldc:r*ldc+NR], bias, mode)
			}
		}
	default:
		kernelGo(k, a, lda, b, c, ldc, bias, mode)
	}
}

// kernel2 does two adjacent panels if the CPU has AVX-512 and reports
// whether it did; bstride is the distance between the panels in floats.
func kernel2(k int, a []float32, lda int, b []float32, bstride int, c []float32, ldc int, bias []float32, mode Mode) bool {
	if !hasAVX512 {
		return false
	}
	_ = b[bstride+k*NR-1]
	_ = c[2*NR-1]
	kernel12x32(k, &a[0], lda, &b[0], bstride, &c[0], ldc, biasPtr(bias, 2*NR), int(mode))
	return true
}

// biasPtr returns a pointer to the first of n bias values, or nil without
// a bias.
func biasPtr(bias []float32, n int) *float32 {
	if bias == nil {
		return nil
	}
	return &bias[:n][0]
}
