package embed

import (
	"math"

	"github.com/newsdex/newsdex/embed/internal/gemm"
)

// A forward pass takes several sequences at once, their rows stacked, so
// that each weight matrix (19 MB in all, more than the L2 cache) is read
// from memory once for all of them rather than once per window; on the
// development machine that saved up to 10% of a pass, more when other
// work crowds the caches. maxBatchRows bounds the tokens of one pass: two
// windows of a 100-word passage fit. A single sequence may always have up
// to maxTokens.
const (
	maxBatchRows = 192
	maxBatch     = 8 // sequences in one pass
)

// rowsMax is the number of rows every activation buffer has: the rows of
// a pass rounded up to gemm's row block, plus one more block because the
// attention of the last sequence writes whole blocks past its end. Rows
// past the sequences are kept finite (they start from zeros) and never
// read back into real rows.
const rowsMax = (max(maxBatchRows, maxTokens)+gemm.MR-1)/gemm.MR*gemm.MR + gemm.MR

// workspace holds the activations of one forward pass, so that a pass
// allocates nothing. One goroutine uses a workspace at a time.
type workspace struct {
	x      []float32 // rowsMax × 256: layer 0 input
	h      []float32 // rowsMax × 512: layer-norm output
	qkv    []float32 // rowsMax × 1536
	scores []float32 // rowsMax × 128: one head's attention weights
	ctx    []float32 // rowsMax × 512: attention output, heads side by side
	y      []float32 // rowsMax × 512: residual stream
	ffn    []float32 // rowsMax × 1536
	pool   []float32 // Rows(maxBatch) × 512: mean-pooled rows, then zeros
	outBuf []float32 // Rows(maxBatch) × 512
	kT, v  gemm.Panels
	gs     gemm.Scratch
}

func newWorkspace() *workspace {
	r := rowsMax
	return &workspace{
		x:      make([]float32, r*embDim),
		h:      make([]float32, r*modelDim),
		qkv:    make([]float32, r*3*modelDim),
		scores: make([]float32, r*gemm.Cols(maxTokens)),
		ctx:    make([]float32, r*modelDim),
		y:      make([]float32, r*modelDim),
		ffn:    make([]float32, r*ffnDim),
		pool:   make([]float32, gemm.Rows(maxBatch)*modelDim),
		outBuf: make([]float32, gemm.Rows(maxBatch)*outDim),
	}
}

// forward computes the normalised 512-dim vector of one sequence of 1 to
// maxTokens token ids into out.
func (w *weights) forward(ws *workspace, ids []int32, out []float32) {
	w.forwardBatch(ws, [][]int32{ids}, [][]float32{out})
}

// forwardBatch computes the vectors of up to maxBatch sequences of 1 to
// maxTokens token ids, maxBatchRows in all (or a single sequence), into
// outs. Each sequence gets exactly what it would get alone: the rows of a
// matrix product do not mix.
func (w *weights) forwardBatch(ws *workspace, seqs [][]int32, outs [][]float32) {
	n := 0
	for _, ids := range seqs {
		n += len(ids)
	}
	rows := gemm.Rows(n)

	// Input: the graph scatters the embeddings and then adds
	// (embedding + timing signal) on top, so each embedding counts twice.
	x := ws.x[:rows*embDim]
	r := 0
	for _, ids := range seqs {
		for t, id := range ids {
			e := w.emb[int(id)*embDim : int(id)*embDim+embDim]
			ts := w.timing[t*embDim : t*embDim+embDim]
			xr := x[r*embDim : r*embDim+embDim]
			for i := range xr {
				xr[i] = e[i] + (e[i] + ts[i])
			}
			r++
		}
	}
	clear(x[n*embDim:])

	// Layer 0.
	L := &w.layers[0]
	y := ws.y[:rows*modelDim]
	w.attention(ws, L, seqs, n, x, y, false)
	// Residual projected from 256 to 512: y = attention + (x·Wd + bd).
	gemm.MulMode(n, x, embDim, L.resid, y, modelDim, gemm.Add|gemm.Bias, &ws.gs)
	w.feedForward(ws, L, n, y)

	// Layer 1.
	L = &w.layers[1]
	w.attention(ws, L, seqs, n, y, y, true)
	w.feedForward(ws, L, n, y)

	// Mean over each sequence, then the tanh layer and L2 normalisation.
	pool := ws.pool[:gemm.Rows(len(seqs))*modelDim]
	clear(pool)
	r = 0
	for s, ids := range seqs {
		p := pool[s*modelDim : (s+1)*modelDim]
		for range ids {
			for j, v := range y[r*modelDim : (r+1)*modelDim] {
				p[j] += v
			}
			r++
		}
		fn := float32(len(ids))
		for j := range p {
			p[j] /= fn
		}
	}
	gemm.MulMode(len(seqs), pool, modelDim, w.tanhW, ws.outBuf, outDim, 0, &ws.gs)
	for s, out := range outs {
		o := ws.outBuf[s*outDim : (s+1)*outDim]
		var ss float32
		for j := 0; j < outDim; j++ {
			v := float32(math.Tanh(float64(o[j] + w.tanhB[j])))
			out[j] = v
			ss += v * v
		}
		scale := float32(1 / math.Sqrt(float64(max(ss, w.l2Eps))))
		for j := range out[:outDim] {
			out[j] *= scale
		}
	}
}

// sum32 adds s (whose length is a multiple of 4) in four interleaved
// partial sums.
func sum32(s []float32) float32 {
	var a0, a1, a2, a3 float32
	for j := 0; j+4 <= len(s); j += 4 {
		a0 += s[j]
		a1 += s[j+1]
		a2 += s[j+2]
		a3 += s[j+3]
	}
	return (a0 + a1) + (a2 + a3)
}

// layerNormGo writes LN(src) row by row for rows rows of width d (a
// multiple of 4): the portable layer norm.
func layerNormGo(dst, src []float32, rows, d int, scale, bias []float32, eps float32) {
	fd := float32(d)
	for r := 0; r < rows; r++ {
		s := src[r*d : (r+1)*d]
		o := dst[r*d : (r+1)*d]
		mean := sum32(s) / fd
		// Four partial sums: a single float32 chain is bound by add latency.
		var q0, q1, q2, q3 float32
		for j := 0; j+4 <= len(s); j += 4 {
			c0, c1, c2, c3 := s[j]-mean, s[j+1]-mean, s[j+2]-mean, s[j+3]-mean
			q0 += c0 * c0
			q1 += c1 * c1
			q2 += c2 * c2
			q3 += c3 * c3
		}
		sq := (q0 + q1) + (q2 + q3)
		rs := float32(1 / math.Sqrt(float64(sq/fd+eps)))
		for j, v := range s {
			o[j] = scale[j]*rs*(v-mean) + bias[j]
		}
	}
}

// attention computes multi-head self-attention of LN(src) within each of
// seqs (n rows in all, stacked) and its output projection. With addTo it
// adds the result to dst (the residual); otherwise it overwrites dst. dst
// may be src.
func (w *weights) attention(ws *workspace, L *layer, seqs [][]int32, n int, src, dst []float32, addTo bool) {
	d := L.in
	rows := gemm.Rows(n)
	h := ws.h[:rows*d]
	layerNorm(h, src, rows, d, L.lnScale, L.lnBias, w.eps)

	ld := 3 * d
	qkv := ws.qkv[:rows*ld]
	gemm.MulMode(n, h, d, L.qkv, qkv, ld, gemm.Bias, &ws.gs)
	for r := 0; r < n; r++ {
		row := qkv[r*ld : r*ld+d]
		for j := range row { // q is scaled before q·k, as in the graph
			row[j] *= L.qScale
		}
	}

	// Each sequence attends within itself. The products below take whole
	// blocks of gemm.MR rows, so they read and write rows past a
	// sequence's end: those belong to the next sequence (which is done
	// later and overwrites them) or to the spare rows of the buffers.
	dh := d / numHeads
	qkvAll, ctx := ws.qkv[:rowsMax*ld], ws.ctx[:rowsMax*d]
	off := 0
	for _, ids := range seqs {
		ns := len(ids)
		q := qkvAll[off*ld:]
		ldS := gemm.Cols(ns)
		scores := ws.scores[:gemm.Rows(ns)*ldS]
		for hd := 0; hd < numHeads; hd++ {
			qOff, kOff, vOff := hd*dh, d+hd*dh, 2*d+hd*dh
			ws.kT.PackT(q[kOff:], dh, ns, ld)
			gemm.MulMode(ns, q[qOff:], ld, &ws.kT, scores, ldS, 0, &ws.gs)
			for t := 0; t < ns; t++ {
				softmax(scores[t*ldS : t*ldS+ns])
			}
			clear(scores[ns*ldS:])
			ws.v.Pack(q[vOff:], ns, dh, ld)
			gemm.MulMode(ns, scores, ldS, &ws.v, ctx[off*d+hd*dh:], d, 0, &ws.gs)
		}
		off += ns
	}

	mode := gemm.Bias
	if addTo {
		mode |= gemm.Add
	}
	gemm.MulMode(n, ctx, d, L.out, dst, modelDim, mode, &ws.gs)
}

// feedForward adds FFN(LN(y)) to y.
func (w *weights) feedForward(ws *workspace, L *layer, n int, y []float32) {
	rows := gemm.Rows(n)
	h := ws.h[:rows*modelDim]
	layerNorm(h, y, rows, modelDim, L.ffnLnScale, L.ffnLnBias, w.eps)
	f := ws.ffn[:rows*ffnDim]
	gemm.MulMode(n, h, modelDim, L.ffn1, f, ffnDim, gemm.Bias|gemm.ReLU, &ws.gs)
	gemm.MulMode(n, f, ffnDim, L.ffn2, y, modelDim, gemm.Add|gemm.Bias, &ws.gs)
}

// timingSignal returns the graph's position signal for positions
// 0..maxTokens-1, row by row: sin(t·inv[i]) then cos(t·inv[i]), the
// product taken in float32 as in the graph.
func timingSignal(invTime []float32) []float32 {
	half := len(invTime)
	ts := make([]float32, maxTokens*2*half)
	for t := 0; t < maxTokens; t++ {
		row := ts[t*2*half : (t+1)*2*half]
		for i, inv := range invTime {
			a := float64(float32(t) * inv)
			row[i] = float32(math.Sin(a))
			row[half+i] = float32(math.Cos(a))
		}
	}
	return ts
}

// softmaxGo replaces s by exp(s - max) / sum: the portable softmax.
func softmaxGo(s []float32) {
	m := s[0]
	for _, v := range s[1:] {
		m = max(m, v)
	}
	var sum float32
	for i, v := range s {
		e := expNeg(v - m)
		s[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range s {
		s[i] *= inv
	}
}

// expNeg returns e^x for x ≤ 0 in float32, within about one ulp; it is
// several times faster than math.Exp, which matters because softmax calls
// it n² times per head. Results below the smallest normal float32 are 0.
// The method is Cephes' expf: x = k·ln2 + r with |r| ≤ ln2/2 (ln2 split in
// two for exactness), e^r by a degree-6 polynomial, then scaling by 2^k.
func expNeg(x float32) float32 {
	if x < -87.33654 { // e^x < 2^-126
		return 0
	}
	// Round x/ln2 to an integer; for x ≤ 0, truncating y-0.5 toward zero
	// does it without a call to math.Floor.
	k := float32(int32(x*1.44269504088896341 - 0.5))
	r := x - k*0.693359375 - k*-2.12194440e-4
	z := r * r
	p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	e := p*z + r + 1
	return e * math.Float32frombits(uint32(int32(k)+127)<<23)
}
