package gemm

import "testing"

// TestMulPortable runs TestMul with the assembly kernels switched off, as
// on a CPU without AVX2/FMA.
func TestMulPortable(t *testing.T) {
	fma, avx512 := hasFMA, hasAVX512
	hasFMA, hasAVX512 = false, false
	defer func() { hasFMA, hasAVX512 = fma, avx512 }()
	TestMul(t)
	TestMulMode(t)
}

// TestMulAVX2 runs TestMul with only the AVX2 kernel, as on a CPU without
// AVX-512.
func TestMulAVX2(t *testing.T) {
	if !hasFMA {
		t.Skip("CPU has no AVX2/FMA")
	}
	avx512 := hasAVX512
	hasAVX512 = false
	defer func() { hasAVX512 = avx512 }()
	TestMul(t)
	TestMulMode(t)
}
