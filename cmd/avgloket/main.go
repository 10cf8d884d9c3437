// Command avgloket runs the privacy-request portal and administers it from
// the command line (API.md, "Command line"). main only wires: the work is in
// internal/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/clock"
	"github.com/avgloket/avgloket/internal/practice"
	"github.com/avgloket/avgloket/internal/staff"
	"github.com/avgloket/avgloket/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, osEnv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "avgloket: "+err.Error())
		os.Exit(1)
	}
}

const usage = `usage: avgloket <command> [flags]

commands:
  serve [--addr 127.0.0.1:8080] [--data ./data] [--base-url URL]
  migrate
  practice set [--name N] [--address A] [--kvk K] [--country NL|BE] [--time-zone TZ]
               [--calendar NL|BE] [--privacy-email E]
  practice show
  branch add --code CODE --name NAME
  user add --email E --name N --role owner|officer [--branch CODE ...] [--invite]
  user invite --email E
  token add --email E [--label TEXT]
  token revoke --token T
  audit verify
  key rotate | key rewrap [--batch 500] | key status | key retire --version N
  backup --to FILE
  restore --from FILE          (into a data folder without a database)
every command takes --data DIR (or AVGLOKET_DATA_DIR), and --database-url postgres://…
(or AVGLOKET_DATABASE_URL) to use PostgreSQL instead of SQLite in the data folder`

// run carries out one command. It is main without the process around it, so
// tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	if len(args) == 0 {
		return errors.New("no command given (avgloket help lists them)")
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cmd, rest := args[0], args[1:]
	if (cmd == "branch" || cmd == "user" || cmd == "token" || cmd == "audit" || cmd == "key" || cmd == "practice") && len(rest) > 0 {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, log, getenv)
	case "migrate":
		return withStore(ctx, "migrate", rest, log, getenv, nil, func(a *admin) error {
			fmt.Fprintln(stdout, "migrations applied")
			return nil
		})
	case "practice set":
		return practiceSet(ctx, rest, stdout, log, getenv)
	case "practice show":
		return practiceShow(ctx, rest, stdout, log, getenv)
	case "branch add":
		return branchAdd(ctx, rest, stdout, log, getenv)
	case "user add":
		return userAdd(ctx, rest, stdout, log, getenv)
	case "user invite":
		return userInvite(ctx, rest, stdout, log, getenv)
	case "token add":
		return tokenAdd(ctx, rest, stdout, log, getenv)
	case "token revoke":
		return tokenRevoke(ctx, rest, stdout, log, getenv)
	case "audit verify":
		return auditVerify(ctx, rest, stdout, log, getenv)
	case "key rotate":
		return keyRotate(ctx, rest, stdout, getenv)
	case "key rewrap":
		return keyRewrap(ctx, rest, stdout, log, getenv)
	case "key status":
		return keyStatus(ctx, rest, stdout, log, getenv)
	case "key retire":
		return keyRetire(ctx, rest, stdout, log, getenv)
	case "backup":
		return backup(ctx, rest, stdout, log, getenv)
	case "restore":
		return restore(ctx, rest, stdout, log, getenv)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (avgloket help lists them)", strings.Join(args[:min(2, len(args))], " "))
}

func serve(ctx context.Context, args []string, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	defAddr := getenv("ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defAddr, "listen address (AVGLOKET_ADDR)")
	baseURL := fs.String("base-url", "", "public address of the portal (AVGLOKET_BASE_URL)")
	data := commonFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	cfg, err := loadConfig(*addr, *data, *baseURL, getenv)
	if err == nil {
		err = cfg.useFlags(fs)
	}
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + ln.Addr().String()
	}
	app, err := NewApp(ctx, cfg, log, clock.System{})
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer app.Close()
	return app.Run(ctx, ln)
}

// parseFlags parses a command's flags, with --data added.
func parseFlags(name string, fs *flag.FlagSet, args []string, getenv env) (*string, error) {
	fs.SetOutput(io.Discard)
	data := commonFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	return data, nil
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func branchAdd(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("branch add", flag.ContinueOnError)
	code := fs.String("code", "", "short code, e.g. utrecht")
	name := fs.String("name", "", "display name")
	return withStore(ctx, "branch add", args, log, getenv, fs, func(a *admin) error {
		c := strings.TrimSpace(*code)
		if !staff.ValidBranchCode(c) {
			return fmt.Errorf("branch add: --code %q: use lower-case letters, digits and dashes", c)
		}
		if strings.TrimSpace(*name) == "" {
			return errors.New("branch add: --name is required")
		}
		b, err := a.store.AddBranch(ctx, practice.Branch{Code: c, Name: strings.TrimSpace(*name)}, a.now())
		if apperr.Is(err, apperr.Conflict) {
			return fmt.Errorf("branch add: the code %q is already in use", c)
		}
		if err != nil {
			return fmt.Errorf("branch add: %w", err)
		}
		fmt.Fprintf(stdout, "branch %s added\n", b.Code)
		return nil
	})
}

func userAdd(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "owner or officer")
	invite := fs.Bool("invite", false, "let the person sign in with the organisation's account (OIDC)")
	var branches multi
	fs.Var(&branches, "branch", "branch code (repeatable); none: all branches")
	return withStore(ctx, "user add", args, log, getenv, fs, func(a *admin) error {
		addr, ok := staff.NormalizeEmail(*email)
		if !ok {
			return fmt.Errorf("user add: --email %q is not an e-mail address", *email)
		}
		r, ok := staff.ParseRole(*role)
		if !ok {
			return fmt.Errorf("user add: --role %q: want owner or officer", *role)
		}
		switch staff.NameProblem(strings.TrimSpace(*name)) {
		case "field.required":
			return errors.New("user add: --name is required")
		case "field.too_long":
			return errors.New("user add: --name is too long")
		case "field.single_line":
			return errors.New("user add: --name must be a single line without control characters")
		}
		nm := staff.NewMember{Email: addr, Name: strings.TrimSpace(*name), Role: r, Branches: branches}
		add := a.store.AddMember
		if *invite {
			add = a.store.InviteMember
		}
		m, err := add(ctx, nm, a.now())
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		fmt.Fprintf(stdout, "user %s added as %s\n", m.Email, m.Role)
		return nil
	})
}

// userInvite lets an account made by `user add` without --invite sign in
// with the organisation's account: it has no password and no invitation,
// so nothing else lets it sign in.
func userInvite(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("user invite", flag.ContinueOnError)
	email := fs.String("email", "", "staff e-mail address")
	return withStore(ctx, "user invite", args, log, getenv, fs, func(a *admin) error {
		addr, _ := staff.NormalizeEmail(*email)
		m, err := a.store.MemberByEmail(ctx, addr)
		if err != nil {
			return fmt.Errorf("user invite: no staff account %q", *email)
		}
		if err := a.store.MarkInvited(ctx, m.ID, a.now()); err != nil {
			return fmt.Errorf("user invite: %s: %w", m.Email, err)
		}
		fmt.Fprintf(stdout, "user %s may now sign in with the organisation's account\n", m.Email)
		return nil
	})
}

func tokenAdd(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("token add", flag.ContinueOnError)
	email := fs.String("email", "", "staff e-mail address")
	label := fs.String("label", "", "what the token is for")
	return withStore(ctx, "token add", args, log, getenv, fs, func(a *admin) error {
		addr, _ := staff.NormalizeEmail(*email)
		m, err := a.store.MemberByEmail(ctx, addr)
		if err != nil {
			return fmt.Errorf("token add: no staff account %q", *email)
		}
		if m.Disabled {
			return fmt.Errorf("token add: the account %s is disabled", m.Email)
		}
		token, err := casework.NewToken()
		if err != nil {
			return err
		}
		if err := a.store.AddAPIToken(ctx, m.ID, casework.HashToken(token), *label, a.now()); err != nil {
			return fmt.Errorf("token add: %w", err)
		}
		fmt.Fprintf(stdout, "API token for %s (shown once; store it safely):\n%s\n", m.Email, token)
		return nil
	})
}

func tokenRevoke(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("token revoke", flag.ContinueOnError)
	token := fs.String("token", "", "the token to revoke")
	return withStore(ctx, "token revoke", args, log, getenv, fs, func(a *admin) error {
		if err := a.store.RevokeAPIToken(ctx, casework.HashToken(strings.TrimSpace(*token)), a.now()); err != nil {
			return errors.New("token revoke: no such live token")
		}
		fmt.Fprintln(stdout, "token revoked")
		return nil
	})
}

// auditVerify walks the audit trail and reports the first broken link. It
// prints the head (last entry and its hash): kept outside the database, that
// line is what shows a whole trail replaced by an older copy.
func auditVerify(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	return withStore(ctx, "audit verify", args, log, getenv, nil, func(a *admin) error {
		line, err := verifyAudit(ctx, a.store)
		if err != nil {
			return fmt.Errorf("audit verify: %w", err)
		}
		fmt.Fprintln(stdout, line)
		return nil
	})
}

// verifyAudit walks the audit trail (audit verify, restore) and returns the
// line that reports it intact, with its head.
func verifyAudit(ctx context.Context, st *store.Store) (string, error) {
	brk, n, err := st.VerifyAudit(ctx)
	if err != nil {
		return "", err
	}
	if brk != nil {
		return "", fmt.Errorf("broken at entry %d (%s): %s", brk.ID, brk.Kind, brk.Reason)
	}
	head, err := st.AuditHead(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("audit trail intact: %d entries; last entry %d, hash %s", n, head.LastID, head.LastHash), nil
}
