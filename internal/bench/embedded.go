package bench

import (
	"context"
	"fmt"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/embed"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/internal/service"
)

// embedLimit bounds the embedded run: the pure-Go encoder embeds some
// tens of passages a second per core, so all of AllSides (220,000
// passages) would take hours. The rate over the first embedLimit articles
// is reported.
const embedLimit = 300

// measureEmbedded indexes the first embedLimit articles the way
// `newsdex index --embed` does: every passage embedded by the built-in
// encoder (service.Embedding) and its vector stored in the index. It
// returns a note instead of a result when the model is not installed.
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
	var emb *service.Embedding
	ir, err := indexArticles(ctx, c, dir, source(arts, 1), "embedded.index", func(ix *index.Index) func(context.Context, []newsdex.Article) error {
		emb = service.NewEmbedding(ix, m)
		return emb.Prepare
	})
	if err != nil {
		return nil, fmt.Sprintf("embedded run failed: %v", err)
	}
	logf(c.Log, "newsdex embedded: %.1f articles/s (%d passages embedded), %.1f MB", ir.DocsPerSec, emb.Computed.Load(), ir.SizeMB)
	return &ir, fmt.Sprintf("first %d articles, %d passage vectors (%d dims, %s) computed and stored as `newsdex index --embed` does",
		len(arts), emb.Computed.Load(), m.Dims(), m.Name())
}
