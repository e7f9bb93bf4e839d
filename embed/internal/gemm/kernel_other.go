//go:build !amd64

package gemm

func kernel(k int, a []float32, lda int, b []float32, c []float32, ldc int, bias []float32, mode Mode) {
	kernelGo(k, a, lda, b, c, ldc, bias, mode)
}

func kernel2(k int, a []float32, lda int, b []float32, bstride int, c []float32, ldc int, bias []float32, mode Mode) bool {
	return false
}

func amxAvailable() bool { return false }

func mulAMX(m int, a []float32, lda int, p *Panels, c []float32, ldc int, mode Mode, s *Scratch) bool {
	return false
}

func int8Available() bool { return false }

func mulInt8(m int, a []float32, lda int, p *Panels, c []float32, ldc int, mode Mode, s *Scratch) bool {
	return false
}
