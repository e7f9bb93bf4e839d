package extract

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/newsdex/newsdex"
)

func TestDbgAllSidesOther(t *testing.T) {
	x := mustNew(t)
	pl, ci := map[string]int{}, map[string]int{}
	n := 0
	readAllSides(t, 0, func(a newsdex.Article) {
		n++
		if n%4 != 0 {
			return
		}
		x.Extract(&a)
		for _, p := range a.Places {
			pl[p.Name]++
		}
		for _, p := range a.Cited {
			ci[p.Name]++
		}
	})
	for _, m := range []map[string]int{pl, ci} {
		type kv struct {
			k string
			v int
		}
		var l []kv
		for k, v := range m {
			l = append(l, kv{k, v})
		}
		sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v })
		var b strings.Builder
		for i, e := range l {
			if i > 250 {
				break
			}
			fmt.Fprintf(&b, "%s %d|", e.k, e.v)
		}
		t.Log(b.String())
	}
}
