package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex/api"
	"github.com/newsdex/newsdex/search"
)

// TestRemoteSearchSendsEveryParameter hands a fully populated request to a
// server and checks that the server's parser reads back the same request.
func TestRemoteSearchSendsEveryParameter(t *testing.T) {
	collapse := false
	want := search.Request{
		Query:       "pipeline talks",
		Filters:     map[string][]string{search.FilterPerson: {"Vladimir Putin", "Xi Jinping"}, search.FilterOutlet: {"Reuters"}},
		From:        time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC),
		To:          time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC),
		Sort:        search.SortDate,
		Size:        25,
		Page:        1,
		Cursor:      "abc123",
		Snippets:    -1,
		SnippetSize: 300,
		Facets:      []string{search.FacetPeople, search.FacetOutlets},
		FacetSize:   7,
		Interval:    "week",
		Collapse:    &collapse,
		Mode:        search.ModeHybrid,
		Explain:     true,
	}
	got := make(chan search.Request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := api.ParseSearchRequest(r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got <- req
		_ = json.NewEncoder(w).Encode(search.Results{})
	}))
	defer srv.Close()
	rem := &remote{base: srv.URL, client: srv.Client()}
	if _, err := rem.search(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, <-got); diff != "" {
		t.Errorf("the server read another request than the CLI sent (-want +got):\n%s", diff)
	}
}
