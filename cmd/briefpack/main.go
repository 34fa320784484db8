// Command briefpack serves and administers briefpack: briefing packs for
// bilateral dialogues.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"briefpack/briefing"
	"briefpack/store"
)

const usage = `briefpack builds briefing packs for bilateral dialogues.

Usage:
  briefpack serve   [--addr 127.0.0.1:8080] [--db briefpack.db] [--jurisdiction nz|au] [--demo]
  briefpack user add --db DB --name N --role R --clearance LEVEL   (password on standard input)
  briefpack backup  --db DB --out F2
  briefpack check   --db DB
  briefpack restore --from BACKUP --db F [--force]
  briefpack copy    --from DB --to DB2
  briefpack export  --db DB --round ID --format html|xlsx [--edition full|release] [--ceiling LEVEL] --out F2
  briefpack version   (also --version: the build, and the database schema it writes)

DB is a bbolt file, or an etcd cluster: etcd://host:port[,host:port…][/prefix]
(credentials with --etcd-user and --etcd-password-file, or BRIEFPACK_ETCD_USER and
BRIEFPACK_ETCD_PASSWORD; TLS with --etcd-cert, --etcd-key, --etcd-ca).

Run "briefpack COMMAND --help" (or "briefpack help COMMAND") for a command's flags.
Exit codes: 0 success, 1 failure, 2 bad usage.
`

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs one command line and returns the exit code. A command reads a
// database file through a map of it: a fault on a damaged page panics
// rather than ends the process, and the store makes it an error naming the
// file. Whatever panic escapes is still one line and exit code 1.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if _, fault := r.(interface{ Addr() uintptr }); fault {
			fmt.Fprintln(stderr, "briefpack: a read of the database file faulted: it is damaged; run briefpack check on it, and restore it from a backup")
		} else {
			fmt.Fprintln(stderr, "briefpack: internal error: "+oneLine(fmt.Sprint(r)))
		}
		code = 1
	}()
	err := dispatch(ctx, args, stdin, stdout, stderr)
	var ue usageError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "briefpack: "+oneLine(err.Error()))
		return 2
	default:
		msg := message(err)
		if errors.Is(err, store.ErrInUse) {
			msg += ": " + inUseHint(args[0])
		}
		fmt.Fprintln(stderr, "briefpack: "+oneLine(msg))
		return 1
	}
}

// inUseHint says what to do instead of a command refused because a
// server holds its database file: what the server itself offers, or to
// stop it first.
func inUseHint(command string) string {
	switch command {
	case "serve":
		return "stop the server that holds it, or serve another --db"
	case "user":
		return "add the user on that server (its /admin/users page, or POST /api/v1/users), or stop it first"
	case "backup":
		return "download a backup from that server (GET /api/v1/admin/backup), or stop it first"
	case "export":
		return "download the pack from that server (GET /api/v1/rounds/ID/pack), or stop it first"
	}
	return "stop the server that holds it first"
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given: use serve, user add, backup, check, restore, copy, export or version"}
	}
	switch args[0] {
	case "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	case "help":
		// help COMMAND is COMMAND --help.
		if len(args) > 1 {
			return dispatch(ctx, append(args[1:], "--help"), stdin, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	case "version", "--version", "-version":
		return runVersion(args[1:], stdout)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			if len(args) >= 2 && (args[1] == "--help" || args[1] == "-h") {
				return runUserAdd(ctx, []string{"--help"}, stdin, stdout, stderr)
			}
			return usageError{"unknown user command: use \"briefpack user add\""}
		}
		return runUserAdd(ctx, args[2:], stdin, stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "check":
		return runCheck(ctx, args[1:], stdout, stderr)
	case "export":
		return runExport(ctx, args[1:], stdout, stderr)
	case "restore":
		return runRestore(ctx, args[1:], stdout, stderr)
	case "copy":
		return runCopy(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("unknown command %q: use serve, user add, backup, check, restore, copy, export or version", args[0])}
}

func runVersion(args []string, stdout io.Writer) error {
	fs := newFlags("version", "Prints the module version and the revision briefpack was built from, as far as the\n"+
		"build recorded them, and the database schema it writes. --version does the same.", stdout)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, version())
	return nil
}

// version says which briefpack this is: the module's version and the
// revision it was built from, as far as the build recorded them, and the
// database schema it writes, which decides what it opens (up to that
// schema) and what an older briefpack can no longer open once it migrated it.
func version() string {
	v := "briefpack"
	if bi, ok := debug.ReadBuildInfo(); ok {
		v += " " + bi.Main.Version
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision":
				v += ", revision " + s.Value
			case s.Key == "vcs.time":
				v += " of " + s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				v += ", modified"
			}
		}
	}
	return fmt.Sprintf("%s; writes database schema %d (opens 1 to %d, and migrates an older one when it opens it to write)",
		v, briefing.SchemaVersion(), briefing.SchemaVersion())
}

// newFlags returns a flag set that prints its help to stdout on --help and
// reports mistakes as usage errors, not on its own.
func newFlags(name, synopsis string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: briefpack %s\n\n%s\n", name, synopsis)
		flags := false
		fs.VisitAll(func(*flag.Flag) { flags = true })
		if flags { // version has none
			fmt.Fprint(stdout, "\nFlags:\n")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
		fmt.Fprint(stdout, "\nExit codes: 0 success, 1 failure, 2 bad usage.\n")
	}
	return fs
}

// parse parses flags: --help prints usage (exit 0), a mistake is a usage error.
// The flag package calls Usage on a mistake as well as on --help, so the help
// is held back while parsing and printed only when it was asked for.
func parse(fs *flag.FlagSet, args []string) error {
	help := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = help
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help()
			return err
		}
		return usageError{fmt.Sprintf("%s: %v (see briefpack %s --help)", fs.Name(), err, fs.Name())}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q (see briefpack %s --help)", fs.Name(), fs.Arg(0), fs.Name())}
	}
	// A database or file flag given empty names nothing: bad usage, not a
	// failure to open "".
	var empty string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "db", "from", "to", "out":
			if empty == "" && strings.TrimSpace(f.Value.String()) == "" {
				empty = f.Name
			}
		}
	})
	if empty != "" {
		return usageError{fmt.Sprintf("%s: --%s is required (see briefpack %s --help): it was given empty", fs.Name(), empty, fs.Name())}
	}
	if err := etcdAddresses(fs); err != nil {
		return err
	}
	return etcdOnly(fs)
}

// etcdAddresses refuses an etcd:// database (--db, --from, --to) whose
// address does not parse: a mistake in the command line, exit code 2, found
// before anything is opened, as a bad --format is. The address itself is
// not repeated: one with a password in it must not show it.
func etcdAddresses(fs *flag.FlagSet) error {
	for _, name := range []string{"db", "from", "to"} {
		f := fs.Lookup(name)
		if f == nil || !store.IsEtcdURL(f.Value.String()) {
			continue
		}
		if _, err := store.ParseEtcdURL(f.Value.String()); err != nil {
			return usageError{fmt.Sprintf("%s: --%s: %v", fs.Name(), name, err)}
		}
	}
	return nil
}

// etcdOnly refuses an --etcd-… flag given to a command none of whose
// databases (--db, --from, --to) is on etcd: a bbolt file would open
// without it, the flag silently ignored, when a mistyped address was the
// likelier mistake.
func etcdOnly(fs *flag.FlagSet) error {
	var given string
	fs.Visit(func(f *flag.Flag) {
		if given == "" && strings.HasPrefix(f.Name, "etcd-") && f.Value.String() != "" {
			given = f.Name
		}
	})
	if given == "" {
		return nil
	}
	var files []string
	for _, name := range []string{"db", "from", "to"} {
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if store.IsEtcdURL(f.Value.String()) {
			return nil
		}
		files = append(files, fmt.Sprintf("--%s %s", name, f.Value))
	}
	what := " is a bbolt file"
	if len(files) > 1 {
		what = " are bbolt files"
	}
	return usageError{fmt.Sprintf("%s: --%s applies only to an etcd:// database, and %s%s", fs.Name(), given, strings.Join(files, " and "), what)}
}

func required(fs *flag.FlagSet, names ...string) error {
	for _, n := range names {
		if fs.Lookup(n).Value.String() == "" {
			return usageError{fmt.Sprintf("%s: --%s is required (see briefpack %s --help)", fs.Name(), n, fs.Name())}
		}
	}
	return nil
}

// oneOf returns the word of words that v is, in any case, or "" if it is
// none: a flag that takes one of a few words takes it as --ceiling takes a
// marking, so that --format XLSX is not refused beside --ceiling secret.
func oneOf(v string, words ...string) string {
	for _, w := range words {
		if strings.EqualFold(strings.TrimSpace(v), w) {
			return w
		}
	}
	return ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
