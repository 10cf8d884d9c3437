// Command avgloket-load measures the portal near the machine's limit
// (issue 13): it starts the real avgloket binary on a loopback address with
// a data folder of its own, drives it for a bounded number of requests and a
// bounded time, checks that nothing acknowledged was lost, and prints each
// figure beside the limit measured in the same run.
//
// Every subcommand is bounded in count and time and refuses an address that
// is not loopback: it is a measuring tool for this machine, not a load
// generator for someone else's.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: avgloket-load <command> [flags]

commands:
  submit   [--clients 8] [--duration 10s] [--crash] [--smtp-down]
  multi    [--instances 2] [--submissions 500] [--clients 8] [--database-url postgres://…]
           [--baseline] [--kill-while-sending [--mail-delay 50ms] [--lease 2s]]
  queue    [--small 1000] [--large 100000] [--views 200]
  download [--size-mb 200] [--rounds 3]
  limit    [--duration 3s]
  bench    [--strict]
every command but limit takes --portal PATH (the avgloket binary; default
./avgloket, or the one next to avgloket-load), --addr 127.0.0.1:0 (loopback
only) and --keep (leave the data folder and the portal's log afterwards)

exit status: 0 when the run went well, whatever the figures; 1 when
something was lost, doubled or damaged, a request failed, or the run broke;
3 when bench --strict missed a target`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	var miss errMissed
	switch {
	case errors.As(err, &miss):
		fmt.Fprintln(os.Stderr, "avgloket-load: "+err.Error())
		os.Exit(3)
	case err != nil:
		fmt.Fprintln(os.Stderr, "avgloket-load: "+err.Error())
		os.Exit(1)
	}
}

// errMissed is what bench --strict returns when a target was missed: the
// run itself went well, so main tells it apart from a failure by its exit
// status (3, against 1 for lost data or a broken run).
type errMissed struct{ n int }

func (e errMissed) Error() string { return fmt.Sprintf("%d target(s) missed (--strict)", e.n) }

// run carries out one command; it is main without the process around it.
func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("no command given\n" + usage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "submit":
		return submitCmd(ctx, rest, out)
	case "multi":
		return multiCmd(ctx, rest, out)
	case "queue":
		return queueCmd(ctx, rest, out)
	case "download":
		return downloadCmd(ctx, rest, out)
	case "limit":
		return limitCmd(ctx, rest, out)
	case "bench":
		return benchCmd(ctx, rest, out)
	case "help", "-h", "--help":
		fmt.Fprintln(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}
