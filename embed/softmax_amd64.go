package embed

import "golang.org/x/sys/cpu"

// hasAVX512 says whether softmax can use softmaxAVX512; tests switch it
// off to check the portable code.
var hasAVX512 = cpu.X86.HasAVX512F

// softmaxAVX512 is softmax in AVX-512 assembly (softmax_amd64.s), for
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
