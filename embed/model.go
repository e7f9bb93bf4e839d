package embed

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/newsdex/newsdex/embed/internal/gemm"
)

// The graph (model.json) was read node by node; forward in forward.go is a
// hand translation of it. What it computes for one text of n ≤ 128 tokens:
//
//	x  = 2·E[id] + timing(pos)          (the graph adds the embedding twice)
//	layer 0 (width 256 → 512):
//	  h = LN(x); q,k,v = h·Wqkv + b; a = MHA(q·0.125, k, v; 4 heads of 64)
//	  y = a·Wo + bo + (x·Wd + bd)       (residual projected to 512)
//	  y = y + FFN(LN(y))                FFN = relu(·W1+b1)·W2+b2, 512→1536→512
//	layer 1 (width 512):
//	  y = y + MHA(LN(y)) (4 heads of 128, q scaled by 1/√128) ·Wo + bo
//	  y = y + FFN(LN(y))
//	v = tanh(mean_t(y)·Wt + bt); out = v / √max(|v|², 1e-12)
//
// LN is layer norm with ε = 1e-6. There is no padding inside one sequence,
// so the graph's attention mask (−1e9 on padding) never applies.

// Weight names in model.json; %d is the layer.
const (
	encPrefix   = "module_apply_default/Encoder_en/KonaTransformer/Encode/Layer_%d/TransformerLayer/"
	stackPrefix = "module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/Layer_%d/TransformerLayer/"
	kernPrefix  = "module/Encoder_en/KonaTransformer/Encode/Layer_%d/TransformerLayer/"

	nameEmbeddings = "module/Embeddings_en"
	nameTiming     = "module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1"
	nameEpsilon    = "module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x"
	nameMaxLen     = "module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y"
	nameHeads      = "module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2"
	nameTanhW      = "module/Encoder_en/hidden_layers/tanh_layer_0/weights"
	nameTanhB      = "module/Encoder_en/hidden_layers/tanh_layer_0/bias"
	nameL2Eps      = "module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y"
)

// Model dimensions; loadWeights checks the files against them.
const (
	maxTokens = 128  // the graph clips input to this many tokens
	embDim    = 256  // token embedding width (layer 0 input)
	modelDim  = 512  // width of layer 0's output and of layer 1
	ffnDim    = 1536 // FFN hidden width
	numHeads  = 4
	outDim    = 512
)

// layer holds one transformer layer's weights, matrices packed for gemm.
type layer struct {
	in                    int // input width: 256 for layer 0, 512 for layer 1
	lnScale, lnBias       []float32
	qkv                   *gemm.Panels // in → 3·in
	qkvBias               []float32
	qScale                float32
	out                   *gemm.Panels // in → 512
	outBias               []float32
	resid                 *gemm.Panels // layer 0 only: 256 → 512 residual projection
	residBias             []float32
	ffnLnScale, ffnLnBias []float32
	ffn1                  *gemm.Panels
	ffn1Bias              []float32
	ffn2                  *gemm.Panels
	ffn2Bias              []float32
}

// weights is everything forward needs, immutable after loading.
type weights struct {
	emb    []float32 // vocab × 256
	vocab  int
	timing []float32 // maxTokens × 256 position signal, from the graph's 128 inverse timescales
	eps    float32   // layer-norm epsilon
	l2Eps  float32
	layers [2]layer
	tanhW  *gemm.Panels
	tanhB  []float32
}

// manifest is the part of model.json that describes the weight files.
type manifest struct {
	Format          string `json:"format"`
	WeightsManifest []struct {
		Paths   []string `json:"paths"`
		Weights []struct {
			Name         string          `json:"name"`
			Shape        []int           `json:"shape"`
			DType        string          `json:"dtype"`
			Quantization json.RawMessage `json:"quantization"`
		} `json:"weights"`
	} `json:"weightsManifest"`
}

// tensor is one weight from the shards, as float32 or int32 values.
type tensor struct {
	shape []int
	f     []float32
	i     []int32
}

// readTensors reads model.json in dir and the weight shards it lists.
// A missing model.json is ErrNoModel.
func readTensors(dir string) (map[string]tensor, error) {
	mj, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("embed: load model from %s: %w", dir, ErrNoModel)
	}
	if err != nil {
		return nil, fmt.Errorf("embed: load model: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(mj, &m); err != nil {
		return nil, fmt.Errorf("embed: load model: parse %s: %w", filepath.Join(dir, "model.json"), err)
	}
	out := make(map[string]tensor)
	for _, g := range m.WeightsManifest {
		var buf []byte
		for _, p := range g.Paths {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("embed: load model from %s: shard %s missing: %w", dir, p, ErrNoModel)
			}
			if err != nil {
				return nil, fmt.Errorf("embed: load model: %w", err)
			}
			buf = append(buf, b...)
		}
		off := 0
		for _, w := range g.Weights {
			if len(w.Quantization) > 0 && string(w.Quantization) != "null" {
				return nil, fmt.Errorf("embed: load model: weight %s is quantised; only float32/int32 weights are supported", w.Name)
			}
			n := 1
			for _, d := range w.Shape {
				n *= d
			}
			if off+4*n > len(buf) {
				return nil, fmt.Errorf("embed: load model from %s: shards end inside weight %s (corrupt download?)", dir, w.Name)
			}
			t := tensor{shape: w.Shape}
			switch w.DType {
			case "float32":
				t.f = make([]float32, n)
				for i := range t.f {
					t.f[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[off+4*i:]))
				}
			case "int32":
				t.i = make([]int32, n)
				for i := range t.i {
					t.i[i] = int32(binary.LittleEndian.Uint32(buf[off+4*i:]))
				}
			default:
				return nil, fmt.Errorf("embed: load model: weight %s has dtype %q, want float32 or int32", w.Name, w.DType)
			}
			off += 4 * n
			out[w.Name] = t
		}
		if off != len(buf) {
			return nil, fmt.Errorf("embed: load model from %s: shards hold %d bytes, manifest %d (corrupt download?)", dir, len(buf), off)
		}
	}
	return out, nil
}

// loadWeights reads and checks every weight forward uses, and prepares the
// layers' matrices for kernel k (see Kernel): split for AMX where the CPU
// has it (several times faster, each product then exact to about 2⁻¹⁶
// rather than 2⁻²⁴, which moves the output vectors by a few 1e-6 at most
// on the golden cases), or with KernelInt8 and no AMX quantised to int8
// where the CPU has AVX-512 VNNI.
func loadWeights(dir string, k Kernel) (*weights, error) {
	ts, err := readTensors(dir)
	if err != nil {
		return nil, err
	}
	var firstErr error
	get := func(name string, shape ...int) []float32 {
		t, ok := ts[name]
		switch {
		case firstErr != nil:
			return nil
		case !ok:
			firstErr = fmt.Errorf("embed: load model: weight %s missing", name)
		case t.f == nil:
			firstErr = fmt.Errorf("embed: load model: weight %s is not float32", name)
		case !sameShape(t.shape, shape):
			firstErr = fmt.Errorf("embed: load model: weight %s has shape %v, want %v", name, t.shape, shape)
		}
		return t.f
	}
	getInt := func(name string) int32 {
		t, ok := ts[name]
		if firstErr == nil && (!ok || len(t.i) != 1) {
			firstErr = fmt.Errorf("embed: load model: int32 scalar %s missing", name)
		}
		if firstErr != nil {
			return 0
		}
		return t.i[0]
	}
	scalar := func(name string) float32 {
		f := get(name)
		if firstErr == nil && len(f) != 1 {
			firstErr = fmt.Errorf("embed: load model: scalar %s missing", name)
		}
		if firstErr != nil {
			return 0
		}
		return f[0]
	}
	pack := func(name string, k, n int, shape ...int) *gemm.Panels {
		f := get(name, shape...)
		if firstErr != nil {
			return nil
		}
		return gemm.Pack(f, k, n, n)
	}

	w := &weights{}
	emb := ts[nameEmbeddings]
	if len(emb.shape) == 2 {
		w.vocab = emb.shape[0]
	}
	w.emb = get(nameEmbeddings, w.vocab, embDim)
	invTime := get(nameTiming, 1, embDim/2)
	w.eps = scalar(nameEpsilon)
	w.l2Eps = scalar(nameL2Eps)
	if got := getInt(nameMaxLen); firstErr == nil && got != maxTokens {
		firstErr = fmt.Errorf("embed: load model: graph clips at %d tokens, want %d", got, maxTokens)
	}
	if got := getInt(nameHeads); firstErr == nil && got != numHeads {
		firstErr = fmt.Errorf("embed: load model: %d attention heads, want %d", got, numHeads)
	}
	for l := range w.layers {
		enc, stack, kern := fmt.Sprintf(encPrefix, l), fmt.Sprintf(stackPrefix, l), fmt.Sprintf(kernPrefix, l)
		in := modelDim
		if l == 0 {
			in = embDim
		}
		L := &w.layers[l]
		L.in = in
		L.lnScale = get(enc+"layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", in)
		L.lnBias = get(enc+"layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", in)
		L.qkv = pack(kern+"MultiheadAttention/qkv_transform_single/kernel/part_0", in, 3*in, 1, 1, in, 3*in)
		L.qkvBias = get(enc+"MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat", 3*in)
		L.qScale = scalar(stack + "MultiheadAttention/mul/y")
		L.out = pack(kern+"MultiheadAttention/output_transform_single/kernel/part_0", in, modelDim, 1, 1, in, modelDim)
		L.outBias = get(enc+"MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat", modelDim)
		if l == 0 {
			L.resid = pack(enc+"dense/kernel/ConcatPartitions/concat", in, modelDim, in, modelDim)
			L.residBias = get(enc+"dense/bias/ConcatPartitions/concat", modelDim)
		}
		L.ffnLnScale = get(enc+"FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", modelDim)
		L.ffnLnBias = get(enc+"FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", modelDim)
		L.ffn1 = pack(stack+"FFN/conv1/Tensordot/Reshape_1", modelDim, ffnDim, modelDim, ffnDim)
		L.ffn1Bias = get(enc+"FFN/conv1/bias/ConcatPartitions/concat", ffnDim)
		L.ffn2 = pack(stack+"FFN/conv2/Tensordot/Reshape_1", ffnDim, modelDim, ffnDim, modelDim)
		L.ffn2Bias = get(enc+"FFN/conv2/bias/ConcatPartitions/concat", modelDim)
	}
	w.tanhW = pack(nameTanhW, modelDim, outDim, modelDim, outDim)
	w.tanhB = get(nameTanhB, outDim)
	if firstErr != nil {
		return nil, firstErr
	}
	for l := range w.layers {
		L := &w.layers[l]
		L.qkv.SetBias(L.qkvBias)
		L.out.SetBias(L.outBias)
		L.ffn1.SetBias(L.ffn1Bias)
		L.ffn2.SetBias(L.ffn2Bias)
		ps := []*gemm.Panels{L.qkv, L.out, L.ffn1, L.ffn2}
		if L.resid != nil {
			L.resid.SetBias(L.residBias)
			ps = append(ps, L.resid)
		}
		// The tanh layer stays float32: it is one row per text, too small
		// for AMX or int8 to pay.
		for _, p := range ps {
			switch {
			case k == kernelFloat32:
			case p.SplitBF16():
			case k == KernelInt8:
				p.QuantizeInt8()
			}
		}
	}
	w.timing = timingSignal(invTime)
	return w, nil
}

func sameShape(a, b []int) bool {
	if len(b) == 0 { // scalar: accept [] and [1]
		return len(a) == 0 || (len(a) == 1 && a[0] == 1)
	}
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
