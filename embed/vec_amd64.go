package embed

import "golang.org/x/sys/cpu"

// hasAVX512 says whether softmax can use softmaxAVX512; tests switch it
// off to check the portable code.
var hasAVX512 = cpu.X86.HasAVX512F

// softmaxAVX512 is softmax in AVX-512 assembly (vec_amd64.s), for
// n ≥ 1 elements at s.
//
//go:noescape
func softmaxAVX512(s *float32, n int)

// softmax replaces s by exp(s - max) / sum.
func softmax(s []float32) {
	if hasAVX512 && len(s) > 0 {
		softmaxAVX512(&s[0], len(s))
		return
	}
	softmaxGo(s)
}

// layerNormAVX512 is one row of layerNorm in AVX-512 assembly
// (vec_amd64.s), for d a multiple of 16.
//
//go:noescape
func layerNormAVX512(dst, src, scale, bias *float32, d int, eps float32)

// layerNorm writes LN(src) row by row for rows rows of width d (a multiple
// of 16).
func layerNorm(dst, src []float32, rows, d int, scale, bias []float32, eps float32) {
	if !hasAVX512 || rows == 0 {
		layerNormGo(dst, src, rows, d, scale, bias, eps)
		return
	}
	_, _ = dst[rows*d-1], src[rows*d-1]
	_, _ = scale[d-1], bias[d-1]
	for r := 0; r < rows; r++ {
		layerNormAVX512(&dst[r*d], &src[r*d], &scale[0], &bias[0], d, eps)
	}
}
