package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/search"
)

const wireStory = `The central bank raised its benchmark interest rate by a quarter point on Wednesday, citing persistent inflation in services and a labour market that has stayed tighter than policymakers expected. ` +
	`Officials said further increases remained possible if price growth did not slow over the coming months, while several members argued for a pause to assess the effect of earlier moves. ` +
	`Markets had largely priced in the decision, and bond yields were little changed after the announcement, though the currency rose against the dollar in late trading. ` +
	`The bank also cut its growth forecast for next year and said it would keep reducing its holdings of government bonds at the pace set in the spring.`

func TestWireCopiesCollapse(t *testing.T) {
	ctx := context.Background()
	svc, eng := newService(t)
	if err := svc.EnableDups(ctx); err != nil {
		t.Fatal(err)
	}
	arts := []newsdex.Article{
		{ID: "wire-1", Title: "Central bank raises rates", Outlet: "Reuters", Body: wireStory},
		{ID: "wire-2", Title: "Bank lifts rates again", Outlet: "Daily Example", Body: "By Staff Writer\n\n" + wireStory + "\n\nSign up for our newsletter."},
		{ID: "other", Title: "Central bank holds rates", Outlet: "Reuters", Body: strings.Repeat("The central bank kept its interest rate unchanged and said inflation was easing in most sectors. ", 5)},
	}
	if _, err := svc.Put(ctx, arts[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Put(ctx, arts[1:]); err != nil {
		t.Fatal(err)
	}
	res, err := eng.Search(ctx, search.Request{Query: "central bank rates"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]search.Hit{}
	for _, h := range res.Hits {
		got[h.ID] = h
	}
	if res.Total != 2 || got["wire-1"].Duplicates != 1 || got["other"].Duplicates != 0 {
		t.Errorf("collapsed: total %d, hits %v; want wire-1 (duplicates 1) and other", res.Total, res.Hits)
	}
	all := false
	res, err = eng.Search(ctx, search.Request{Query: "central bank rates", Collapse: &all})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 {
		t.Errorf("collapse=false: total %d, want 3", res.Total)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	i := slices.Index(ids, "wire-2")
	if i < 0 {
		t.Errorf("collapse=false: hits %q, want wire-2 among them", ids)
	} else if got := res.Hits[i].DuplicateOf; got != "wire-1" {
		t.Errorf("wire-2 duplicate_of = %q, want wire-1", got)
	}

	// Removing the group's first article promotes the copy.
	if _, err := svc.Delete(ctx, "wire-1"); err != nil {
		t.Fatal(err)
	}
	res, err = eng.Search(ctx, search.Request{Query: "central bank rates"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 {
		t.Errorf("after deleting wire-1: total %d, want 2 (wire-2 leads its group now)", res.Total)
	}
}
