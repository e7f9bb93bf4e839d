package vector

// dotsGeneric writes into out[i] the dot product of q with row i of data
// (count rows of len(q) components each).
func dotsGeneric(q, data []int8, out []int32) {
	d := len(q)
	for i := range out {
		out[i] = dotInt8(q, data[i*d:(i+1)*d])
	}
}

// dotInt8 is the portable int8 dot product, unrolled so that the four
// partial sums do not wait on each other.
func dotInt8(a, b []int8) int32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += int32(a[i]) * int32(b[i])
		s1 += int32(a[i+1]) * int32(b[i+1])
		s2 += int32(a[i+2]) * int32(b[i+2])
		s3 += int32(a[i+3]) * int32(b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += int32(a[i]) * int32(b[i])
	}
	return s0 + s1 + s2 + s3
}
