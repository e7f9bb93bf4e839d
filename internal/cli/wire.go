package cli

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/api"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/pipeline"
	"github.com/newsdex/newsdex/internal/service"
)

// openService opens dir (building it from the embedded seeds when it holds
// no index yet) with the service that writes to it.
func (e *env) openService(ctx context.Context, dir string) (*index.Index, *service.Service, error) {
	fresh := !index.Exists(dir)
	ix, err := index.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	x, err := extract.New()
	if err != nil {
		ix.Close()
		return nil, nil, err
	}
	svc := service.New(ix, x, e.log)
	if err := svc.LoadBoiler(); err != nil {
		ix.Close()
		return nil, nil, err
	}
	e.withEmbedding(ix, svc, true, true)
	if err := svc.EnableDups(ctx); err != nil {
		ix.Close()
		return nil, nil, err
	}
	if fresh {
		sum, err := svc.Ingest(ctx, seedSource(e.log), nil)
		if err != nil {
			ix.Close()
			return nil, nil, fmt.Errorf("index the embedded seeds into %s: %w", dir, err)
		}
		e.log.Info("built index from embedded seeds", "dir", dir, "articles", sum.Indexed)
	}
	return ix, svc, nil
}

// seedSource reads the embedded sample articles.
func seedSource(log *slog.Logger) pipeline.Source {
	return func(ctx context.Context, emit func(newsdex.Article) error) error {
		sub, err := fs.Sub(newsdex.Seeds, "seeds")
		if err != nil {
			return err
		}
		return ingest.ReadFS(ctx, sub, ingest.Options{}, emit, func(re *ingest.RecordError) {
			log.Warn("skip seed record", "err", re)
		})
	}
}

// writeAPI adds the write side to opts: the service as Writer and
// Rebuilder, and a fresh local token (recorded beside the index for the
// CLI's hand-over) as an extra API key.
func writeAPI(stop context.Context, opts api.Options, svc *service.Service, token string) api.Options {
	opts.Writer = svc
	opts.Rebuilder = rebuilder{svc: svc, stop: stop}
	opts.APIKeys = append(opts.APIKeys, token)
	opts.Stats = svc.Index().Stat
	if bg := svc.Background(); bg != nil {
		opts.VectorsPending = bg.Pending
		opts.Stats = func(ctx context.Context) (index.Stats, error) {
			st, err := svc.Index().Stat(ctx)
			// Every article marked missing is queued: the background
			// embedder passes over them all.
			pending := st.MissingVectors
			st.VectorsPending = &pending
			return st, err
		}
	}
	return opts
}

// rebuilder adapts service.Rebuild to api.Rebuilder; a rebuild ends when
// its request does or when stop is cancelled (the server shuts down).
type rebuilder struct {
	svc  *service.Service
	stop context.Context
}

func (r rebuilder) Rebuild(ctx context.Context, src func(context.Context, func(newsdex.Article) error) error, progress func(int)) (any, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(r.stop, cancel)()
	var s pipeline.Source
	if src != nil {
		s = src
	}
	return r.svc.Rebuild(ctx, s, progress)
}

// recordServer writes serve.json beside the index; the returned func
// removes it.
func recordServer(dir string, ln net.Listener, token string) (func(), error) {
	if err := writeServeInfo(dir, serveInfo{Addr: ln.Addr().String(), PID: os.Getpid(), Token: token}); err != nil {
		return nil, err
	}
	return func() { removeServeInfo(dir) }, nil
}
