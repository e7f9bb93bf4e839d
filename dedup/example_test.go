package dedup_test

import (
	"fmt"
	"strings"

	"github.com/newsdex/newsdex/dedup"
)

func Example() {
	d := dedup.New(dedup.Options{})
	story := strings.Repeat("The council voted late on Tuesday to build a flood wall along the harbor after a long fight. ", 6)
	other := strings.Repeat("Hospital executives said the maternity ward would close at the end of the year for lack of staff. ", 6)

	for _, a := range []struct{ id, body string }{
		{"agency-1", story},
		{"outlet-7", "By Jane Roe\n\n" + story + "\n\nADVERTISEMENT\n\nCopyright 2020. All rights reserved."},
		{"agency-2", other},
	} {
		sig := d.Signature(a.body) // store sig.MarshalBinary() with the article
		dupOf, sim := d.Add(a.id, sig)
		fmt.Printf("%s: duplicate_of=%q similarity=%.2f\n", a.id, dupOf, sim)
	}
	// Output:
	// agency-1: duplicate_of="" similarity=0.00
	// outlet-7: duplicate_of="agency-1" similarity=1.00
	// agency-2: duplicate_of="" similarity=0.00
}
