//go:build !amd64

package gemm

func kernel(k int, a []float32, lda int, b []float32, c []float32, ldc int, accumulate bool) {
	kernelGo(k, a, lda, b, c, ldc, accumulate)
}

func kernel2(k int, a []float32, lda int, b []float32, bstride int, c []float32, ldc int, accumulate bool) bool {
	return false
}
