package extract_test

import (
	"fmt"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
)

func ExampleExtractor_Extract() {
	x, err := extract.New()
	if err != nil {
		panic(err)
	}
	a := newsdex.Article{
		Title:     "Xi meets Putin in Moscow",
		Body:      "Moscow, May 8: Chinese President Xi Jinping held talks with Russian President Vladimir Putin, Russian state media TASS said. The Chinese leader left for Beijing on Friday.",
		Published: time.Date(2025, 5, 8, 0, 0, 0, 0, time.UTC),
	}
	x.Extract(&a)
	for _, p := range a.People {
		fmt.Printf("person %s ×%d\n", p.Name, p.Count)
	}
	for _, l := range a.Leaders {
		fmt.Printf("leader %s: %s\n", l.Name, l.Office)
	}
	fmt.Println("cited", newsdex.Names(a.Cited))
	fmt.Println("places", newsdex.Names(a.Places))
	fmt.Println("dateline", a.Dateline)
	// Output:
	// person Xi Jinping ×3
	// person Vladimir Putin ×2
	// leader Xi Jinping: President of China
	// leader Vladimir Putin: President of Russia
	// cited [TASS]
	// places [Moscow Beijing]
	// dateline Moscow
}
