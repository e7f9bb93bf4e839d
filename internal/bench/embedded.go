package bench

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/embed"
)

// embedLimit bounds the embedded run: the pure-Go encoder embeds a few
// hundred passages a second on two cores, so all of AllSides would take
// most of an hour. The rate over the first embedLimit articles is reported.
const embedLimit = 1000

// measureEmbedded indexes the first embedLimit articles with every
// passage embedded by the built-in encoder. It returns a note instead of a
// result when the model is not installed.
func measureEmbedded(ctx context.Context, c Config, dir string, arts []newsdex.Article) (*IndexResult, string) {
	modelDir := c.ModelDir
	if modelDir == "" {
		modelDir = embed.DefaultDir()
	}
	m, err := embed.Load(modelDir)
	if err != nil {
		return nil, fmt.Sprintf("no embedded run: %v", err)
	}
	if len(arts) > embedLimit {
		arts = arts[:embedLimit]
	}
	logf(c.Log, "newsdex: indexing %d articles with passage embeddings ...", len(arts))
	vectors := 0
	prepare := func(ctx context.Context, batch []newsdex.Article) error {
		var texts []string
		for _, a := range batch {
			for _, p := range a.Passages {
				texts = append(texts, a.Body[p.Start:p.End])
			}
		}
		vs, err := m.Embed(ctx, texts)
		vectors += len(vs)
		return err
	}
	ir, err := indexArticles(ctx, c, filepath.Join(dir), source(arts, 1), "embedded.index", prepare)
	if err != nil {
		return nil, fmt.Sprintf("embedded run failed: %v", err)
	}
	logf(c.Log, "newsdex embedded: %.1f articles/s (%d vectors), %.1f MB", ir.DocsPerSec, vectors, ir.SizeMB)
	return &ir, fmt.Sprintf("first %d articles; %d passage vectors of %d dims computed by %s in the pipeline's Prepare hook; the vectors are not stored by this harness (the vector store's own cost is not included)", len(arts), vectors, m.Dims(), m.Name())
}
