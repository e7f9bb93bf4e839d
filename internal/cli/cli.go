// Package cli holds newsdex's subcommands (serve, index, search, ...). Each
// parses its flags and wires the pipeline packages together; package main
// only calls Run.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// env holds what every command shares: output streams and the logger.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	level          slog.LevelVar // of log: info, or warn under --quiet
	quiet          bool
	model          modelCache // the embedding model, loaded on first use (model.go)
}

// DefaultIndexDir is where the index lives when --index is not given.
func DefaultIndexDir() string {
	if d := os.Getenv("NEWSDEX_INDEX"); d != "" {
		return d
	}
	return filepath.Join("data", "index")
}

// Run executes the newsdex command line args (without the program name).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	e := &env{stdout: stdout, stderr: stderr}
	e.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: &e.level}))
	root := &cobra.Command{
		Use:           "newsdex",
		Short:         "Index news articles and search them by meaning, by leader and by outlet",
		SilenceUsage:  true,
		SilenceErrors: true,
		// --quiet leaves only warnings and errors on stderr.
		PersistentPreRun: func(*cobra.Command, []string) {
			if e.quiet {
				e.level.Set(slog.LevelWarn)
			}
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.AddCommand(
		e.serveCmd(),
		e.indexCmd(),
		e.searchCmd(),
		e.exportCmd(),
		e.deleteCmd(),
		e.statsCmd(),
		e.reindexCmd(),
		e.alertsCmd(),
	)
	for _, c := range e.extraCmds() {
		root.AddCommand(c)
	}
	return root.ExecuteContext(ctx)
}

func fail(format string, args ...any) error { return fmt.Errorf(format, args...) }
