package gemm

import "math"

// QuantizeInt8 lets Mul use int8 products on p when the CPU has AVX-512
// VNNI and p's K is a multiple of 16 and Cols(N) of 32. B is quantised once
// here, column by column (int8, scale max|B[:,j]|/127); Mul quantises each
// row of A to uint8 with its own scale and zero point before multiplying,
// and VPDPBUSD sums four byte products per instruction against one
// float32 product per FMA lane. Results carry errors of about 1% of a
// row's range instead of float32's 2⁻²⁴: the embedder's retrieval
// figures, not a component tolerance, say whether that is acceptable.
// QuantizeInt8 reports whether Mul will use the int8 path; it drops a
// bfloat16 split (see SplitBF16), since only one alternative is used.
func (p *Panels) QuantizeInt8() bool {
	k, n := p.K, Cols(p.N)
	if k == 0 || k%16 != 0 || n%32 != 0 || !int8Available() {
		return false
	}
	p.bf = nil
	p.q = make([]int8, n*k)
	p.qScale = make([]float32, n)
	p.qSum = make([]float32, n)
	for jb := 0; jb < n/NR; jb++ {
		panel := p.data[jb*k*NR : (jb+1)*k*NR]
		out := p.q[jb*k*NR : (jb+1)*k*NR]
		for j := 0; j < NR; j++ {
			var amax float32
			for kk := 0; kk < k; kk++ {
				amax = max(amax, abs32(panel[kk*NR+j]))
			}
			scale := amax / 127
			if scale == 0 {
				scale = 1 // an all-zero column (padding): any scale gives 0
			}
			inv := 1 / scale
			var sum int32
			// Depth kk of column j goes to group kk/4, byte kk%4 of the
			// column's four bytes, as VPDPBUSD reads them.
			for kk := 0; kk < k; kk++ {
				v := int8(max(-127, min(127, math.RoundToEven(float64(panel[kk*NR+j]*inv)))))
				out[kk/4*4*NR+j*4+kk%4] = v
				sum += int32(v)
			}
			p.qScale[jb*NR+j] = scale
			p.qSum[jb*NR+j] = float32(sum)
		}
	}
	return true
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// rowQuant returns the scale and zero point that map [lo, hi] (widened to
// hold 0) onto 0..255: x ≈ scale·(u − zero), with zero a whole number so
// that 0 is exact. A row of zeros gets scale 1, zero 0.
func rowQuant(lo, hi float32) (scale, zero float32) {
	lo, hi = min(lo, 0), max(hi, 0)
	if hi-lo == 0 {
		return 1, 0
	}
	scale = (hi - lo) / 255
	zero = float32(math.RoundToEven(float64(-lo / scale)))
	return scale, zero
}

// quantRowGo quantises src to dst as quantRow does: u = clamp(round(x·inv
// + zero), 0, 255).
func quantRowGo(src []float32, dst []uint8, inv, zero float32) {
	for i, x := range src {
		v := max(0, min(255, x*inv+zero))
		dst[i] = uint8(math.RoundToEven(float64(v)))
	}
}
