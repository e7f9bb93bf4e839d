package vector

import (
	"math/rand/v2"
	"testing"
)

func TestDotsKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, d := range []int{1, 7, 32, 64, 100, 512} {
		const count = 9
		q := make([]int8, d)
		data := make([]int8, count*d)
		for i := range q {
			q[i] = int8(r.IntN(255) - 127)
		}
		for i := range data {
			data[i] = int8(r.IntN(255) - 127)
		}
		// Extremes: the largest possible sums must not overflow.
		if d == 512 {
			for i := range q {
				q[i], data[i] = -127, -127
			}
		}
		want := make([]int32, count)
		for i := range want {
			for j := range d {
				want[i] += int32(q[j]) * int32(data[i*d+j])
			}
		}
		got := make([]int32, count)
		dots(q, data, got)
		gen := make([]int32, count)
		dotsGeneric(q, data, gen)
		for i := range want {
			if got[i] != want[i] || gen[i] != want[i] {
				t.Fatalf("dims %d row %d: dots %d, generic %d, want %d", d, i, got[i], gen[i], want[i])
			}
		}
	}
}
