//go:build !amd64

package vector

// dots writes into out[i] the dot product of q with row i of data.
func dots(q, data []int8, out []int32) { dotsGeneric(q, data, out) }
