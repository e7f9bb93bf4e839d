// Package gemm multiplies float32 matrices for the embedder's forward pass:
// C = A × B where B is a weight matrix packed once into column panels, so
// that the inner kernel streams it from cache. On amd64 with AVX-512 or
// AVX2 and FMA the inner kernel is Go assembly; elsewhere it is plain Go.
// Panels split with SplitBF16 are multiplied with AMX tiles instead where
// the CPU has AMX-BF16, in three bfloat16 products per float32 product;
// panels quantised with QuantizeInt8 in int8 with AVX-512 VNNI.
// No cgo.
package gemm

import "math"

// MR is the number of rows of A the kernel handles at once. Mul reads and
// writes whole groups of MR rows, so A and C must have Rows(m) rows. Twelve
// rows give the AVX-512 kernel 24 accumulators (12 rows × 2 panels), enough
// to keep both FMA units busy with two loads of B per 24 FMAs, and waste one
// row on the usual 95-token window.
const MR = 12

// NR is the width of a packed column panel of B.
const NR = 16

// kc is the depth of one pass over K: the two panel slices of kc×NR floats
// (32 KiB) the AVX-512 kernel reads stay in L1 while it walks down the rows
// of A.
const kc = 256

// Rows returns m rounded up to a multiple of MR: the number of rows that
// Mul touches in A and C when asked for m rows.
func Rows(m int) int { return (m + MR - 1) / MR * MR }

// Cols returns n rounded up to a multiple of NR.
func Cols(n int) int { return (n + NR - 1) / NR * NR }

// Mode says what Mul does besides the product; the flags combine.
type Mode uint8

const (
	// Add adds the product to C instead of overwriting it.
	Add Mode = 1 << iota
	// Bias adds the panels' bias row (see SetBias) to every row.
	Bias
	// ReLU replaces negative results by zero, after the additions.
	ReLU
)

// Panels is a K×N matrix B packed into Cols(N)/NR panels of K×NR floats
// each, panel after panel; columns past N are zero. It may carry a bias row
// that Mul adds in Bias mode.
type Panels struct {
	K, N int
	data []float32
	bias []float32 // Cols(N) floats, zero past N; nil if unset
	// bf is B split into bfloat16 hi and lo parts for the AMX path (see
	// SplitBF16), or nil.
	bf []uint16
	// q is B quantised to int8 for the VNNI path (see QuantizeInt8), or
	// nil; qScale and qSum hold each column's scale and sum of q.
	q            []int8
	qScale, qSum []float32
}

// Scratch is working memory for MulMode, kept between calls so that they
// allocate nothing. The zero value is ready to use; one goroutine at a
// time.
type Scratch struct {
	a   []uint16  // A split into bfloat16 tiles (AMX path)
	tmp []float32 // one 16×32 block of C (AMX path)
	qa  []uint8   // A quantised to uint8 (int8 path)
	rs  []float32 // scale of each row of qa
	rz  []float32 // zero point of each row of qa
}

// Pack packs the row-major k×n matrix b (row stride ldb) into new panels.
func Pack(b []float32, k, n, ldb int) *Panels {
	p := &Panels{}
	p.Pack(b, k, n, ldb)
	return p
}

// SetBias sets the row that Mul adds in Bias mode to a copy of b, which
// must have p.N entries.
func (p *Panels) SetBias(b []float32) {
	p.bias = make([]float32, Cols(p.N))
	copy(p.bias, b[:p.N])
}

// grow sets the shape of p and makes room for it, reusing p's storage.
func (p *Panels) grow(k, n int) {
	p.K, p.N = k, n
	size := k * Cols(n)
	if cap(p.data) < size {
		p.data = make([]float32, size)
	}
	p.data = p.data[:size]
	p.bias = nil
	p.bf = nil
	p.q, p.qScale, p.qSum = nil, nil, nil
}

// SplitBF16 lets Mul use AMX on p when the CPU has it, as it does if it
// has AMX-BF16 and p's K and Cols(N) are multiples of 32: B and A are each
// split into a sum of two bfloat16 matrices, hi and lo, and C is
// accumulated in float32 from the three products hi·hi, hi·lo and lo·hi.
// Each product then carries a relative error of about 2⁻¹⁶ instead of
// float32's 2⁻²⁴, in exchange for several times the speed. It reports
// whether Mul will use AMX.
func (p *Panels) SplitBF16() bool {
	k, n := p.K, Cols(p.N)
	if k == 0 || k%32 != 0 || n%32 != 0 || !amxAvailable() {
		return false
	}
	blk := bfBlock(k)
	p.bf = make([]uint16, n/NR*blk)
	// Column block jb holds, for each 32 rows of K, the hi tile and then
	// the lo tile, each 16 rows of 16 column pairs: TDPBF16PS multiplies
	// row r of A by tile row kp as A[r][2kp]·B[2kp][j] + A[r][2kp+1]·B[2kp+1][j].
	for jb := 0; jb < n/NR; jb++ {
		panel := p.data[jb*k*NR : (jb+1)*k*NR]
		out := p.bf[jb*blk : (jb+1)*blk]
		for kk := 0; kk < k; kk++ {
			kb, kp, t := kk/32, kk%32/2, kk%2
			for j := 0; j < NR; j++ {
				h, l := splitBF16(panel[kk*NR+j])
				i := kb*1024 + kp*32 + j*2 + t
				out[i] = h
				out[i+512] = l
			}
		}
	}
	return true
}

// bfBlock is the number of uint16 in one split column block of K rows.
func bfBlock(k int) int { return 2 * k * NR }

// splitBF16 returns bfloat16 hi = x rounded to nearest even and lo = x - hi
// rounded the same way, as bit patterns.
func splitBF16(x float32) (hi, lo uint16) {
	hi = roundBF16(x)
	lo = roundBF16(x - math.Float32frombits(uint32(hi)<<16))
	return hi, lo
}

func roundBF16(x float32) uint16 {
	b := math.Float32bits(x)
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// Pack packs the row-major k×n matrix b (row stride ldb) into p, reusing
// p's storage when it is large enough. It drops any bias.
func (p *Panels) Pack(b []float32, k, n, ldb int) {
	p.grow(k, n)
	for j0 := 0; j0 < n; j0 += NR {
		panel := p.data[j0*k : (j0+NR)*k]
		w := min(NR, n-j0)
		for kk := 0; kk < k; kk++ {
			dst := panel[kk*NR : kk*NR+NR]
			copy(dst, b[kk*ldb+j0:kk*ldb+j0+w])
			clear(dst[w:])
		}
	}
}

// PackT packs the transpose of the row-major n×k matrix s (row stride lds)
// into p: B[kk][j] = s[j*lds+kk]. Attention uses it for K^T. It drops any
// bias.
func (p *Panels) PackT(s []float32, k, n, lds int) {
	p.grow(k, n)
	for j0 := 0; j0 < n; j0 += NR {
		panel := p.data[j0*k : (j0+NR)*k]
		w := min(NR, n-j0)
		for c := 0; c < w; c++ {
			row := s[(j0+c)*lds : (j0+c)*lds+k]
			for kk, v := range row {
				panel[kk*NR+c] = v
			}
		}
		for c := w; c < NR; c++ {
			for kk := 0; kk < k; kk++ {
				panel[kk*NR+c] = 0
			}
		}
	}
}

// Mul sets C = A × B for the first Rows(m) rows of A (row stride lda,
// p.K columns) and writes Cols(p.N) columns of C (row stride ldc); the
// columns past p.N come out zero. A and C must not overlap.
func Mul(m int, a []float32, lda int, p *Panels, c []float32, ldc int) {
	MulMode(m, a, lda, p, c, ldc, 0, nil)
}

// MulMode is Mul with the extras of mode applied to C while the kernel
// still holds it: C = relu?((Add? C : 0) + A×B + (Bias? bias : 0)). The
// columns past p.N get the same treatment, so with Add they keep C's value.
// Bias mode panics if p has no bias. s may be nil, at the cost of
// allocating.
func MulMode(m int, a []float32, lda int, p *Panels, c []float32, ldc int, mode Mode, s *Scratch) {
	k, n := p.K, Cols(p.N)
	mr := Rows(m)
	if mr == 0 || n == 0 {
		return
	}
	// Bounds are checked once here so the kernel can work on raw pointers.
	_ = a[(mr-1)*lda+max(k, 1)-1]
	_ = c[(mr-1)*ldc+n-1]
	var bias []float32
	if mode&Bias != 0 {
		bias = p.bias[:n]
	}
	if k > 0 && (mulAMX(m, a, lda, p, c, ldc, mode, s) || mulInt8(m, a, lda, p, c, ldc, mode, s)) {
		return
	}
	if k == 0 {
		for i := 0; i < mr; i++ {
			row := c[i*ldc : i*ldc+n]
			if mode&Add == 0 {
				clear(row)
			}
			finish(row, bias, mode)
		}
		return
	}
	for k0 := 0; k0 < k; k0 += kc {
		kn := min(kc, k-k0)
		// The bias goes in with the first slice of K, the clamp after the
		// last; the slices after the first add to C.
		md := mode
		if k0 > 0 {
			md = md&^Bias | Add
		}
		if k0+kn < k {
			md &^= ReLU
		}
		for j0 := 0; j0 < n; {
			panel := p.data[j0*k+k0*NR:]
			var bj []float32
			if md&Bias != 0 {
				bj = bias[j0:]
			}
			if j0+NR < n && kernel2(kn, a[k0:], lda, panel, k*NR, c[j0:], ldc, bj, md) {
				for i := MR; i < mr; i += MR {
					kernel2(kn, a[i*lda+k0:], lda, panel, k*NR, c[i*ldc+j0:], ldc, bj, md)
				}
				j0 += 2 * NR
				continue
			}
			for i := 0; i < mr; i += MR {
				kernel(kn, a[i*lda+k0:], lda, panel, c[i*ldc+j0:], ldc, bj, md)
			}
			j0 += NR
		}
	}
}

// finish applies the bias and the clamp of mode to one row piece of C.
func finish(row, bias []float32, mode Mode) {
	if mode&Bias != 0 {
		for j := range row {
			row[j] += bias[j]
		}
	}
	if mode&ReLU != 0 {
		for j, v := range row {
			row[j] = max(v, 0)
		}
	}
}

// kernelGo is the portable kernel: C[0:MR, 0:NR] (+)= A[0:MR, 0:k] × panel,
// then the bias and clamp of mode.
func kernelGo(k int, a []float32, lda int, b []float32, c []float32, ldc int, bias []float32, mode Mode) {
	var acc [MR][NR]float32
	for kk := 0; kk < k; kk++ {
		bp := (*[NR]float32)(b[kk*NR : kk*NR+NR])
		for r := 0; r < MR; r++ {
			av := a[r*lda+kk]
			row := &acc[r]
			for j := 0; j < NR; j++ {
				row[j] += av * bp[j]
			}
		}
	}
	for r := 0; r < MR; r++ {
		dst := (*[NR]float32)(c[r*ldc : r*ldc+NR])
		if mode&Add != 0 {
			for j := 0; j < NR; j++ {
				dst[j] += acc[r][j]
			}
		} else {
			*dst = acc[r]
		}
		finish(dst[:], bias, mode)
	}
}
