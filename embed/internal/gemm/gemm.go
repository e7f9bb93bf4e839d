// Package gemm multiplies float32 matrices for the embedder's forward pass:
// C = A × B where B is a weight matrix packed once into column panels, so
// that the inner kernel streams it from cache. On amd64 with AVX2 and FMA
// the inner kernel is Go assembly; elsewhere it is plain Go. No cgo.
package gemm

// MR is the number of rows of A the kernel handles at once. Mul reads and
// writes whole groups of MR rows, so A and C must have Rows(m) rows.
const MR = 6

// NR is the width of a packed column panel of B.
const NR = 16

// kc is the depth of one pass over K: one panel slice of kc×NR floats
// (16 KiB) stays in L1 while the kernel walks down the rows of A.
const kc = 256

// Rows returns m rounded up to a multiple of MR: the number of rows that
// Mul touches in A and C when asked for m rows.
func Rows(m int) int { return (m + MR - 1) / MR * MR }

// Cols returns n rounded up to a multiple of NR.
func Cols(n int) int { return (n + NR - 1) / NR * NR }

// Panels is a K×N matrix B packed into Cols(N)/NR panels of K×NR floats
// each, panel after panel; columns past N are zero.
type Panels struct {
	K, N int
	data []float32
}

// Pack packs the row-major k×n matrix b (row stride ldb) into new panels.
func Pack(b []float32, k, n, ldb int) *Panels {
	p := &Panels{}
	p.Pack(b, k, n, ldb)
	return p
}

// grow sets the shape of p and makes room for it, reusing p's storage.
func (p *Panels) grow(k, n int) {
	p.K, p.N = k, n
	size := k * Cols(n)
	if cap(p.data) < size {
		p.data = make([]float32, size)
	}
	p.data = p.data[:size]
}

// Pack packs the row-major k×n matrix b (row stride ldb) into p, reusing
// p's storage when it is large enough.
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
// into p: B[kk][j] = s[j*lds+kk]. Attention uses it for K^T.
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
	k, n := p.K, Cols(p.N)
	mr := Rows(m)
	if mr == 0 || n == 0 {
		return
	}
	// Bounds are checked once here so the kernel can work on raw pointers.
	_ = a[(mr-1)*lda+k-1]
	_ = c[(mr-1)*ldc+n-1]
	if k == 0 {
		for i := 0; i < mr; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	for k0 := 0; k0 < k; k0 += kc {
		kn := min(kc, k-k0)
		for j0 := 0; j0 < n; {
			panel := p.data[j0*k+k0*NR:]
			if j0+NR < n && kernel2(kn, a[k0:], lda, panel, k*NR, c[j0:], ldc, k0 > 0) {
				for i := MR; i < mr; i += MR {
					kernel2(kn, a[i*lda+k0:], lda, panel, k*NR, c[i*ldc+j0:], ldc, k0 > 0)
				}
				j0 += 2 * NR
				continue
			}
			for i := 0; i < mr; i += MR {
				kernel(kn, a[i*lda+k0:], lda, panel, c[i*ldc+j0:], ldc, k0 > 0)
			}
			j0 += NR
		}
	}
}

// kernelGo is the portable kernel: C[0:MR, 0:NR] (+)= A[0:MR, 0:k] × panel.
func kernelGo(k int, a []float32, lda int, b []float32, c []float32, ldc int, accumulate bool) {
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
		if accumulate {
			for j := 0; j < NR; j++ {
				dst[j] += acc[r][j]
			}
		} else {
			*dst = acc[r]
		}
	}
}
