package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/seeds"
	"briefpack/server"
	"briefpack/server/web"
	"briefpack/store"
)

// Main is a running briefpack server: Run opens the database and starts
// listening; Close shuts it down gracefully. The end-to-end tests drive it
// on 127.0.0.1:0 with the database in a temporary directory.
type Main struct {
	Addr            string
	DBPath          string // a bbolt file or an etcd address
	etcd            *etcdFlags
	Jurisdiction    string
	Demo            bool
	TrustProxy      bool
	TrustedProxies  string
	SecureCookies   bool
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
	// Out receives what a person starting the server reads: the address and demo logins.
	Out io.Writer

	DB     *store.DB
	Server *server.Server
	Logins []seeds.Login
	http   *http.Server
	ln     net.Listener
	served chan error
	// warming renders the stored paragraphs and makes the upcoming rounds'
	// freeze files ready in the background after a start; Close stops it
	// before the database closes.
	stopWarming func()
	warmed      chan struct{}
}

// NewMain returns a Main with the defaults of "briefpack serve".
func NewMain() *Main {
	return &Main{Addr: "127.0.0.1:8080", DBPath: "briefpack.db", ReadTimeout: 30 * time.Second,
		WriteTimeout: 2 * time.Minute, ShutdownTimeout: 30 * time.Second, Out: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// Run opens the database, loads the demo data if asked, and starts serving.
// It returns once the server is listening.
func (m *Main) Run(ctx context.Context) error {
	// What the flags say is checked before anything else: a mistake is bad
	// usage, refused before the database is created, migrated or loaded.
	proxies, err := parseProxies(m.TrustedProxies)
	if err != nil {
		return err
	}
	// Then the address: a busy port is found before anything is written.
	ln, err := net.Listen("tcp", m.Addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("listen on %s: %w: another program (perhaps another briefpack) listens there; stop it, or choose another with --addr", m.Addr, err)
	} else if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Addr, err)
	}
	m.ln = ln
	// --demo on a file of data that is not the demo's is refused before
	// the file is opened to write, which migrates one an older briefpack
	// wrote (and commits even on one at this schema).
	if m.Demo {
		if err := refuseNotDemoFile(ctx, m.DBPath); err != nil {
			ln.Close()
			return err
		}
	}
	var etcdFlags func(*store.EtcdConfig) error
	if m.etcd != nil {
		etcdFlags = m.etcd.apply
	}
	db, err := store.OpenAny(m.DBPath, m.Jurisdiction, etcdFlags)
	if err != nil {
		ln.Close()
		return err
	}
	m.DB = db
	db.OnSchemaMoved(func(found int) {
		m.Logger.Error(schemaMoved(m.DBPath, found, db.Schema()), "db", m.DBPath, "found_schema", found, "schema", db.Schema())
	})
	if from := db.MigratedFrom(); from != 0 {
		m.Logger.Warn(upgraded(m.DBPath, from, db.Schema()), "db", m.DBPath, "from_schema", from, "to_schema", db.Schema())
	}
	if m.Demo {
		if err := m.loadDemo(ctx); err != nil {
			ln.Close()
			m.DB.Close()
			return err
		}
	}
	// A request held waiting for news (who else has a sheet open) answers
	// well within the write timeout.
	wait := min(50*time.Second, m.WriteTimeout/2)
	m.Server, err = server.New(ctx, db, server.Config{Logger: m.Logger, TrustProxy: m.TrustProxy, TrustedProxies: proxies, SecureCookies: m.SecureCookies,
		LongestWait: wait}, web.Register)
	if err != nil {
		ln.Close()
		m.DB.Close()
		return err
	}
	if store.IsEtcdURL(m.DBPath) {
		m.Server.WhileServing("deleting what commits that did not happen left in etcd", sweepEvery(m.DB, time.Hour, m.Logger))
	}
	m.http = &http.Server{
		Handler:           m.Server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       m.ReadTimeout,
		WriteTimeout:      m.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20, // the server answers past server.MaxHeaderBytes itself, in the error shape
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.http.RegisterOnShutdown(m.Server.Drain) // the requests held waiting answer, and do not hold the shutdown
	m.served = make(chan error, 1)
	go func() { m.served <- m.http.Serve(m.ln) }()
	settings := m.Server.Settings()
	fmt.Fprintf(m.Out, "briefpack (%s, %s) serving %s on http://%s\n", settings.Jurisdiction, settings.Home, m.DBPath, m.ln.Addr())
	m.Logger.Info("serving", "addr", m.ln.Addr().String(), "db", m.DBPath, "jurisdiction", settings.Jurisdiction)
	// The paragraphs are rendered when saved and kept in memory: after a
	// start, render what is stored, and then make ready what the server
	// registered (see server.AfterStart), so the first packs are as quick
	// as later ones.
	wctx, stop := context.WithCancel(context.Background())
	m.stopWarming, m.warmed = stop, make(chan struct{})
	go func() {
		defer close(m.warmed)
		// A damaged page the store did not make an error ends this work,
		// logged, not the server.
		defer func() {
			if r := recover(); r != nil {
				m.Logger.Error("background work after the start stopped", "panic", r)
			}
		}()
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		start := time.Now()
		n, err := htmlpack.WarmStore(wctx, m.DB)
		if err != nil && wctx.Err() == nil {
			m.Logger.Warn("rendering the stored paragraphs", "err", err)
			return
		}
		m.Logger.Info("stored paragraphs rendered", "paragraphs", n, "took", time.Since(start).Round(time.Millisecond))
		// Then the packs the first requests would wait for (the freeze
		// files of the upcoming rounds).
		if err := m.Server.Warm(wctx); err != nil && wctx.Err() == nil {
			m.Logger.Warn("making ready after the start", "err", err)
		}
		// And then keep them ready as the store changes, until Close.
		m.Server.Watch(wctx)
	}()
	return nil
}

// upgraded is the line that tells the person who opened a database that
// this briefpack migrated it, which an older one can then no longer open.
func upgraded(db string, from, to int) string {
	return fmt.Sprintf("upgraded the database %s from schema %d to schema %d: an older briefpack can no longer open it "+
		"(back up before upgrading: briefpack backup, run before the new briefpack's first serve or user add, keeps the old schema)", db, from, to)
}

// schemaMoved is the line that tells the operator that a newer briefpack
// migrated the database this server serves (etcd: several servers share
// it), so that this one stopped: it would write records of its older schema
// into it, and judge clearance by its older rules reading it.
func schemaMoved(db string, found, schema int) string {
	what := fmt.Sprintf("was upgraded to schema %d by a newer briefpack", found)
	if found < 0 {
		what = "no longer holds a schema version (was its prefix deleted?)"
	}
	return fmt.Sprintf("the database %s %s while this server (schema %d) served it: it now answers every request 503 and writes nothing; "+
		"stop it and start the new version in its place", db, what, schema)
}

// parseProxies reads --trusted-proxies: CIDR[,CIDR…], commas or spaces
// between; one that is not an address range is bad usage.
func parseProxies(list string) ([]*net.IPNet, error) {
	var proxies []*net.IPNet
	for _, cidr := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return nil, usageError{"serve: --trusted-proxies: " + cidr + " is not an address range such as 10.0.0.0/8"}
		}
		proxies = append(proxies, n)
	}
	return proxies, nil
}

// sweepEvery deletes what commits that did not happen left in an etcd
// database (store.DB.Sweep), a minute after the start and then every
// interval: a lost answer to a freeze's commit leaves its files' chunks,
// tens of megabytes of the cluster's quota, which nothing else would
// delete. Every server sweeps; what one deletes, another finds gone.
func sweepEvery(db *store.DB, interval time.Duration, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		wait := time.Minute
		for {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return nil
			}
			wait = interval
			s, err := db.Sweep(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("deleting what commits that did not happen left in etcd", "err", err)
			case s != store.Swept{}:
				log.Info("deleted what commits that did not happen left in etcd",
					"values", s.Values, "chunks", s.Chunks, "journals", s.Journals)
			}
		}
	}
}

// URL returns the server's base URL.
func (m *Main) URL() string { return "http://" + m.ln.Addr().String() }

// Wait blocks until the server stops serving on its own.
func (m *Main) Wait() error { return <-m.served }

// Close stops accepting, lets requests in flight finish (up to the shutdown
// timeout), then closes the database.
func (m *Main) Close() error {
	var err error
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.ShutdownTimeout)
		defer cancel()
		if err = m.http.Shutdown(ctx); err != nil {
			err = fmt.Errorf("shutdown: %w", err)
		}
	}
	if m.stopWarming != nil {
		m.stopWarming()
		<-m.warmed
	}
	if m.DB != nil {
		if cerr := m.DB.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return err
}

// loadDemo loads the embedded demo data into an empty database; on a
// database that holds it already, it prints the logins kept beside it, and
// a new password for each demo account whose kept one no longer signs it
// in, so there is always a login to print; an account an administrator
// disabled is printed as such and left disabled.
func (m *Main) loadDemo(ctx context.Context) error {
	file := m.DBPath + ".logins"
	if store.IsEtcdURL(m.DBPath) {
		// Beside an etcd database is the working directory.
		_, prefix, _ := strings.Cut(strings.SplitN(m.DBPath, "://", 2)[1], "/")
		file = "briefpack-etcd-" + strings.NewReplacer("/", "-", ":", "-").Replace(strings.Trim(prefix, "/")) + ".logins"
	}
	logins, err := seeds.Load(ctx, m.DB, server.HashPassword)
	if briefing.ErrorCode(err) == briefing.ECONFLICT {
		if err := refuseNotDemo(ctx, m.DB, m.DBPath); err != nil {
			return err
		}
		// The same database keeps the same logins: each account keeps the
		// password kept beside it while it signs in with it, and only one
		// that no longer does gets a new one.
		kept := keptPasswords(file)
		logins, err = seeds.ResetLogins(ctx, m.DB, server.HashPassword, func(u *briefing.User) string {
			if pw := kept[u.Name]; pw != "" && server.VerifyPassword(u.PasswordHash, pw) {
				return pw
			}
			return ""
		})
	}
	if err != nil {
		return err
	}
	sort.SliceStable(logins, func(i, j int) bool { return logins[i].Role.Rank() < logins[j].Role.Rank() })
	m.Logins = logins
	var b strings.Builder
	for _, l := range logins {
		pw := l.Password
		if l.Disabled {
			pw = disabledLogin
		}
		fmt.Fprintf(&b, "  %-12s %-24s %-12s %s\n", l.Name, pw, l.Role, l.Clearance)
	}
	// Written anew and renamed over the kept file: os.WriteFile would keep
	// the mode of a file that is there, one another user may read.
	tmp, _, err := writePartial(file, func(w io.Writer) (int64, error) { return io.Copy(w, strings.NewReader(b.String())) })
	if err == nil {
		if err = os.Rename(tmp, file); err != nil {
			os.Remove(tmp)
		}
	}
	if err != nil {
		return fmt.Errorf("keep the demo logins in %s: %w", file, err)
	}
	fmt.Fprintf(m.Out, "Demo logins (name / password, role, clearance), kept in %s for the next start:\n%s", file, b.String())
	return nil
}

// refuseNotDemo refuses a database, st (db on the command line), that
// holds data that is not the demo's: --demo would add demo accounts to it,
// with their passwords printed. It only reads.
func refuseNotDemo(ctx context.Context, st briefing.Store, db string) error {
	what, err := seeds.Holds(ctx, st)
	if err != nil || what == "" {
		return err
	}
	demo, err := seeds.IsDemo(ctx, st)
	if err != nil {
		return err
	}
	if !demo {
		return fmt.Errorf("%s holds data that is not the demo's: --demo is for a new database (choose another --db)", db)
	}
	return nil
}

// refuseNotDemoFile is refuseNotDemo for an existing database file, opened
// to read only: one an older briefpack wrote through a private copy migrated
// to this schema, as export reads it, so that a refused start leaves the
// file as it was. A file that does not exist or does not open to read (but
// for one in use), and an etcd database, are left to the open that follows,
// in its words.
func refuseNotDemoFile(ctx context.Context, db string) error {
	if store.IsEtcdURL(db) {
		return nil
	}
	if _, err := os.Lstat(db); err != nil {
		return nil
	}
	ro, err := store.OpenReadOnly(db)
	if errors.Is(err, store.ErrInUse) {
		return err // the open that follows would wait for the lock again
	} else if err != nil {
		return nil
	}
	defer ro.Close()
	st := ro
	if ro.Schema() != briefing.SchemaVersion() {
		if st, err = ro.MigratedCopy(); err != nil {
			return err
		}
		defer st.Close()
	}
	return refuseNotDemo(ctx, st, db)
}

// disabledLogin stands in the password's column for a demo account an
// administrator disabled: it cannot sign in, and a restart leaves it so.
const disabledLogin = "(disabled by an admin)"

// keptPasswords reads the demo passwords kept beside a database, by name:
// none when there is no such file.
func keptPasswords(file string) map[string]string {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	kept := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			kept[f[0]] = f[1]
		}
	}
	return kept
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	m := NewMain()
	fs := newFlags("serve", "Serves briefpack's web pages and JSON API. The first command that creates the\n"+
		"database fixes its jurisdiction. Stops gracefully on SIGTERM or Ctrl-C.", stdout)
	fs.StringVar(&m.Addr, "addr", m.Addr, "address to listen on (host:port)")
	fs.StringVar(&m.DBPath, "db", m.DBPath, dbHelpCreate)
	m.etcd = addEtcdFlags(fs)
	fs.StringVar(&m.Jurisdiction, "jurisdiction", "", "nz or au: markings, grounds and Act of a new database (default nz)")
	fs.BoolVar(&m.Demo, "demo", false, "load the demo data into an empty database (or reuse a demo one) and print a login for each role;\n"+
		"kept in a .logins file (DB.logins for a file), a restart prints the same ones (a new one only for an account whose kept one\n"+
		"no longer signs in; an account an admin disabled stays disabled, printed so, without a password)")
	fs.BoolVar(&m.TrustProxy, "trust-proxy", false, "take the client address from X-Forwarded-For (only behind your own reverse proxy)")
	fs.StringVar(&m.TrustedProxies, "trusted-proxies", "", "with --trust-proxy: the proxies' addresses, CIDR[,CIDR…] (loopback is always trusted);\n"+
		"the client is the rightmost X-Forwarded-For address that is not one of them")
	fs.BoolVar(&m.SecureCookies, "secure-cookies", false, "mark the session cookie Secure (behind a TLS-terminating proxy)")
	fs.DurationVar(&m.ReadTimeout, "read-timeout", m.ReadTimeout, "longest time to read a request")
	fs.DurationVar(&m.WriteTimeout, "write-timeout", m.WriteTimeout, "longest time to write a response")
	fs.DurationVar(&m.ShutdownTimeout, "shutdown-timeout", m.ShutdownTimeout, "longest wait for requests in flight at shutdown")
	logFormat := fs.String("log", "text", "log format on standard error: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if m.Jurisdiction != "" {
		if m.Jurisdiction = oneOf(m.Jurisdiction, briefing.Jurisdictions...); m.Jurisdiction == "" {
			return usageError{"serve: --jurisdiction must be nz or au"}
		}
	}
	for _, t := range []struct {
		flag string
		d    time.Duration
	}{{"read-timeout", m.ReadTimeout}, {"write-timeout", m.WriteTimeout}, {"shutdown-timeout", m.ShutdownTimeout}} {
		if t.d <= 0 { // the server's own zero would be no bound at all
			return usageError{fmt.Sprintf("serve: --%s must be a positive duration such as 30s", t.flag)}
		}
	}
	if m.TrustedProxies != "" && !m.TrustProxy {
		return usageError{"serve: --trusted-proxies applies only with --trust-proxy"}
	}
	switch oneOf(*logFormat, "text", "json") {
	case "text":
		m.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	case "json":
		m.Logger = slog.New(slog.NewJSONHandler(stderr, nil))
	default:
		return usageError{"serve: --log must be text or json"}
	}
	m.Out = stdout
	if err := m.Run(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		m.Logger.Info("shutting down: finishing requests in flight")
	case err := <-m.served:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Close()
			return err
		}
	}
	if err := m.Close(); err != nil {
		return err
	}
	m.Logger.Info("stopped")
	return nil
}

// message is an error as one line for a person at a terminal.
func message(err error) string {
	var e *briefing.Error
	// The store's words for a cluster that stopped answering are a web
	// page's (a save under way, reload to see): a command says its own.
	if errors.Is(err, store.ErrSchemaMoved) {
		return "a newer briefpack upgraded the database while this command ran: run the new version"
	}
	// A cluster that compacted what the command read answers all the same:
	// it is not down, and the command may be run again.
	if errors.Is(err, store.ErrCompacted) {
		return "etcd compacted the revision this command was reading before it finished (check, backup and copy start again at the latest " +
			"revision, three times at most): the cluster keeps less history than reading the whole database takes; run it again, " +
			"or keep more (etcd's --auto-compaction-retention)"
	}
	if briefing.ErrorCode(err) == briefing.EUNAVAILABLE {
		return "the database (etcd) stopped answering in time: is the cluster running, with a quorum? Try again in a moment"
	}
	if errors.As(err, &e) {
		msg := e.Message
		var fields []string
		for k, v := range e.Fields {
			if !strings.Contains(msg, v) {
				fields = append(fields, k+" "+v)
			}
		}
		sort.Strings(fields)
		if len(fields) > 0 {
			msg += ": " + strings.Join(fields, "; ")
		}
		return msg
	}
	return err.Error()
}
