package ingest_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/ingest"
)

func ExampleRead() {
	// Two AllSides-style records and one broken line.
	data := `{"ID":"a1","date":"2019-01-02","source":"Daily Example","authors":"Ann Lee, Bo Chan","title":"Senate passes bill","content_original":"WASHINGTON — The Senate passed the bill."}
not json
{"ID":"a2","date":"7/23/17","source":"Other Outlet","title":"Second","content_original":"Text."}
`
	m, err := ingest.ParseMap("id=ID,title=title,body=content_original,outlet=source,published=date,authors=authors")
	if err != nil {
		fmt.Println(err)
		return
	}
	err = ingest.Read(context.Background(), strings.NewReader(data), "allsides.jsonl", ingest.Options{Map: m},
		func(a newsdex.Article) error {
			fmt.Printf("%s %s %q %q %v %q\n", a.ID, a.Published.Format("2006-01-02"), a.Outlet, a.Title, a.Authors, a.Dateline)
			return nil
		},
		func(e *ingest.RecordError) { fmt.Println("skip:", e) })
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// a1 2019-01-02 "Daily Example" "Senate passes bill" [Ann Lee Bo Chan] "Washington"
	// skip: ingest allsides.jsonl record 2: not JSON
	// a2 2017-07-23 "Other Outlet" "Second" [] ""
}

func ExampleReadFS() {
	err := ingest.ReadFS(context.Background(), newsdex.Seeds, ingest.Options{},
		func(a newsdex.Article) error {
			fmt.Println(a.ID, a.Published.Format("2006-01-02"), a.Dateline)
			fmt.Println(a.Title)
			return nil
		}, nil)
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 000_5285904866886d73 2025-05-08 Moscow
	// Chinese President Xi Jinping, who is on a state visit to Russia, held bilateral talks in Moscow with Russian President…
}
