//go:build !amd64

package embed

// softmax replaces s by exp(s - max) / sum.
func softmax(s []float32) { softmaxGo(s) }
