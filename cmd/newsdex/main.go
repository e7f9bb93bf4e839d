// Command newsdex indexes news articles and serves search over them.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/newsdex/newsdex/internal/cli"
)

func main() {
	if err := cli.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "newsdex:", err)
		os.Exit(1)
	}
}
