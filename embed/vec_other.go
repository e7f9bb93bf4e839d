//go:build !amd64

package embed

// softmax replaces s by exp(s - max) / sum.
func softmax(s []float32) { softmaxGo(s) }

// layerNorm writes LN(src) row by row for rows rows of width d (a multiple
// of 16).
func layerNorm(dst, src []float32, rows, d int, scale, bias []float32, eps float32) {
	layerNormGo(dst, src, rows, d, scale, bias, eps)
}
