package gemm

import "golang.org/x/sys/cpu"

// hasVNNI says whether the int8 kernels in int8_amd64.s can run.
var hasVNNI = hasAVX512 && cpu.X86.HasAVX512VNNI

// useInt8 lets tests switch the int8 path off.
var useInt8 = true

// int8Available reports whether the int8 path can run.
func int8Available() bool { return useInt8 && hasVNNI }

// kernelI8x32 is the VNNI kernel in int8_amd64.s: C[0:12, 0:32] from kg
// groups of 4 depths of quantised A (rows lda bytes apart) and two int8
// panels bstride bytes apart, dequantised with the rows' scales rs and
// zero points rz and the columns' scales cs and sums csum, then mode's
// extras.
//
//go:noescape
func kernelI8x32(kg int, a *uint8, lda int, b *int8, bstride int, c *float32, ldc int, bias *float32, mode int, rs *float32, rz *float32, cs *float32, csum *float32)

// minMax writes the lane-wise minimum and maximum of n floats (a multiple
// of 16) at src, and 0, to out[0:16] and out[16:32].
//
//go:noescape
func minMax(n int, src *float32, out *[32]float32)

// quantRow writes clamp(round(x·inv + zero), 0, 255) for the n floats (a
// multiple of 16) at src to dst.
//
//go:noescape
func quantRow(n int, src *float32, dst *uint8, inv float32, zero float32)

// mulInt8 does MulMode on the int8 path if p was quantised (QuantizeInt8)
// and the CPU allows it, and reports whether it did. The caller has
// checked bounds.
func mulInt8(m int, a []float32, lda int, p *Panels, c []float32, ldc int, mode Mode, s *Scratch) bool {
	if p.q == nil || !int8Available() {
		return false
	}
	k, n := p.K, Cols(p.N)
	mr := Rows(m)
	if s == nil {
		s = new(Scratch)
	}
	if cap(s.qa) < mr*k {
		s.qa = make([]uint8, mr*k)
	}
	if cap(s.rs) < mr {
		s.rs = make([]float32, mr)
		s.rz = make([]float32, mr)
	}
	qa, rs, rz := s.qa[:mr*k], s.rs[:mr], s.rz[:mr]
	var mm [32]float32
	for i := 0; i < mr; i++ {
		row := a[i*lda : i*lda+k]
		minMax(k, &row[0], &mm)
		lo, hi := mm[0], mm[16]
		for j := 1; j < 16; j++ {
			lo, hi = min(lo, mm[j]), max(hi, mm[16+j])
		}
		scale, zero := rowQuant(lo, hi)
		rs[i], rz[i] = scale, zero
		quantRow(k, &row[0], &qa[i*k], 1/scale, zero)
	}
	// Column pairs outside, row blocks inside: the pair's panels (up to
	// 48 KiB at K = 1536) stay in cache while all rows stream past.
	var bias *float32
	for j := 0; j < n; j += 2 * NR {
		if mode&Bias != 0 {
			bias = &p.bias[j]
		}
		for i := 0; i < mr; i += MR {
			kernelI8x32(k/4, &qa[i*k], k, &p.q[j*k], NR*k, &c[i*ldc+j], ldc, bias, int(mode), &rs[i], &rz[i], &p.qScale[j], &p.qSum[j])
		}
	}
	return true
}
