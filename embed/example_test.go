package embed_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/newsdex/newsdex/embed"
)

// Loading the built-in model and comparing two texts; the dot product of
// two vectors is their cosine similarity.
func ExampleUSE_Embed() {
	m, err := embed.Load(embed.DefaultDir())
	if err != nil {
		log.Fatal(err) // wraps embed.ErrNoModel if the weights were never fetched
	}
	vs, err := m.Embed(context.Background(), []string{"Earthquake hits Tokyo", "Strong tremor in Japan's capital"})
	if err != nil {
		log.Fatal(err)
	}
	var cos float32
	for i := range vs[0] {
		cos += vs[0][i] * vs[1][i]
	}
	fmt.Printf("%d dims, cosine %.2f\n", m.Dims(), cos)
}

// Any server speaking the OpenAI embeddings protocol works; here a fake one.
func ExampleOpenAI() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Input []string }
		json.NewDecoder(r.Body).Decode(&req)
		type item struct {
			Embedding []float32 `json:"embedding"`
			Index     int       `json:"index"`
		}
		var resp struct {
			Data []item `json:"data"`
		}
		for i := range req.Input {
			resp.Data = append(resp.Data, item{[]float32{3, 4}, i})
		}
		json.NewEncoder(w).Encode(resp)
	}))
	defer srv.Close()

	e := &embed.OpenAI{BaseURL: srv.URL, Model: "nomic-embed-text", Dimensions: 2}
	vs, err := e.Embed(context.Background(), []string{"hello"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Name(), vs[0])
	// Output: openai:nomic-embed-text [0.6 0.8]
}
