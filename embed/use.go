package embed

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Long texts: the model sees at most maxTokens tokens, and the reference
// silently drops the rest. USE instead covers the whole text with windows of
// at most maxTokens tokens that overlap by at least windowOverlap tokens,
// embeds each window and returns the normalised mean of the window vectors.
// The windows are spread evenly (see windows) rather than cut at a fixed
// stride, so a text of 150 tokens costs two windows of 91 rather than one of
// 128 plus a second of 128 that repeats most of the first.
const windowOverlap = 32

// USE is the built-in Universal Sentence Encoder Lite embedder. Its methods
// are safe for concurrent use.
type USE struct {
	tok *tokenizer
	w   *weights
	// empty is the vector of a text with no tokens: what the reference
	// gives for "" inside a batch (alone it fails).
	empty []float32
	// spaces holds workspaces for forward passes, so passes allocate
	// nothing once warm.
	spaces sync.Pool
	kernel Kernel
}

var _ Embedder = (*USE)(nil)

// Kernel chooses the arithmetic of the forward pass's products with the
// weight matrices.
type Kernel string

const (
	// KernelPrecise multiplies in float32 (FMA), or where the CPU has
	// AMX-BF16 in three bfloat16 products per float32 product (see
	// gemm.Panels.SplitBF16): vectors within 1e-5 of the reference.
	KernelPrecise Kernel = "precise"
	// KernelInt8 multiplies in int8 with AVX-512 VNNI (see
	// gemm.Panels.QuantizeInt8): 2.6 times KernelPrecise's passages per
	// CPU-second on AVX-512, vectors within 0.016 per component of the
	// reference (cosine ≥ 0.9988), which moved no primary metric of
	// `newsdex eval`'s development collections by more than 0.002. On a
	// CPU with AMX-BF16 (faster still) or without VNNI it is
	// KernelPrecise.
	KernelInt8 Kernel = "int8"
	// kernelFloat32 is KernelPrecise without AMX, for tests.
	kernelFloat32 Kernel = "float32"
)

// DefaultKernel is the kernel Load uses unless $NEWSDEX_EMBED_KERNEL names
// another: int8, since on the development collections of `newsdex eval`
// (semantic and hybrid; time, paraphrase, paraphrase-mix, headlines) it
// moved no primary metric by more than 0.002 against KernelPrecise (none
// went down), at 2.6 times its passages per CPU-second.
const DefaultKernel = KernelInt8

// Kernels returns the kernels LoadKernel accepts.
func Kernels() []Kernel { return []Kernel{KernelInt8, KernelPrecise} }

// Load reads the model from dir (see DefaultDir) with the kernel
// $NEWSDEX_EMBED_KERNEL names (int8 or precise), else DefaultKernel. It
// returns an error wrapping ErrNoModel if dir holds no model.
func Load(dir string) (*USE, error) {
	k := DefaultKernel
	if e := os.Getenv("NEWSDEX_EMBED_KERNEL"); e != "" {
		k = Kernel(e)
	}
	return LoadKernel(dir, k)
}

// LoadKernel is Load with the kernel k, one of Kernels().
func LoadKernel(dir string, k Kernel) (*USE, error) {
	if !slices.Contains(Kernels(), k) {
		return nil, fmt.Errorf("embed: unknown kernel %q, want int8 or precise", k)
	}
	return load(dir, k)
}

// load is LoadKernel without the check of k.
func load(dir string, k Kernel) (*USE, error) {
	w, err := loadWeights(dir, k)
	if err != nil {
		return nil, err
	}
	vj, err := os.ReadFile(filepath.Join(dir, "vocab.json"))
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("embed: load model from %s: vocab.json missing: %w", dir, ErrNoModel)
	}
	if err != nil {
		return nil, fmt.Errorf("embed: load model: %w", err)
	}
	tok, err := newTokenizer(vj)
	if err != nil {
		return nil, fmt.Errorf("embed: load model from %s: %w", dir, err)
	}
	if len(tok.stepBack) > w.vocab {
		return nil, fmt.Errorf("embed: load model from %s: vocabulary has %d pieces but the embedding table %d rows", dir, len(tok.stepBack), w.vocab)
	}
	m := &USE{tok: tok, w: w, kernel: k}
	m.spaces.New = func() any { return newWorkspace() }
	m.empty = m.emptyVector()
	return m, nil
}

// emptyVector computes the graph's output for a row without tokens: the
// mean over zero tokens is 0/max(0,1) = 0, so only the tanh layer's bias
// remains.
func (m *USE) emptyVector() []float32 {
	v := make([]float32, outDim)
	var ss float32
	for j, b := range m.w.tanhB {
		v[j] = float32(math.Tanh(float64(b)))
		ss += v[j] * v[j]
	}
	scale := float32(1 / math.Sqrt(float64(max(ss, m.w.l2Eps))))
	for j := range v {
		v[j] *= scale
	}
	return v
}

// Dims returns 512.
func (m *USE) Dims() int { return outDim }

// Name returns "use-lite-0.2.0" whatever the kernel, so that an index
// built with one kernel is searched (and extended) with another rather than
// refused. That mixes vectors of two kernels, which is within what was
// measured: KernelInt8 vectors have a cosine of at least 0.9988 with
// KernelPrecise's on the golden cases, and a score between an int8 query
// and a precise passage is off by at most the int8 query's error, while
// `newsdex eval` measured int8 queries against int8 passages, off by both.
func (m *USE) Name() string { return ModelVersion }

// Kernel returns the kernel m was loaded with.
func (m *USE) Kernel() Kernel { return m.kernel }

// Tokenize returns the model's token ids for text, as the reference
// tokeniser gives them; len(Tokenize(s)) tells whether s fits one window of
// MaxTokens.
func (m *USE) Tokenize(text string) []int32 { return m.tok.encode(text) }

// MaxTokens is the number of tokens the model sees at once; longer texts
// are embedded in overlapping windows.
const MaxTokens = maxTokens

// job is one forward pass: a window of one text.
type job struct {
	text int
	ids  []int32
	out  []float32
}

// Embed returns the L2-normalised vector of each text. Texts longer than
// MaxTokens tokens are embedded in overlapping windows whose vectors are
// averaged and re-normalised (the reference would clip them); a text
// without tokens (such as "") gets the vector the reference gives an empty
// row. Passes run on up to GOMAXPROCS goroutines; Embed stops early and
// returns ctx's error if ctx is done.
func (m *USE) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var jobs []job
	perText := make([]int, len(texts))
	for i, t := range texts {
		ids := m.tok.encode(t)
		if len(ids) == 0 {
			out[i] = append([]float32(nil), m.empty...)
			continue
		}
		for _, w := range windows(len(ids)) {
			jobs = append(jobs, job{text: i, ids: ids[w[0]:w[1]]})
			perText[i]++
		}
	}
	// One backing array for all window vectors.
	vecs := make([]float32, len(jobs)*outDim)
	for j := range jobs {
		jobs[j].out = vecs[j*outDim : (j+1)*outDim : (j+1)*outDim]
	}
	if err := m.run(ctx, jobs); err != nil {
		return nil, err
	}
	for j := 0; j < len(jobs); {
		i := jobs[j].text
		k := perText[i]
		if k == 1 {
			out[i] = jobs[j].out
		} else {
			out[i] = meanNormalised(jobs[j : j+k])
		}
		j += k
	}
	return out, nil
}

// run does the jobs' forward passes on up to GOMAXPROCS goroutines, in
// batches of consecutive jobs (see maxBatchRows).
func (m *USE) run(ctx context.Context, jobs []job) error {
	var batches [][2]int // [start, end) in jobs
	for i := 0; i < len(jobs); {
		j, rows := i+1, len(jobs[i].ids)
		for j < len(jobs) && j-i < maxBatch && rows+len(jobs[j].ids) <= maxBatchRows {
			rows += len(jobs[j].ids)
			j++
		}
		batches = append(batches, [2]int{i, j})
		i = j
	}
	workers := min(runtime.GOMAXPROCS(0), len(batches))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			ws := m.spaces.Get().(*workspace)
			defer m.spaces.Put(ws)
			seqs := make([][]int32, 0, maxBatch)
			outs := make([][]float32, 0, maxBatch)
			for ctx.Err() == nil {
				b := int(next.Add(1)) - 1
				if b >= len(batches) {
					return
				}
				seqs, outs = seqs[:0], outs[:0]
				for _, j := range jobs[batches[b][0]:batches[b][1]] {
					seqs = append(seqs, j.ids)
					outs = append(outs, j.out)
				}
				m.w.forwardBatch(ws, seqs, outs)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("embed: %w", err)
	}
	return nil
}

// embedIDs returns the vector of one token sequence of 1..MaxTokens ids,
// clipped to MaxTokens like the reference. Tests use it.
func (m *USE) embedIDs(ids []int32) []float32 {
	if len(ids) == 0 {
		return append([]float32(nil), m.empty...)
	}
	ids = ids[:min(len(ids), maxTokens)]
	ws := m.spaces.Get().(*workspace)
	defer m.spaces.Put(ws)
	out := make([]float32, outDim)
	m.w.forward(ws, ids, out)
	return out
}

// windows returns [start, end) token ranges covering n tokens: one window
// if n ≤ maxTokens, else k windows of equal length L ≤ maxTokens whose
// neighbours overlap by about windowOverlap tokens, where k is the fewest
// that allows it. ref/make_golden.js computes the same ranges.
func windows(n int) [][2]int {
	if n <= maxTokens {
		return [][2]int{{0, n}}
	}
	k := ceilDiv(n-windowOverlap, maxTokens-windowOverlap)
	l := ceilDiv(n+(k-1)*windowOverlap, k)
	ws := make([][2]int, k)
	for i := range ws {
		s := i * (n - l) / (k - 1)
		ws[i] = [2]int{s, s + l}
	}
	return ws
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// meanNormalised averages the jobs' vectors and L2-normalises the mean.
func meanNormalised(js []job) []float32 {
	mean := make([]float64, outDim)
	for _, j := range js {
		for d, v := range j.out {
			mean[d] += float64(v)
		}
	}
	var ss float64
	for _, v := range mean {
		ss += v * v
	}
	out := make([]float32, outDim)
	if ss == 0 {
		return out
	}
	inv := 1 / math.Sqrt(ss)
	for d, v := range mean {
		out[d] = float32(v * inv)
	}
	return out
}
