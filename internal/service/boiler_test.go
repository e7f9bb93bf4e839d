package service_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/boiler"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/search"
)

const promo = "Sign up for the Morning Bugle newsletter and get every story that matters delivered to your inbox before breakfast."

// bugle returns n articles of one outlet that share a promo line.
func bugle(n int) []newsdex.Article {
	arts := make([]newsdex.Article, n)
	for i := range arts {
		arts[i] = newsdex.Article{
			ID: fmt.Sprintf("bugle-%d", i), Title: fmt.Sprintf("Council vote %d", i), Outlet: "Daily Bugle",
			Body: fmt.Sprintf("The council of ward %d voted on the harbour budget on day %d after a debate about ferries and bridges.\n\n", i, i) +
				fmt.Sprintf("Councillor number %d said the harbour plan would cost less than the bridge plan of year %d.\n\n", i, 2000+i) +
				promo + "\n\nADVERTISEMENT",
		}
	}
	return arts
}

// TestLearnBoiler learns the promo from an import, keeps it out of the
// indexed and searched body of a later write, and stores the model with
// the index so that a service opened later cleans the same way.
func TestLearnBoiler(t *testing.T) {
	ctx := context.Background()
	svc, eng := newService(t)
	arts := bugle(5)
	src := func(ctx context.Context, emit func(newsdex.Article) error) error {
		for _, a := range arts[:4] {
			if err := emit(a); err != nil {
				return err
			}
		}
		return nil
	}
	m, err := svc.LearnBoiler(ctx, src, true)
	if err != nil {
		t.Fatal(err)
	}
	if m.Keys() == 0 {
		t.Fatal("LearnBoiler learnt nothing")
	}
	raw := arts[4].Body
	if _, err := svc.Put(ctx, arts); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Index().Get("bugle-4")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.Body, "newsletter") || strings.Contains(got.Body, "ADVERTISEMENT") {
		t.Errorf("stored body keeps boilerplate: %q", got.Body)
	}
	if got.RawBody != raw {
		t.Errorf("RawBody = %q, want the body as written", got.RawBody)
	}
	res, err := eng.Search(ctx, search.Request{Query: "newsletter breakfast"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 0 {
		t.Errorf("search for the promo found %d hits, want none", len(res.Hits))
	}
	stored, err := boiler.Load(filepath.Join(svc.Index().Dir(), service.BoilerFile))
	if err != nil || stored.Keys() != m.Keys() {
		t.Errorf("stored model: %v keys, %v; want %d", stored.Keys(), err, m.Keys())
	}
}
