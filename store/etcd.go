package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"briefpack/briefing"
)

// An etcd database keeps the same buckets as a bbolt file, as keys under a
// prefix (by default "briefpack/"):
//
//	rev                     the write token: every commit puts it, and
//	                        compares its mod revision with the one its
//	                        transaction started from
//	n/<bucket>              the bucket exists
//	q/<bucket>              the bucket's sequence (8 bytes)
//	b/<bucket> 0 <key>      a value: a tag byte, then the value, or a
//	                        manifest of its chunks
//	c/<bucket> 0 <len> <key> <gen> <i>   the chunks of a value too large
//	                        for one etcd request
//	j/<gen> <i>             a commit too large for one etcd transaction,
//	                        while it is applied (see commitJournal)
//	t 0 <lease>             a server's turn to write, held or waited for,
//	                        on a lease (see etcdWriter)
//
// Keys of any other shape under the prefix are not the database's: those
// of another database whose prefix lies inside this one's, from before such
// prefixes were refused (see etcdprefix.go). The schema version, in the meta
// bucket, is read with the write token and compared by every commit (see
// etcdschema.go).
//
// A transaction reads the store as it stood at one etcd revision, the one
// at which it read the write token; a write transaction commits only if no
// other commit came between (nor a turn, see etcdturn.go), so writers are
// serialised as bbolt's are, and the one that loses runs again (errRetry)
// against the newer data, in a turn of its own once it has lost a few.

const (
	tagInline  = 0
	tagChunked = 1
	// chunkSize is the largest value kept in one key; etcd refuses
	// requests over 1.5 MiB unless told otherwise.
	chunkSize = 1 << 20
	// maxTxnOps and maxTxnBytes bound one etcd transaction, under etcd's
	// defaults of 128 operations and 1.5 MiB.
	maxTxnOps   = 120
	maxTxnBytes = 1 << 20
	// pageSize is how many keys a request's cursor reads from etcd at a
	// time (a scan's, see scanLimit).
	pageSize = 64
)

// EtcdConfig is how to reach an etcd cluster. Passwords and keys are never
// written to logs or messages.
type EtcdConfig struct {
	Endpoints []string
	Prefix    string // key prefix, "briefpack/" when empty
	Username  string
	Password  string
	// CertFile and KeyFile are a TLS client certificate; CAFile the
	// authority the servers' certificates are checked against. Any of them
	// set means the cluster is reached over TLS.
	CertFile, KeyFile, CAFile string
	DialTimeout               time.Duration
	// RequestTimeout bounds each request to the cluster; 15 s when zero.
	RequestTimeout time.Duration
	// MustExist refuses a prefix that holds no database instead of
	// creating one there: for a command that reads a database, to which a
	// mistyped prefix would otherwise be a new, empty one.
	MustExist bool
	// ReadOnly opens the database to read it and never write it: not to
	// migrate it, not to add a bucket (see OpenReadOnly). A large commit
	// another server left half applied is still finished, as every reader
	// finishes it. Nor does it keep the values it reads, nor watch the
	// database's keys to keep them true (see valueCache): a command that
	// reads the whole database reads it once, at one revision (a scan),
	// and a watch gave it every value the servers wrote while it ran.
	ReadOnly bool

	// dialOptions are more of the client's, for tests to see the requests
	// sent.
	dialOptions []grpc.DialOption
}

// ParseEtcdURL reads "etcd://host:port[,host:port…][/prefix]". The user name
// and password, and TLS files, come from the environment
// (BRIEFPACK_ETCD_USER, BRIEFPACK_ETCD_PASSWORD, BRIEFPACK_ETCD_CERT,
// BRIEFPACK_ETCD_KEY, BRIEFPACK_ETCD_CA) unless set on the config after.
// "etcds://" is the same over TLS with the system's authorities.
func ParseEtcdURL(s string) (EtcdConfig, error) {
	var c EtcdConfig
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (scheme != "etcd" && scheme != "etcds") {
		return c, fmt.Errorf("%q is not an etcd address (etcd://host:port[,host:port…])", redactURL(s))
	}
	if strings.Contains(rest, "@") {
		return c, errors.New("an etcd address carries no user or password: give --etcd-user with --etcd-password-file, or set BRIEFPACK_ETCD_USER and BRIEFPACK_ETCD_PASSWORD")
	}
	hosts, prefix, _ := strings.Cut(rest, "/")
	for _, h := range strings.Split(hosts, ",") {
		if h == "" {
			continue
		}
		u, err := url.Parse("http://" + h)
		if err != nil || u.Port() == "" || u.Hostname() == "" {
			return c, fmt.Errorf("etcd endpoint %q is not host:port", h)
		}
		proto := "http://"
		if scheme == "etcds" {
			proto = "https://"
		}
		c.Endpoints = append(c.Endpoints, proto+h)
	}
	if len(c.Endpoints) == 0 {
		return c, fmt.Errorf("%q names no etcd endpoint", s)
	}
	if prefix != "" {
		c.Prefix = strings.TrimSuffix(prefix, "/") + "/"
	}
	c.Username = os.Getenv("BRIEFPACK_ETCD_USER")
	c.Password = os.Getenv("BRIEFPACK_ETCD_PASSWORD")
	c.CertFile = os.Getenv("BRIEFPACK_ETCD_CERT")
	c.KeyFile = os.Getenv("BRIEFPACK_ETCD_KEY")
	c.CAFile = os.Getenv("BRIEFPACK_ETCD_CA")
	return c, nil
}

// IsEtcdURL tells a database named by an etcd address from a file.
func IsEtcdURL(s string) bool {
	return strings.HasPrefix(s, "etcd://") || strings.HasPrefix(s, "etcds://")
}

// redactURL drops anything before an "@" of an address, for messages.
func redactURL(s string) string {
	if i := strings.LastIndex(s, "@"); i >= 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "…" + s[i:]
		}
	}
	return s
}

// credentials refuses a user without a password, or a password without a
// user: the client sends a user only with its password, so either alone
// was dropped and the cluster reached as nobody in particular, silently.
func (c EtcdConfig) credentials() error {
	if c.Username != "" && c.Password == "" {
		return fmt.Errorf("etcd user %s: give its password too (--etcd-password-file, or BRIEFPACK_ETCD_PASSWORD)", c.Username)
	}
	if c.Password != "" && c.Username == "" {
		return errors.New("an etcd password: give its user too (--etcd-user, or BRIEFPACK_ETCD_USER)")
	}
	return nil
}

func (c EtcdConfig) tls() (*tls.Config, error) {
	tlsOn := c.CertFile != "" || c.KeyFile != "" || c.CAFile != ""
	for _, e := range c.Endpoints {
		tlsOn = tlsOn || strings.HasPrefix(e, "https://")
	}
	if !tlsOn {
		return nil, nil
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	// A certificate is one of a pair: the file missing is named by its flag.
	if c.CertFile != "" && c.KeyFile == "" {
		return nil, fmt.Errorf("etcd client certificate %s: give its private key too (--etcd-key, or BRIEFPACK_ETCD_KEY)", c.CertFile)
	}
	if c.KeyFile != "" && c.CertFile == "" {
		return nil, fmt.Errorf("etcd client key %s: give its certificate too (--etcd-cert, or BRIEFPACK_ETCD_CERT)", c.KeyFile)
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("etcd client certificate: %w", err)
		}
		t.Certificates = []tls.Certificate{cert}
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("etcd certificate authority: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("etcd certificate authority %s holds no certificate", c.CAFile)
		}
		t.RootCAs = pool
	}
	return t, nil
}

// etcdKV is a database on an etcd cluster.
type etcdKV struct {
	cli    *clientv3.Client
	prefix string
	desc   string

	// writeLock lets one write of this process run at a time, all its
	// tries included, so that this server's writers queue as they would on
	// a bbolt file instead of retrying against each other; other servers'
	// are met by the compare, and take turns (see etcdWriter). A channel of
	// one, not a mutex, so that a write waiting for it keeps its deadline
	// while the one holding it waits for another server's turn.
	writeLock chan struct{}

	bucketsMu sync.Mutex
	buckets   map[string]bool // buckets known to exist: they are never removed

	leaseMu   sync.Mutex
	turnLease *turnLease // of this server's turns, once it has taken one

	// reads and txns count the requests made, and written the bytes put,
	// for benchmarks.
	reads, txns, written atomic.Int64

	// cache is nil in a database opened to read only, which starts no
	// watch: stopWatch is nil then.
	cache        *valueCache
	presence     presenceHub   // woken by the watch (see presenceHub)
	schema       schemaWatch   // see readToken
	timeout      time.Duration // of each request
	stopWatch    context.CancelFunc
	watchStopped chan struct{}
	// watched counts the watch responses applied, for tests.
	watched atomic.Int64
}

// EtcdRequests returns how many reads and transactions the database has
// sent to etcd, and the bytes of keys and values it has put; zero for a
// bbolt file.
func (db *DB) EtcdRequests() (reads, txns, written int64) {
	if k, ok := db.kv.(*etcdKV); ok {
		return k.reads.Load(), k.txns.Load(), k.written.Load()
	}
	return 0, 0, 0
}

// OpenEtcd opens, or creates, the database on the cluster c names; see Open
// for jurisdiction.
func OpenEtcd(c EtcdConfig, jurisdiction string) (*DB, error) {
	k, err := dialEtcd(c)
	if err != nil {
		return nil, err
	}
	db := &DB{kv: k, path: k.desc, Now: time.Now, readOnly: c.ReadOnly}
	if !c.ReadOnly {
		db.group = &groupCommit{db: db}
	}
	start := func() error {
		ctx, cancel := k.bounded(context.Background())
		defer cancel()
		if err := k.refuseShared(ctx); err != nil {
			return err
		}
		return db.init(jurisdiction)
	}
	if c.ReadOnly {
		// A database laid out inside another's, or holding one, is still
		// read (checked, backed up, copied elsewhere): it reads only its own.
		start = db.initReadOnly
	}
	if err := start(); err != nil {
		_ = k.close()
		return nil, err
	}
	k.schema.opened.Store(int64(db.schema))
	return db, nil
}

func dialEtcd(c EtcdConfig) (*etcdKV, error) {
	if err := c.credentials(); err != nil {
		return nil, err
	}
	t, err := c.tls()
	if err != nil {
		return nil, err
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 5 * time.Second
	}
	if c.Prefix == "" {
		c.Prefix = "briefpack/"
	}
	// The database's name is an address ParseEtcdURL reads back, TLS and all.
	scheme := "etcd://"
	if t != nil {
		scheme = "etcds://"
	}
	desc := scheme + strings.Join(trimScheme(c.Endpoints), ",") + "/" + strings.TrimSuffix(c.Prefix, "/")
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints, DialTimeout: c.DialTimeout, TLS: t,
		Username: c.Username, Password: c.Password, Logger: zap.NewNop(),
		MaxCallSendMsgSize: 2 << 20, MaxCallRecvMsgSize: 256 << 20, DialOptions: c.dialOptions})
	if err != nil {
		return nil, dialError(c, desc, err)
	}
	// Reach the cluster now, so that a wrong address fails here and not on
	// the first request.
	ctx, cancel := context.WithTimeout(context.Background(), c.DialTimeout)
	defer cancel()
	resp, err := cli.Get(ctx, c.Prefix+"rev")
	if err != nil {
		_ = cli.Close()
		return nil, dialError(c, desc, err)
	}
	if c.MustExist && len(resp.Kvs) == 0 {
		// Every database written once has its write token.
		_ = cli.Close()
		return nil, fmt.Errorf("database %s: no briefpack database is kept under that prefix (check the address and the prefix)", desc)
	}
	k := &etcdKV{cli: cli, prefix: c.Prefix, desc: desc, buckets: map[string]bool{}, writeLock: make(chan struct{}, 1), timeout: c.RequestTimeout}
	if k.timeout <= 0 {
		k.timeout = defaultRequestTimeout
	}
	if c.ReadOnly {
		return k, nil
	}
	k.cache, k.watchStopped = newValueCache(c.Prefix+"b/"), make(chan struct{})
	wctx, stop := context.WithCancel(context.Background())
	k.stopWatch = stop
	go func() {
		defer close(k.watchStopped)
		k.watch(wctx)
	}()
	return k, nil
}

func trimScheme(es []string) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = strings.TrimPrefix(strings.TrimPrefix(e, "http://"), "https://")
	}
	return out
}

// unavailable is a cluster that did not answer in time.
func unavailable(err error) error {
	return fmt.Errorf("%w (%v)", &briefing.Error{Code: briefing.EUNAVAILABLE, Message: "the database (etcd) did not answer in time; try again in a moment " +
		"(a save that was under way may or may not have been kept: reload to see)"}, err)
}

// full is a cluster that has reached its space quota: it takes no write
// (the whole transaction is refused) until an operator frees space.
func full(err error) error {
	return fmt.Errorf("%w (%w: %v)", &briefing.Error{Code: briefing.EUNAVAILABLE, Message: "the database (etcd) is full, and nothing was saved: " +
		"an administrator must compact and defragment it, or raise its quota, then disarm its alarm (README, \"etcd\")"}, briefing.ErrStoreFull, err)
}

// ErrCompacted is a read of a revision etcd compacted meanwhile: the
// reading may start again, and reads the data as it is by then. It is
// briefing.ErrMovedOn too, as the server, which knows no etcd, asks.
var ErrCompacted = fmt.Errorf("etcd compacted the revision being read: %w", briefing.ErrMovedOn)

// compacted is a read whose revision etcd compacted away meanwhile: the
// request may be sent again, and reads the data as it is by then.
func compacted(err error) error {
	return fmt.Errorf("%w (%w: %v)", &briefing.Error{Code: briefing.EUNAVAILABLE, Message: "the database moved on while this request read it " +
		"(etcd compacted the revision it was reading at): send it again"}, ErrCompacted, err)
}

// dialError is a cluster not reached when a database on it is opened, at
// the start of a command or a server: a cluster that did not answer is told
// to the person who gave its address, not as a request's unavailable, which
// speaks of a save under way and of reloading a page.
func dialError(c EtcdConfig, desc string, err error) error {
	err = etcdError(err)
	if briefing.ErrorCode(err) == briefing.EUNAVAILABLE {
		return fmt.Errorf("etcd at %s did not answer within %s: is it running, and is the endpoint right?",
			strings.Join(trimScheme(c.Endpoints), ","), c.DialTimeout)
	}
	return fmt.Errorf("open database %s: %w", desc, err)
}

// etcdError makes the client's errors read as sentences.
func etcdError(err error) error {
	ev := rpctypes.Error(err)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || status.Code(err) == codes.Unavailable || status.Code(err) == codes.DeadlineExceeded ||
		// A member that lost its quorum answers a read it cannot serve in
		// time with its own deadline, as a status of code Unknown.
		status.Code(err) == codes.Unknown && status.Convert(err).Message() == context.DeadlineExceeded.Error() ||
		errors.Is(ev, rpctypes.ErrNoLeader) || errors.Is(ev, rpctypes.ErrTimeout) || errors.Is(ev, rpctypes.ErrTimeoutDueToLeaderFail) ||
		errors.Is(ev, rpctypes.ErrTimeoutDueToConnectionLost) || errors.Is(ev, rpctypes.ErrLeaderChanged):
		return unavailable(err)
	case errors.Is(ev, rpctypes.ErrNoSpace) || errors.Is(err, rpctypes.ErrNoSpace):
		return full(err)
	case errors.Is(ev, rpctypes.ErrAuthFailed) || errors.Is(err, rpctypes.ErrAuthFailed):
		return errors.New("etcd refused the user name or password")
	case errors.Is(ev, rpctypes.ErrPermissionDenied) || errors.Is(err, rpctypes.ErrPermissionDenied):
		return errors.New("etcd refused access to briefpack's keys for this user")
	}
	return err
}

func (k *etcdKV) close() error {
	k.dropLease(nil, true)
	if k.stopWatch != nil {
		k.stopWatch()
		<-k.watchStopped
	}
	return k.cli.Close()
}

func (k *etcdKV) revKey() string               { return k.prefix + "rev" }
func (k *etcdKV) bucketKey(name []byte) string { return k.prefix + "n/" + string(name) }
func (k *etcdKV) seqKey(name []byte) string    { return k.prefix + "q/" + string(name) }
func (k *etcdKV) dataPrefix(name []byte) string {
	return k.prefix + "b/" + string(name) + "\x00"
}

// chunkPrefix is where the chunks of one value are kept: the key's length
// first, so that no key's chunks fall in another's range.
func (k *etcdKV) chunkPrefix(bucket, key []byte) string {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(key)))
	return k.prefix + "c/" + string(bucket) + "\x00" + string(n[:]) + string(key)
}

func chunkKey(prefix string, gen uint64, i int) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(i))
	return genPrefix(prefix, gen) + string(b[:])
}

// prefixEnd is the first key after every key that starts with p.
func prefixEnd(p string) string { return clientv3.GetPrefixRangeEnd(p) }

const journalMark = "journal "

// errJournalUnwritten is a large commit whose journal could not be
// written whole: nothing names it, so nothing of the commit happened.
var errJournalUnwritten = errors.New("the journal was not written")

// journalPrefix is where the journal of generation gen is kept, in parts.
func (k *etcdKV) journalPrefix(gen uint64) string { return fmt.Sprintf("%sj/%016x/", k.prefix, gen) }

// parseJournalMark reads the write token that names a journal: its
// generation and how many parts it has.
func parseJournalMark(mark string) (gen uint64, parts int, err error) {
	if _, err := fmt.Sscanf(strings.TrimPrefix(mark, journalMark), "%016x %d", &gen, &parts); err != nil {
		return 0, 0, fmt.Errorf("store: bad journal mark %q", mark)
	}
	return gen, parts, nil
}

// defaultRequestTimeout bounds one request to etcd, so that a cluster that
// has lost its quorum fails a request with an error (EUNAVAILABLE) instead
// of holding it; a commit that times out may have been applied, which a
// retried save with its If-Match finds out (412).
const defaultRequestTimeout = 15 * time.Second

// journalStall is how long a large commit may make no progress before
// another server finishes it.
var journalStall = 3 * time.Second

// journalProgress is the key, under a journal's prefix, that each part of
// it applied puts.
const journalProgress = "progress"

func (k *etcdKV) begin(ctx context.Context, writable bool) (kvTxn, error) {
	var w *etcdWriter
	if writable {
		var err error
		if w, err = k.writerOf(ctx); err != nil {
			return nil, err
		}
		if err := w.ready(ctx); err != nil {
			w.txEnded()
			return nil, err
		}
	}
	// A request's pinned revision serves its writes too: the commit's
	// compare finds out whether anything was committed since, and then the
	// pin is let go and the write runs again from the latest revision.
	var scan *scanState
	if !writable && isScan(ctx) {
		scan = newScanState()
	}
	pin := briefing.ReadPinOf(ctx)
	if pin != nil {
		if rev, revMod, ok := pin.Get(); ok {
			return &etcdTx{kv: k, ctx: ctx, rev: rev, revMod: revMod, pin: pin, writable: writable, w: w, scan: scan}, nil
		}
	}
	for {
		k.reads.Add(1)
		octx, cancel := context.WithTimeout(ctx, k.timeout)
		resp, err := k.readToken(octx)
		cancel()
		if err != nil {
			if writable {
				w.txEnded()
			}
			return nil, fmt.Errorf("store: begin: %w", etcdError(err))
		}
		tx := &etcdTx{kv: k, ctx: ctx, rev: resp.Header.Revision, writable: writable, w: w, scan: scan}
		if len(resp.Kvs) == 1 {
			tx.revMod = resp.Kvs[0].ModRevision
			if v := string(resp.Kvs[0].Value); strings.HasPrefix(v, journalMark) {
				// A large commit is being applied: wait for it, or finish
				// it for a server that died applying it.
				if err := k.awaitJournal(ctx, v, resp.Kvs[0].ModRevision); err != nil {
					if writable {
						w.txEnded()
					}
					return nil, err
				}
				continue
			}
		}
		if pin != nil {
			tx.pin = pin
			if !writable {
				pin.Set(tx.rev, tx.revMod)
			}
		}
		return tx, nil
	}
}

// etcdTx is a transaction: reads at rev; writes kept here until Commit.
type etcdTx struct {
	kv       *etcdKV
	ctx      context.Context
	rev      int64 // the revision every read is made at
	revMod   int64 // the write token's mod revision then, 0 if none
	writable bool
	done     bool
	pin      *briefing.ReadPin // the request's, if any
	w        *etcdWriter       // a write transaction's write
	scan     *scanState        // a scan's (see scanning), nil for any other

	newBuckets []string
	seqs       map[string]uint64 // sequences read or set
	seqDirty   map[string]bool
	writes     map[string]map[string]*[]byte // bucket → key → value; nil is a delete
	reads      map[string][]byte             // values read, by etcd key
	fetched    map[string]cached             // raw values read ahead (prefetch), by etcd key
	err        error                         // the first failure of a read, returned at Commit
}

func (t *etcdTx) failure() error { return t.err }

func (t *etcdTx) fail(err error) {
	if t.err == nil {
		t.err = err
	}
}

// get reads one etcd key at the transaction's revision.
func (t *etcdTx) get(key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	if t.err != nil {
		return nil, t.err
	}
	resp, err := t.read(key, opts...)
	if err != nil {
		if errors.Is(err, rpctypes.ErrCompacted) {
			// etcd dropped the revision this transaction reads at: a write
			// transaction runs again at a newer one. A read runs nowhere
			// again (a request reads at one revision throughout, to see
			// one moment of the data), and errRetry, which only a write
			// takes, was answered 500 as "another server wrote first".
			if t.pin != nil {
				t.pin.Clear()
			}
			if !t.writable {
				return nil, compacted(err)
			}
			return nil, errRetry
		}
		return nil, fmt.Errorf("store: read: %w", etcdError(err))
	}
	return resp, nil
}

// read reads one etcd key at the transaction's revision, and may be
// called side by side (prefetch); get makes its errors the transaction's.
func (t *etcdTx) read(key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	t.kv.reads.Add(1)
	// A read at a revision the cluster has committed needs no consensus:
	// any member that has applied it answers alone (serializable). One that
	// has not yet is asked again through the leader.
	ctx, cancel := context.WithTimeout(t.ctx, t.kv.timeout)
	defer cancel()
	resp, err := t.kv.cli.Get(ctx, key, append(opts, clientv3.WithRev(t.rev), clientv3.WithSerializable())...)
	if err != nil && errors.Is(err, rpctypes.ErrFutureRev) {
		resp, err = t.kv.cli.Get(ctx, key, append(opts, clientv3.WithRev(t.rev))...)
	}
	return resp, err
}

// getValue reads one key's stored value (nil when absent) as of the
// transaction's start, from the server's cache when it holds it.
func (t *etcdTx) getValue(key string) ([]byte, error) {
	if t.scan != nil {
		// A scan reads each key once: the server's cache would only
		// hold, and drop for it, what its requests read.
		return t.getUnkept(key)
	}
	if v, ok := t.fetched[key]; ok {
		return v.raw, nil
	}
	c := t.kv.cache
	if v, ok := c.get(key, t.revMod); ok {
		return v.raw, nil
	}
	resp, err := t.get(key)
	if err != nil {
		return nil, err
	}
	v := cachedOf(resp)
	c.put(key, v, t.rev)
	return v.raw, nil
}

// cachedOf is what a read of one key found, to keep: its value and mod
// revision, or absent.
func cachedOf(resp *clientv3.GetResponse) cached {
	if len(resp.Kvs) == 1 {
		return cached{raw: resp.Kvs[0].Value, mod: resp.Kvs[0].ModRevision}
	}
	return cached{}
}

// getUnkept reads one key at the transaction's revision without keeping it
// in the server's cache: a scan's key, read once, and a chunk of a large
// value (a frozen file, a release), which what serves it keeps once,
// decoded, if it keeps it at all (the API's cache of frozen files): kept
// here as well, it was held twice. A chunk never changes (a value written
// again gets chunks of a new generation), so no kept value is needed to
// read it as of the transaction.
func (t *etcdTx) getUnkept(key string) ([]byte, error) {
	resp, err := t.get(key)
	if err != nil || len(resp.Kvs) == 0 {
		return nil, err
	}
	return resp.Kvs[0].Value, nil
}

func (t *etcdTx) Bucket(name []byte) kvBucket {
	k := t.kv
	k.bucketsMu.Lock()
	known := k.buckets[string(name)]
	k.bucketsMu.Unlock()
	if !known && !slices.Contains(t.newBuckets, string(name)) {
		resp, err := t.get(k.bucketKey(name))
		if err != nil {
			// An empty bucket stands in; the failure is the transaction's.
			t.fail(err)
			return &etcdBucket{tx: t, name: append([]byte(nil), name...)}
		}
		if len(resp.Kvs) == 0 {
			return nil
		}
		k.bucketsMu.Lock()
		k.buckets[string(name)] = true
		k.bucketsMu.Unlock()
	}
	return &etcdBucket{tx: t, name: append([]byte(nil), name...)}
}

func (t *etcdTx) CreateBucketIfNotExists(name []byte) (kvBucket, error) {
	if b := t.Bucket(name); b != nil {
		return b, nil
	}
	if t.err != nil {
		return nil, t.err
	}
	if !t.writable {
		return nil, errors.New("store: create bucket in a read-only transaction")
	}
	t.newBuckets = append(t.newBuckets, string(name))
	return &etcdBucket{tx: t, name: append([]byte(nil), name...)}, nil
}

func (t *etcdTx) ForEach(fn func(name []byte, b kvBucket) error) error {
	p := t.kv.prefix + "n/"
	resp, err := t.get(p, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return err
	}
	names := slices.Clone(t.newBuckets)
	k := t.kv
	k.bucketsMu.Lock()
	for _, kv := range resp.Kvs {
		// Only the store's: another database's keys may lie under p.
		if n := strings.TrimPrefix(string(kv.Key), p); storeBucket(n) {
			names = append(names, n)
			// Known from now on, as Bucket learns one (no bucket is
			// ever deleted): an open lists the buckets and then asks
			// for each, a request apiece.
			k.buckets[n] = true
		}
	}
	k.bucketsMu.Unlock()
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		if err := fn([]byte(n), &etcdBucket{tx: t, name: []byte(n)}); err != nil {
			return err
		}
	}
	return nil
}

// checkBuckets is quickCheck on etcd: the buckets are listed, their names
// alone in one request, and none of their keys is read. A bucket on etcd
// has no pages to be damaged (etcd checks its own storage), and what its
// values hold is Check's, and every read's, which fails with an error, not
// a panic. Any read of a bucket's keys costs etcd 3.4 a walk of all of
// them: a range in descending order is read whole, values and all, before
// it answers, and even a range of one key, ascending, walks the whole
// bucket's index (as long as counting its keys takes), so that a start
// read its first and last keys in time that grew with the database
// (BenchmarkEtcdOpen).
func (t *etcdTx) checkBuckets() error {
	return t.ForEach(func([]byte, kvBucket) error { return nil })
}

func (t *etcdTx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	if t.writable {
		t.w.txEnded()
	}
	return nil
}

// etcdBucket is a bucket seen through a transaction.
type etcdBucket struct {
	tx   *etcdTx
	name []byte
}

// overlay is what this transaction wrote to the bucket.
func (b *etcdBucket) overlay() map[string]*[]byte {
	return b.tx.writes[string(b.name)]
}

func (b *etcdBucket) Get(key []byte) []byte {
	if v, ok := b.overlay()[string(key)]; ok {
		if v == nil {
			return nil
		}
		return *v
	}
	ek := b.tx.kv.dataPrefix(b.name) + string(key)
	if v, ok := b.tx.reads[ek]; ok {
		return v
	}
	var raw []byte
	var err error
	if b.tx.scan != nil {
		raw, err = b.tx.scan.get(b.tx, string(b.name), ek)
	} else {
		raw, err = b.tx.getValue(ek)
	}
	if err != nil {
		b.tx.fail(err)
		return nil
	}
	if raw == nil {
		return nil
	}
	v, err := b.decode(key, raw)
	if err != nil {
		b.tx.fail(err)
		return nil
	}
	if b.tx.scan != nil {
		// Kept by the window it came from, as long as the caller holds it;
		// kept here too, the whole database would be.
		return v
	}
	if b.tx.reads == nil {
		b.tx.reads = map[string][]byte{}
	}
	b.tx.reads[ek] = v
	return v
}

// decode reads a stored value: inline, or gathered from its chunks.
func (b *etcdBucket) decode(key, raw []byte) ([]byte, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("store: value %q of bucket %s has no tag", key, b.name)
	}
	switch raw[0] {
	case tagInline:
		return raw[1:], nil
	case tagChunked:
		if len(raw) != 1+8+4+8 {
			return nil, fmt.Errorf("store: value %q of bucket %s has a bad manifest", key, b.name)
		}
		gen := binary.BigEndian.Uint64(raw[1:9])
		n := int(binary.BigEndian.Uint32(raw[9:13]))
		total := binary.BigEndian.Uint64(raw[13:21])
		cp := b.tx.kv.chunkPrefix(b.name, key)
		out := make([]byte, 0, total)
		for i := 0; i < n; i++ {
			chunk, err := b.tx.getUnkept(chunkKey(cp, gen, i))
			if err != nil {
				return nil, err
			}
			if chunk == nil {
				return nil, fmt.Errorf("store: value %q of bucket %s lacks chunk %d of %d", key, b.name, i+1, n)
			}
			out = append(out, chunk...)
		}
		if uint64(len(out)) != total {
			return nil, fmt.Errorf("store: value %q of bucket %s is %d bytes, not %d", key, b.name, len(out), total)
		}
		return out, nil
	}
	return nil, fmt.Errorf("store: value %q of bucket %s has an unknown tag %d", key, b.name, raw[0])
}

func (b *etcdBucket) write(key []byte, v *[]byte) error {
	t := b.tx
	if !t.writable {
		return errors.New("store: write in a read-only transaction")
	}
	if len(key) == 0 {
		return errors.New("store: empty key")
	}
	if t.writes == nil {
		t.writes = map[string]map[string]*[]byte{}
	}
	m := t.writes[string(b.name)]
	if m == nil {
		m = map[string]*[]byte{}
		t.writes[string(b.name)] = m
	}
	m[string(key)] = v
	return nil
}

func (b *etcdBucket) Put(key, value []byte) error {
	v := append([]byte{}, value...)
	return b.write(key, &v)
}

func (b *etcdBucket) Delete(key []byte) error { return b.write(key, nil) }

func (b *etcdBucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.tx.err
}

func (b *etcdBucket) Sequence() uint64 {
	t := b.tx
	name := string(b.name)
	if v, ok := t.seqs[name]; ok {
		return v
	}
	raw, err := t.getValue(t.kv.seqKey(b.name))
	if err != nil {
		t.fail(err)
		return 0
	}
	v := btoi(raw)
	if t.seqs == nil {
		t.seqs = map[string]uint64{}
	}
	t.seqs[name] = v
	return v
}

func (b *etcdBucket) SetSequence(v uint64) error {
	t := b.tx
	if !t.writable {
		return errors.New("store: write in a read-only transaction")
	}
	b.Sequence()
	if t.err != nil {
		return t.err
	}
	t.seqs[string(b.name)] = v
	if t.seqDirty == nil {
		t.seqDirty = map[string]bool{}
	}
	t.seqDirty[string(b.name)] = true
	return nil
}

func (b *etcdBucket) NextSequence() (uint64, error) {
	v := b.Sequence() + 1
	if b.tx.err != nil {
		return 0, b.tx.err
	}
	return v, b.SetSequence(v)
}

func (b *etcdBucket) Cursor() kvCursor { return &etcdCursor{b: b} }

// etcdCursor walks the bucket as the transaction sees it: etcd's keys at
// its revision, read a page at a time, merged with its own writes.
type etcdCursor struct {
	b   *etcdBucket
	pos []byte // the key the cursor is on; nil before the start or past the end
	// pastEnd is a cursor moved forward beyond the last key, from where
	// Prev finds the last key, as bbolt's does.
	pastEnd bool
	dir     int // the direction page was read in: 1 or -1
	// page holds etcd's next keys in the direction dir, beyond pos; more
	// says whether etcd has keys beyond the page.
	page []pair
	more bool
	// keys are the transaction's own written keys of the bucket, sorted.
	keys []string
	// keysOnly is a walk of the keys alone (forEachKey): a value's chunks
	// are listed, not read, and its value is not given.
	keysOnly bool
	// prefix, when set (within), is the only part of the bucket the
	// cursor's reader wants, and below, when set, the key its reader
	// stops before: etcd's pages are read within them.
	prefix, below []byte
}

// within bounds the pages the cursor reads from etcd to the keys with the
// prefix. etcd 3.4 walks its index over the whole of a range before it
// applies a limit, so a page read to the bucket's end cost as much as the
// keys beyond the prefix: the first page of an object's versions, among
// 20,000 of others, 6.6 ms (BenchmarkVersionHeadersAmongMany).
func (c *etcdCursor) within(prefix []byte) { c.prefix = prefix }

// stopBefore bounds the pages the cursor reads from etcd to keys below key
// (see within).
func (c *etcdCursor) stopBefore(key []byte) { c.below = key }

// pair is a key and its value.
type pair struct{ k, v []byte }

func (c *etcdCursor) First() ([]byte, []byte) { return c.from(nil, true, 1) }
func (c *etcdCursor) Last() ([]byte, []byte)  { return c.from(nil, true, -1) }
func (c *etcdCursor) Seek(seek []byte) ([]byte, []byte) {
	return c.from(seek, true, 1)
}

func (c *etcdCursor) Next() ([]byte, []byte) {
	if c.pos == nil {
		return nil, nil
	}
	return c.step(c.pos, 1)
}

func (c *etcdCursor) Prev() ([]byte, []byte) {
	if c.pos == nil {
		if c.pastEnd {
			return c.Last()
		}
		return nil, nil
	}
	return c.step(c.pos, -1)
}

// from places the cursor at the first key at or after (dir 1) or at or
// before (dir -1) at; a nil at is the bucket's start or end.
func (c *etcdCursor) from(at []byte, inclusive bool, dir int) ([]byte, []byte) {
	c.keys = nil
	for k := range c.b.overlay() {
		c.keys = append(c.keys, k)
	}
	sort.Strings(c.keys)
	c.load(at, inclusive, dir)
	return c.settle(at, inclusive, dir, false)
}

func (c *etcdCursor) step(from []byte, dir int) ([]byte, []byte) {
	if dir != c.dir {
		c.load(from, false, dir)
	}
	return c.settle(from, false, dir, true)
}

// load reads etcd's first page of keys beyond at in the direction dir.
func (c *etcdCursor) load(at []byte, inclusive bool, dir int) {
	c.dir, c.page, c.more = dir, nil, false
	t := c.b.tx
	p := t.kv.dataPrefix(c.b.name)
	start, end := p, prefixEnd(p)
	limit := int64(pageSize)
	if t.scan != nil {
		limit = scanLimit(string(c.b.name))
	}
	opts := []clientv3.OpOption{clientv3.WithLimit(limit)}
	switch {
	case dir > 0 && at != nil:
		start = p + string(at)
		if !inclusive {
			start += "\x00"
		}
	case dir < 0 && at != nil:
		end = p + string(at)
		if inclusive {
			end += "\x00"
		}
	}
	if c.prefix != nil {
		lo := p + string(c.prefix)
		start, end = max(start, lo), min(end, prefixEnd(lo))
	}
	if c.below != nil {
		end = min(end, p+string(c.below))
	}
	if (c.prefix != nil || c.below != nil) && start >= end {
		return // nothing the reader wants lies that way
	}
	if dir < 0 {
		opts = append(opts, clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend))
	}
	opts = append(opts, clientv3.WithRange(end))
	pk := fmt.Sprintf("%d\x00%s\x00%s", dir, start, end)
	var pg page
	ok := false
	if t.scan == nil {
		pg, ok = t.kv.cache.getPage(string(c.b.name), pk, t.revMod)
	}
	if !ok {
		resp, err := t.get(start, opts...)
		if err != nil {
			t.fail(err)
			return
		}
		pg = page{more: resp.More, asOf: t.revMod, lo: start, hi: end}
		for _, kv := range resp.Kvs {
			pg.kvs = append(pg.kvs, pair{kv.Key, kv.Value})
		}
		// A page cut short covers its keys only: a change beyond its
		// last one is another page's.
		if n := len(resp.Kvs); resp.More && n > 0 {
			last := string(resp.Kvs[n-1].Key)
			if dir > 0 {
				pg.hi = last + "\x00"
			} else {
				pg.lo = last
			}
		}
		if t.scan == nil {
			t.kv.cache.putPage(pk, pg)
		}
	}
	for _, kv := range pg.kvs {
		key := kv.k[len(p):]
		var v []byte
		var err error
		if c.keysOnly {
			err = c.b.chunksPresent(key, kv.v)
		} else {
			v, err = c.b.decode(key, kv.v)
		}
		if err != nil {
			t.fail(err)
			return
		}
		c.page = append(c.page, pair{key, v})
	}
	c.more = pg.more
}

// settle moves to the nearest key beyond at (or at it, when inclusive) in
// the direction dir, of etcd's and the transaction's own, skipping keys
// the transaction deleted.
func (c *etcdCursor) settle(at []byte, inclusive bool, dir int, stepping bool) ([]byte, []byte) {
	beyond := func(k []byte) bool {
		if at == nil {
			return true
		}
		cmp := bytes.Compare(k, at) * dir
		return cmp > 0 || inclusive && cmp == 0
	}
	ov := c.b.overlay()
	for {
		// etcd's next key beyond at.
		for len(c.page) > 0 && !beyond(c.page[0].k) {
			c.page = c.page[1:]
		}
		if len(c.page) == 0 && c.more {
			c.load(at, inclusive, dir)
			for len(c.page) > 0 && !beyond(c.page[0].k) {
				c.page = c.page[1:]
			}
		}
		var ek []byte
		if len(c.page) > 0 {
			ek = c.page[0].k
		}
		// The transaction's own next key beyond at.
		var ok []byte
		if dir > 0 {
			i := sort.SearchStrings(c.keys, string(at))
			for ; i < len(c.keys); i++ {
				if beyond([]byte(c.keys[i])) {
					ok = []byte(c.keys[i])
					break
				}
			}
		} else {
			i := len(c.keys) - 1
			if at != nil {
				i = sort.SearchStrings(c.keys, string(at))
				if i == len(c.keys) || !beyond([]byte(c.keys[i])) {
					i--
				}
			}
			for ; i >= 0; i-- {
				if beyond([]byte(c.keys[i])) {
					ok = []byte(c.keys[i])
					break
				}
			}
		}
		var k []byte
		switch {
		case ek == nil && ok == nil:
			// Stepping off either end leaves the cursor on the last key it
			// was on, and a seek beyond the end leaves it past the end, as
			// bbolt's cursor does.
			if !stepping {
				c.pos, c.pastEnd = nil, dir > 0
			}
			return nil, nil
		case ek == nil:
			k = ok
		case ok == nil:
			k = ek
		case bytes.Compare(ek, ok)*dir <= 0:
			k = ek
		default:
			k = ok
		}
		if v, mine := ov[string(k)]; mine {
			if v == nil {
				// Deleted here: go on beyond it.
				at, inclusive = k, false
				continue
			}
			c.pos = k
			return k, *v
		}
		c.pos = k
		return k, c.page[0].v
	}
}

// Commit writes the transaction's changes in one etcd transaction if no
// other commit came after its start, or reports errRetry.
func (t *etcdTx) Commit() error {
	if t.done {
		return errors.New("store: transaction already ended")
	}
	defer t.Rollback()
	if t.err != nil {
		return t.err
	}
	if !t.writable {
		return errors.New("store: commit of a read-only transaction")
	}
	k := t.kv
	gen := uint64(t.rev)<<16 | uint64(randUint16())
	var ops []clientv3.Op
	size := 0
	add := func(op clientv3.Op, n int) {
		ops = append(ops, op)
		size += n + opOverhead
	}
	for _, n := range t.newBuckets {
		add(clientv3.OpPut(k.bucketKey([]byte(n)), ""), len(n))
	}
	for n := range t.seqDirty {
		add(clientv3.OpPut(k.seqKey([]byte(n)), string(itob(t.seqs[n]))), len(n)+8)
	}
	// Large values first go to their chunks, each in a request of its own;
	// they are not seen until the manifest that names them is committed.
	// When the commit is known not to have happened (another server wrote
	// first, or a chunk could not be written), they are deleted again: the
	// value's key may never be written again (a snapshot's file, under an
	// id the retry does not take), and a freeze's files are megabytes. When
	// it is not known (the commit's answer was lost), they stay, as the
	// commit may have named them.
	var written []chunkSet
	for _, name := range slices.Sorted(maps.Keys(t.writes)) {
		for _, key := range slices.Sorted(maps.Keys(t.writes[name])) {
			v := t.writes[name][key]
			ek := k.dataPrefix([]byte(name)) + key
			cp := k.chunkPrefix([]byte(name), []byte(key))
			switch {
			case v == nil:
				add(clientv3.OpDelete(ek), len(ek))
				add(clientv3.OpDelete(cp, clientv3.WithPrefix()), len(cp))
			case len(*v) < chunkSize:
				add(clientv3.OpPut(ek, string(append([]byte{tagInline}, *v...))), len(ek)+len(*v))
				add(clientv3.OpDelete(cp, clientv3.WithPrefix()), len(cp))
			default:
				if err := t.inTurn(); err != nil {
					return err
				}
				n := 0
				written = append(written, chunkSet{prefix: cp, gen: gen})
				for off := 0; off < len(*v); off += chunkSize {
					chunk := (*v)[off:min(off+chunkSize, len(*v))]
					k.written.Add(int64(len(chunk)))
					ours, err := k.putChunk(t.ctx, chunkKey(cp, gen, n), chunk, n == 0)
					if err == nil && !ours {
						// Another commit begun at the same revision drew the
						// same generation for this key, and wrote its first
						// chunk first: the chunks are its. This one runs
						// again, at a newer revision.
						if t.pin != nil {
							t.pin.Clear()
						}
						k.dropChunks(t.ctx, written)
						t.w.lost(0)
						return errRetry
					}
					n++ // a failed put may have been written all the same
					written[len(written)-1].n = n
					if err != nil {
						k.dropChunks(t.ctx, written)
						return fmt.Errorf("store: write: %w", etcdError(err))
					}
				}
				m := make([]byte, 21)
				m[0] = tagChunked
				binary.BigEndian.PutUint64(m[1:9], gen)
				binary.BigEndian.PutUint32(m[9:13], uint32(n))
				binary.BigEndian.PutUint64(m[13:21], uint64(len(*v)))
				add(clientv3.OpPut(ek, string(m)), len(ek)+len(m))
				// The chunks of earlier values of the key go with them.
				add(clientv3.OpDelete(cp, clientv3.WithRange(chunkKey(cp, gen, 0))), 2*len(cp))
			}
		}
	}
	if len(ops) == 0 {
		return nil
	}
	if !fitsOne(len(ops), size) {
		err := t.inTurn()
		if err == nil {
			err = t.commitJournal(ops, gen)
		}
		if errors.Is(err, errRetry) || errors.Is(err, errJournalUnwritten) {
			k.dropChunks(t.ctx, written)
		}
		return err
	}
	ops = append(ops, clientv3.OpPut(k.revKey(), "ok"))
	if t.w.turn != nil {
		// The turn ends with the commit: the next in line goes on at once.
		ops = append(ops, clientv3.OpDelete(t.w.turn.key))
	}
	k.txns.Add(1)
	for _, op := range ops {
		if op.IsPut() {
			k.written.Add(int64(len(op.KeyBytes()) + len(op.ValueBytes())))
		}
	}
	ctx, cancel := context.WithTimeout(t.ctx, t.kv.timeout)
	defer cancel()
	resp, err := k.cli.Txn(ctx).If(append(k.unchanged(t.revMod), t.w.turnCmp())...).
		Then(ops...).Else(k.turnsOp()).Commit()
	if err != nil {
		return fmt.Errorf("store: commit: %w", etcdError(err))
	}
	if !resp.Succeeded {
		if t.pin != nil {
			t.pin.Clear()
		}
		k.dropChunks(t.ctx, written)
		t.lose(resp)
		return errRetry
	}
	t.learnBuckets()
	if t.w.turn != nil {
		t.w.turn.ended = true
	}
	rev := resp.Header.Revision
	if t.pin != nil {
		// The request reads on from its own write.
		t.pin.Set(rev, rev)
	}
	// What this commit wrote is the value of its keys as of it: kept now,
	// the next transaction here reads it without waiting for the watch.
	for _, op := range ops {
		if op.IsPut() {
			k.cache.put(string(op.KeyBytes()), cached{raw: op.ValueBytes(), mod: rev}, rev)
		}
	}
	return nil
}

// chunkSet is the chunks of one large value written by a commit: n of
// them, from 0, of generation gen.
type chunkSet struct {
	prefix string
	gen    uint64
	n      int
}

// dropChunks deletes the chunks of a commit that did not happen (see
// dropUnnamed): those left are only space, never read, since no manifest
// names them.
func (k *etcdKV) dropChunks(ctx context.Context, sets []chunkSet) {
	for _, c := range sets {
		k.dropUnnamed(ctx, chunkKey(c.prefix, c.gen, 0), clientv3.WithRange(chunkKey(c.prefix, c.gen, c.n)))
	}
}

// dropUnnamed deletes, as far as it can, keys written for a commit that
// did not happen, which nothing names: it goes on when the request that
// wrote them has gone, for as long as one request may take.
func (k *etcdKV) dropUnnamed(ctx context.Context, key string, opts ...clientv3.OpOption) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), k.timeout)
	defer cancel()
	_, _ = k.cli.Delete(ctx, key, opts...)
}

func (t *etcdTx) learnBuckets() {
	t.kv.bucketsMu.Lock()
	for _, n := range t.newBuckets {
		t.kv.buckets[n] = true
	}
	t.kv.bucketsMu.Unlock()
}

// putChunk writes one piece of a large value (or of a journal). The first
// of a generation (claim) is written only if the key is new: a generation
// is the revision a commit began at and 16 random bits, and two commits
// begun at one revision could draw the same (1 in 65,536). Then the second
// overwrote the first's chunks, whose manifest, committed and
// acknowledged, named the other's bytes; and the second, losing its
// commit, deleted them. false when another holds the generation.
func (k *etcdKV) putChunk(ctx context.Context, key string, chunk []byte, claim bool) (bool, error) {
	ctx, cancel := k.bounded(ctx)
	defer cancel()
	if !claim {
		_, err := k.cli.Put(ctx, key, string(chunk))
		return err == nil, err
	}
	resp, err := k.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(chunk))).Commit()
	if err != nil {
		return false, err
	}
	return resp.Succeeded, nil
}

// bounded is ctx held to the request timeout: a call to etcd made with
// the request's context alone waits, while no member can be reached, for
// as long as the request lasts (the client waits for a member to be
// ready), and a large commit held the server's write lock meanwhile, so
// that every other write of the server waited with it.
func (k *etcdKV) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, k.timeout)
}

// commitJournal commits a change too large for one etcd transaction (a
// migration, an import of many sheets, a copy): the operations are written
// to a journal; one transaction, compared as any commit is, turns the
// write token into the journal's name, which every transaction that
// starts meanwhile waits on; the journal is applied in parts, each only
// while the token still names it; and the last puts the token back. A
// server that dies part way leaves the journal for the next transaction to
// finish (awaitJournal), so the change is all or nothing to every reader.
func (t *etcdTx) commitJournal(ops []clientv3.Op, gen uint64) error {
	if t.pin != nil {
		t.pin.Clear() // the request reads afresh after it, committed or not
	}
	mark, err := t.kv.startJournal(t.ctx, ops, gen, t.revMod, t.w.turnCmp())
	if errors.Is(err, errRetry) {
		t.w.lost(0)
	}
	if err != nil {
		return err
	}
	if err := t.kv.applyJournal(t.ctx, mark, ops); err != nil {
		return err
	}
	t.learnBuckets()
	return nil
}

// startJournal writes the journal and, if the write token is still at
// revMod (and the compares also hold: the write's turn), names it in the
// token; errRetry if another commit came first.
func (k *etcdKV) startJournal(ctx context.Context, ops []clientv3.Op, gen uint64, revMod int64, also ...clientv3.Cmp) (string, error) {
	jp := k.journalPrefix(gen)
	blob := encodeOps(ops)
	n := 0
	for off := 0; off < len(blob); off += chunkSize {
		ours, err := k.putChunk(ctx, fmt.Sprintf("%s%08d", jp, n), blob[off:min(off+chunkSize, len(blob))], n == 0)
		if err == nil && !ours {
			return "", errRetry // another commit's journal of the same generation (see putChunk)
		}
		if err != nil {
			k.dropUnnamed(ctx, jp, clientv3.WithPrefix()) // nothing names the journal yet
			return "", fmt.Errorf("store: write journal: %w: %w", errJournalUnwritten, etcdError(err))
		}
		n++
	}
	mark := fmt.Sprintf("%s%016x %d", journalMark, gen, n)
	cctx, cancel := k.bounded(ctx)
	defer cancel()
	resp, err := k.cli.Txn(cctx).If(append(k.unchanged(revMod), also...)...).
		Then(clientv3.OpPut(k.revKey(), mark)).Commit()
	if err != nil {
		return "", fmt.Errorf("store: commit: %w", etcdError(err))
	}
	if !resp.Succeeded {
		k.dropUnnamed(ctx, jp, clientv3.WithPrefix())
		return "", errRetry
	}
	return mark, nil
}

// applyJournal applies a journal's operations, each part only while the
// write token names it, then puts the token back and drops the journal.
func (k *etcdKV) applyJournal(ctx context.Context, mark string, ops []clientv3.Op) error {
	gen, _, err := parseJournalMark(mark)
	if err != nil {
		return err
	}
	jp := k.journalPrefix(gen)
	still := clientv3.Compare(clientv3.Value(k.revKey()), "=", mark)
	for len(ops) > 0 {
		// A part takes operations while they fit: a value kept inline is
		// under chunkSize, so one alone always does, and two never share
		// a part their sizes would take over etcd's limit.
		part, size := 0, 0
		for part < len(ops) && part < maxTxnOps && (part == 0 || size+opSize(ops[part]) <= maxTxnBytes) {
			size += opSize(ops[part])
			part++
		}
		// Each part says it was applied in the journal's own key, which
		// a server waiting on the journal watches (awaitJournal).
		then := append(slices.Clip(ops[:part]), clientv3.OpPut(jp+journalProgress, strconv.Itoa(len(ops))))
		cctx, cancel := k.bounded(ctx)
		resp, err := k.cli.Txn(cctx).If(still).Then(then...).Commit()
		cancel()
		if err != nil {
			return fmt.Errorf("store: commit: %w", etcdError(err))
		}
		if !resp.Succeeded {
			return nil // finished by another server
		}
		ops = ops[part:]
	}
	cctx, cancel := k.bounded(ctx)
	defer cancel()
	_, err = k.cli.Txn(cctx).If(still).Then(clientv3.OpPut(k.revKey(), "ok"), clientv3.OpDelete(jp, clientv3.WithPrefix())).Commit()
	if err != nil {
		return fmt.Errorf("store: commit: %w", etcdError(err))
	}
	return nil
}

// awaitJournal waits for a large commit being applied. While its server
// works, each part it applies moves the journal's progress key; when that
// has not moved for journalStall, the server is gone and this one applies
// the journal itself. (The cluster's revision would not do: any write
// under another prefix, or by another program, moves it, and held every
// request on this database for as long as those went on.)
func (k *etcdKV) awaitJournal(ctx context.Context, mark string, mod int64) error {
	gen, n, err := parseJournalMark(mark)
	if err != nil {
		return err
	}
	jp := k.journalPrefix(gen)
	last, since := int64(0), time.Now()
	for time.Since(since) < journalStall {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		cctx, cancel := k.bounded(ctx)
		resp, err := k.cli.Txn(cctx).Then(clientv3.OpGet(k.revKey()), clientv3.OpGet(jp+journalProgress)).Commit()
		cancel()
		if err != nil {
			return fmt.Errorf("store: begin: %w", etcdError(err))
		}
		token, progress := resp.Responses[0].GetResponseRange().Kvs, resp.Responses[1].GetResponseRange().Kvs
		if len(token) == 0 || token[0].ModRevision != mod {
			return nil
		}
		if len(progress) == 1 && progress[0].ModRevision != last {
			last, since = progress[0].ModRevision, time.Now()
		}
	}
	var blob []byte
	for i := 0; i < n; i++ {
		cctx, cancel := k.bounded(ctx)
		resp, err := k.cli.Get(cctx, fmt.Sprintf("%s%08d", jp, i))
		cancel()
		if err != nil {
			return fmt.Errorf("store: read journal: %w", etcdError(err))
		}
		if len(resp.Kvs) != 1 {
			return nil // applied and dropped meanwhile
		}
		blob = append(blob, resp.Kvs[0].Value...)
	}
	ops, err := decodeOps(blob)
	if err != nil {
		return err
	}
	return k.applyJournal(ctx, mark, ops)
}

// encodeOps writes puts and deletes (a key, or every key with a prefix, or a
// range) as bytes for the journal: a kind byte, then key and value (or
// range end), each with its length, as a history header lays out strings.
func encodeOps(ops []clientv3.Op) []byte {
	var b []byte
	for _, op := range ops {
		switch {
		case op.IsPut():
			b = appendString(append(b, 'p'), string(op.KeyBytes()))
			b = appendString(b, string(op.ValueBytes()))
		case op.IsDelete():
			b = appendString(append(b, 'd'), string(op.KeyBytes()))
			b = appendString(b, string(op.RangeBytes()))
		}
	}
	return b
}

func decodeOps(b []byte) ([]clientv3.Op, error) {
	var ops []clientv3.Op
	r := fieldReader{b: b}
	for len(r.b) > 0 {
		kind := r.bytes(1)
		k := string(r.bytes(r.uvarint()))
		v := string(r.bytes(r.uvarint()))
		switch {
		case r.err != nil:
			return nil, errJournalDamaged
		case kind[0] == 'p':
			ops = append(ops, clientv3.OpPut(k, v))
		case kind[0] == 'd' && v != "":
			ops = append(ops, clientv3.OpDelete(k, clientv3.WithRange(v)))
		case kind[0] == 'd':
			ops = append(ops, clientv3.OpDelete(k))
		default:
			return nil, errJournalDamaged
		}
	}
	return ops, nil
}

var errJournalDamaged = errors.New("store: the journal of a large commit is damaged")

func opSize(op clientv3.Op) int {
	return len(op.KeyBytes()) + len(op.ValueBytes()) + len(op.RangeBytes()) + 64
}

func randUint16() uint16 {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint16(b[:])
}
