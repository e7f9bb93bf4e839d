package chunk_test

import (
	"fmt"

	"github.com/newsdex/newsdex/chunk"
)

func ExampleSplit() {
	body := "Mr. Smith met U.S. officials on Jan. 5. Talks went well.\n\nA second paragraph follows. It is short."
	for _, p := range chunk.Split(body, chunk.Options{TargetWords: 10, MaxWords: 14}) {
		fmt.Printf("%q\n", body[p.Start:p.End])
	}
	// Output:
	// "Mr. Smith met U.S. officials on Jan. 5. Talks went well.\n\n"
	// "A second paragraph follows. It is short."
}
