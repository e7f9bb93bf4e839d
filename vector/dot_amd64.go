package vector

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly kernel; a variable so tests can compare
// both paths.
var useAVX2 = cpu.X86.HasAVX2

// dotsAVX2 is dotsGeneric in AVX2 for dims a positive multiple of 32.
//
//go:noescape
func dotsAVX2(q, data *int8, dims, count int, out *int32)

// dots writes into out[i] the dot product of q with row i of data.
func dots(q, data []int8, out []int32) {
	d := len(q)
	if len(out) == 0 {
		return
	}
	if useAVX2 && d > 0 && d%32 == 0 {
		_ = data[len(out)*d-1] // bounds check once for the assembly
		dotsAVX2(&q[0], &data[0], d, len(out), &out[0])
		return
	}
	dotsGeneric(q, data, out)
}
