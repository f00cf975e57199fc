package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/interlock-dev/interlock/internal/cli"
)

func main() {
	// Ctrl-C cancels the context; commands clean up what they started
	// before they return.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Streams{Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
