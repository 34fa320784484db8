package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"briefpack/briefing"
	"briefpack/internal/etcdtest"
)

// openPair opens a bbolt file and an etcd prefix, both new.
func openPair(t *testing.T, c *etcdtest.Cluster, prefix string) (*DB, *DB) {
	t.Helper()
	b, err := Open(filepath.Join(t.TempDir(), "b.db"), "nz")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	e := openEtcdPrefix(t, c, prefix)
	return b, e
}

func openEtcdPrefix(t testing.TB, c *etcdtest.Cluster, prefix string) *DB {
	t.Helper()
	return openEtcdURL(t, c.URL(prefix), 0)
}

// openEtcdURL opens a database at an etcd:// address, closed when the test
// ends; a timeout other than 0 is each request's.
func openEtcdURL(t testing.TB, url string, timeout time.Duration) *DB {
	t.Helper()
	cfg, err := ParseEtcdURL(url)
	if err != nil {
		t.Fatal(err)
	}
	if timeout != 0 {
		cfg.RequestTimeout = timeout
	}
	e, err := OpenEtcd(cfg, "nz")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// walk lists a bucket as a cursor sees it, forwards, backwards and from
// seeks, as one string to compare.
func walk(tx kvTx, name []byte, seeks [][]byte) string {
	var b strings.Builder
	bk := tx.Bucket(name)
	if bk == nil {
		return "no bucket"
	}
	c := bk.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		fmt.Fprintf(&b, "%x=%x ", k, v)
	}
	b.WriteString("| ")
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		fmt.Fprintf(&b, "%x=%x ", k, v)
	}
	for _, s := range seeks {
		k, _ := c.Seek(s)
		k2, _ := c.Next()
		k3, _ := c.Prev()
		k4, _ := c.Prev()
		fmt.Fprintf(&b, "| %x→%x,%x,%x,%x", s, k, k2, k3, k4)
	}
	fmt.Fprintf(&b, "| seq %d", bk.Sequence())
	return b.String()
}

// TestEtcdKV_LikeBolt applies the same random puts, deletes and sequence
// bumps to a bbolt file and to etcd, some committed and some walked before
// the commit (the transaction's own writes merged with what is stored),
// with values around the chunk size among them, and compares every walk.
func TestEtcdKV_LikeBolt(t *testing.T) {
	c := etcdtest.Start(t, 1)
	b, e := openPair(t, c, "like")
	rng := rand.New(rand.NewPCG(11, 27))
	name := []byte("widgets")
	key := func() []byte {
		// Few distinct keys, of several lengths, some prefixes of others.
		k := []byte(fmt.Sprintf("k%d", rng.IntN(40)))
		return k[:min(len(k), 1+rng.IntN(3))]
	}
	value := func() []byte {
		n := rng.IntN(40)
		if rng.IntN(25) == 0 {
			n = chunkSize - 2 + rng.IntN(chunkSize+10) // across one chunk or two
		}
		v := make([]byte, n)
		for i := 0; i < n; i += 8 {
			var w [8]byte
			binary.LittleEndian.PutUint64(w[:], rng.Uint64())
			copy(v[i:], w[:])
		}
		return v
	}
	seeks := func() [][]byte { return [][]byte{{}, []byte("k"), key(), key(), []byte("z")} }
	for round := 0; round < 40; round++ {
		type op struct {
			del bool
			k   []byte
			v   []byte
			seq bool
		}
		var ops []op
		for i := 0; i < 1+rng.IntN(12); i++ {
			switch rng.IntN(6) {
			case 0, 1:
				ops = append(ops, op{del: true, k: key()})
			case 2:
				ops = append(ops, op{seq: true})
			default:
				ops = append(ops, op{k: key(), v: value()})
			}
		}
		ss := seeks()
		commit := rng.IntN(4) != 0
		var walks [2]string
		for i, db := range []*DB{b, e} {
			err := db.update(context.Background(), func(tx kvTx) error {
				bk, err := tx.CreateBucketIfNotExists(name)
				if err != nil {
					return err
				}
				for _, o := range ops {
					switch {
					case o.seq:
						if _, err := bk.NextSequence(); err != nil {
							return err
						}
					case o.del:
						if err := bk.Delete(o.k); err != nil {
							return err
						}
					default:
						if err := bk.Put(o.k, o.v); err != nil {
							return err
						}
					}
				}
				walks[i] = walk(tx, name, ss)
				if !commit {
					return errRollback
				}
				return nil
			})
			if err != nil && err != errRollback {
				t.Fatal(err)
			}
		}
		if walks[0] != walks[1] {
			t.Fatalf("round %d, in the transaction:\nbbolt %.600s\netcd  %.600s", round, walks[0], walks[1])
		}
		for i, db := range []*DB{b, e} {
			if err := db.viewKV(func(tx kvTx) error { walks[i] = walk(tx, name, ss); return nil }); err != nil {
				t.Fatal(err)
			}
		}
		if walks[0] != walks[1] {
			t.Fatalf("round %d, after:\nbbolt %.600s\netcd  %.600s", round, walks[0], walks[1])
		}
	}
}

var errRollback = fmt.Errorf("roll back")

// TestEtcd_LargeCommitAndFiles: a snapshot file of several megabytes comes
// back byte for byte; a change of more keys than one etcd transaction
// takes (an import of many sheets) is applied whole; a copy into bbolt
// and back checks clean and holds the same.
func TestEtcd_LargeCommitAndFiles(t *testing.T) {
	c := etcdtest.Start(t, 1)
	e := openEtcdPrefix(t, c, "large")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	r := firstRound(t, e, by)
	var shs []*briefing.Sheet
	for i := 0; i < 40; i++ {
		sh := &briefing.Sheet{RoundID: r.ID, Title: fmt.Sprintf("Topic %d", i), Status: briefing.SheetDraft,
			Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: []briefing.Paragraph{{Text: fmt.Sprintf("Paragraph %d.", i), Marking: "RESTRICTED"}}}}}
		if err := e.CreateSheet(ctx, sh, by); err != nil {
			t.Fatal(err)
		}
		sh.Sections[0].Paragraphs[0].Text += " Revised."
		shs = append(shs, sh)
	}
	// 40 sheets, each a record, two history keys, an audit record: more than 120 operations.
	if err := e.UpdateSheets(ctx, shs, by); err != nil {
		t.Fatal(err)
	}
	for _, sh := range shs {
		got, err := e.Sheet(ctx, sh.ID)
		if err != nil || got.Version != 2 || !strings.HasSuffix(got.Sections[0].Paragraphs[0].Text, "Revised.") {
			t.Fatalf("%v %+v", err, got)
		}
	}
	big := make([]byte, 3*chunkSize+12345)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(big); i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], rng.Uint64())
		copy(big[i:], w[:])
	}
	sn := &briefing.Snapshot{RoundID: r.ID}
	if err := e.CreateSnapshot(ctx, sn, map[string][]byte{"html": big, "xlsx": []byte("small")}, by); err != nil {
		t.Fatal(err)
	}
	got, err := e.SnapshotFile(ctx, sn.ID, "html")
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("the file came back %d bytes, not %d: %v", len(got), len(big), err)
	}
	if err := e.Check(ctx); err != nil {
		t.Fatal(err)
	}
	// etcd → bbolt → etcd, each checked and the same.
	b, err := Open(filepath.Join(t.TempDir(), "copy.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := Copy(ctx, e, b, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Check(ctx); err != nil {
		t.Fatal(err)
	}
	e2 := openEtcdPrefix(t, c, "large-back")
	if err := Copy(ctx, b, e2, nil); err != nil {
		t.Fatal(err)
	}
	if err := e2.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if dump(t, e) != dump(t, b) || dump(t, b) != dump(t, e2) {
		t.Fatal("the copies differ")
	}
	if got, err := e2.SnapshotFile(ctx, sn.ID, "html"); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("the copied file came back %d bytes: %v", len(got), err)
	}
	if err := Copy(ctx, b, e2, nil); err == nil || !strings.Contains(err.Error(), "already holds records") {
		t.Fatalf("a copy into a database with records: %v", err)
	}
}

// dump is every bucket's keys, values and sequence, hashed small.
func dump(t *testing.T, db *DB) string {
	t.Helper()
	var out []string
	err := db.viewKV(func(tx kvTx) error {
		return tx.ForEach(func(name []byte, b kvBucket) error {
			n, h := 0, sha256.New()
			err := b.ForEach(func(k, v []byte) error {
				n++
				fmt.Fprintf(h, "%d:%s%d:", len(k), k, len(v))
				h.Write(v)
				return nil
			})
			out = append(out, fmt.Sprintf("%s:%d:%x:%d", name, n, h.Sum(nil), b.Sequence()))
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// TestEtcd_TwoServers: two stores on one prefix are two servers. What one
// writes the other reads at once; the same version written through both
// is taken once and refused once (ESTALE); writers of different objects
// through both all succeed, running again when the other committed first.
func TestEtcd_TwoServers(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdPrefix(t, c, "two")
	b := openEtcdPrefix(t, c, "two")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	ag := &briefing.Agency{Name: "Ministry of Foreign Affairs and Trade", Acronym: "MFAT", Country: "New Zealand"}
	if err := a.CreateAgency(ctx, ag, by); err != nil {
		t.Fatal(err)
	}
	got, err := b.Agency(ctx, ag.ID)
	if err != nil || got.Name != ag.Name {
		t.Fatalf("%v %+v", err, got)
	}
	x, y := *ag, *ag
	x.Acronym, y.Acronym = "M1", "M2"
	errA, errB := a.UpdateAgency(ctx, &x, by), b.UpdateAgency(ctx, &y, by)
	if errA != nil || briefing.ErrorCode(errB) != briefing.ESTALE {
		t.Fatalf("two writes of version 1: %v, %v", errA, errB)
	}
	// Each write read back at once through the other server, whose cache
	// holds the value before it.
	cur := x
	for i := 0; i < 60; i++ {
		w, r := a, b
		if i%3 == 2 {
			w, r = b, a
		}
		cur.Acronym = fmt.Sprintf("A%d", i)
		if err := w.UpdateAgency(ctx, &cur, by); err != nil {
			t.Fatal(err)
		}
		got, err := r.Agency(ctx, ag.ID)
		if err != nil || got.Acronym != cur.Acronym || got.Version != cur.Version {
			t.Fatalf("write %d read through the other server: %v %+v", i, err, got)
		}
		if all, _, err := r.Agencies(ctx, briefing.Page{Limit: 10}); err != nil || all[0].Acronym != cur.Acronym {
			t.Fatalf("write %d listed through the other server: %v", i, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		db := a
		if i%2 == 1 {
			db = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.CreateAgency(ctx, &briefing.Agency{Name: fmt.Sprintf("Agency %d", i), Country: "New Zealand"}, by)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, _, err := a.Agencies(ctx, briefing.Page{Limit: 100})
	if err != nil || len(all) != 41 {
		t.Fatalf("%d agencies: %v", len(all), err)
	}
	if err := b.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// deadJournal names in the write token of the prefix "dead" the journal of
// a large commit of 300 keys (dead000…dead299), of generation gen, as a
// server does before it applies it, and returns the prefix's backend and
// the journal's operations; a server waiting on it takes it over after
// 300 ms without progress, for the test.
func deadJournal(t *testing.T, c *etcdtest.Cluster, gen uint64) (*etcdKV, []clientv3.Op) {
	t.Helper()
	k := openEtcdPrefix(t, c, "dead").kv.(*etcdKV)
	stall := journalStall
	t.Cleanup(func() { journalStall = stall })
	journalStall = 300 * time.Millisecond
	ctx := context.Background()
	resp, err := k.cli.Get(ctx, k.revKey())
	if err != nil {
		t.Fatal(err)
	}
	var ops []clientv3.Op
	for i := 0; i < 300; i++ {
		ops = append(ops, clientv3.OpPut(k.dataPrefix(metaBucket)+fmt.Sprintf("dead%03d", i), string([]byte{tagInline, byte(i)})))
	}
	if _, err := k.startJournal(ctx, ops, gen, resp.Kvs[0].ModRevision); err != nil {
		t.Fatal(err)
	}
	return k, ops
}

// TestEtcd_JournalOfADeadServer: a server that named its journal in the
// write token and died before applying it leaves the change to the next
// transaction, which waits for it to stall, applies it whole, and reads it.
func TestEtcd_JournalOfADeadServer(t *testing.T) {
	c := etcdtest.Start(t, 1)
	k, ops := deadJournal(t, c, 42)
	ctx := context.Background()
	// The dying server got a third of the way.
	if _, err := k.cli.Txn(ctx).Then(ops[:100]...).Commit(); err != nil {
		t.Fatal(err)
	}
	b := openEtcdPrefix(t, c, "dead")
	err := b.viewKV(func(tx kvTx) error {
		n := 0
		c := tx.Bucket(metaBucket).Cursor()
		for k, v := c.Seek([]byte("dead")); k != nil && bytes.HasPrefix(k, []byte("dead")); k, v = c.Next() {
			if int(v[0]) != n%256 {
				t.Errorf("%s = %v", k, v)
			}
			n++
		}
		if n != 300 {
			t.Errorf("%d of 300 keys", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := k.cli.Get(ctx, k.prefix+"j/", clientv3.WithPrefix(), clientv3.WithCountOnly()); err != nil || r.Count != 0 {
		t.Fatalf("the journal is left: %v", err)
	}
}

// TestEtcd_JournalOfADeadServerWhileOthersWrite: the journal of a server
// that died applying it is finished by the next transaction while another
// database on the same cluster goes on being written: those writes are
// not the dead server's progress.
func TestEtcd_JournalOfADeadServerWhileOthersWrite(t *testing.T) {
	c := etcdtest.Start(t, 1)
	deadJournal(t, c, 43)
	other := openEtcdPrefix(t, c, "other")
	ctx := context.Background()
	// The other database is written every 50 ms, for up to 20 s.
	stop, writing := make(chan struct{}), make(chan bool, 1)
	go func() {
		defer func() { writing <- false }()
		for i := 0; i < 400; i++ {
			select {
			case <-stop:
				writing <- true
				return
			case <-time.After(50 * time.Millisecond):
			}
			if err := other.CreateAgency(ctx, &briefing.Agency{Name: fmt.Sprintf("Agency %d", i), Country: "Fiji"}, briefing.Actor{UserID: "1", Name: "alice"}); err != nil {
				t.Error(err)
			}
		}
	}()
	b := openEtcdPrefix(t, c, "dead")
	err := b.viewKV(func(tx kvTx) error {
		if v := tx.Bucket(metaBucket).Get([]byte("dead299")); len(v) != 1 || v[0] != byte(299%256) {
			t.Errorf("dead299 = %v", v)
		}
		return nil
	})
	close(stop)
	if err != nil {
		t.Fatal(err)
	}
	if !<-writing {
		t.Fatal("the journal was finished only once the other database stopped being written")
	}
}

// TestEtcd_Auth: a cluster with auth on is reached with the user and
// password given, refused with a sentence otherwise, and neither the
// password nor the user's is in any message.
func TestEtcd_Auth(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ctx := context.Background()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{"http://" + c.Endpoints()[0]}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	const rootPW, pw = "root password for the test", "briefpack's own etcd password"
	for _, step := range []func() error{
		func() error { _, err := cli.UserAdd(ctx, "root", rootPW); return err },
		func() error { _, err := cli.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := cli.RoleAdd(ctx, "briefpack"); return err },
		func() error {
			_, err := cli.RoleGrantPermission(ctx, "briefpack", "secure/", clientv3.GetPrefixRangeEnd("secure/"), clientv3.PermissionType(clientv3.PermReadWrite))
			return err
		},
		func() error { _, err := cli.UserAdd(ctx, "bp", pw); return err },
		func() error { _, err := cli.UserGrantRole(ctx, "bp", "briefpack"); return err },
		func() error { _, err := cli.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := ParseEtcdURL(c.URL("secure"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Username, cfg.Password = "bp", "not the password"
	if _, err := OpenEtcd(cfg, "nz"); err == nil || !strings.Contains(err.Error(), "refused the user name or password") || strings.Contains(err.Error(), "not the password") {
		t.Fatalf("a wrong password: %v", err)
	}
	cfg.Password = pw
	db, err := OpenEtcd(cfg, "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateAgency(ctx, &briefing.Agency{Name: "Ministry of Defence", Country: "New Zealand"}, briefing.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	// A large commit takes its turn: a lease, and a key under the prefix.
	r := firstRound(t, db, briefing.Actor{UserID: "1", Name: "alice"})
	big := make([]byte, chunkSize+chunkSize/2)
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	if err := db.CreateSnapshot(ctx, &briefing.Snapshot{RoundID: r.ID}, map[string][]byte{"html": big}, briefing.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(db.Path(), pw) {
		t.Fatal("the password is in the database's name")
	}
	// Outside its prefix the user may not go.
	cfg, _ = ParseEtcdURL(c.URL("elsewhere"))
	cfg.Username, cfg.Password = "bp", pw
	if _, err := OpenEtcd(cfg, "nz"); err == nil || !strings.Contains(err.Error(), "refused access") {
		t.Fatalf("outside the prefix: %v", err)
	}
}

// TestEtcd_PagesFollowWrites: one server walks a bucket of several pages
// again and again, from its cache once its watch has caught up, while the
// other writes keys inside and outside the pages it keeps; every walk is
// what was written.
func TestEtcd_PagesFollowWrites(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdPrefix(t, c, "pages")
	b := openEtcdPrefix(t, c, "pages")
	ctx := context.Background()
	name := []byte("widgets")
	want := map[string]string{}
	rng := rand.New(rand.NewPCG(5, 6))
	write := func(fn func(bk kvBucket) error) {
		t.Helper()
		if err := a.update(ctx, func(tx kvTx) error {
			bk, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			return fn(bk)
		}); err != nil {
			t.Fatal(err)
		}
	}
	write(func(bk kvBucket) error {
		for i := 0; i < 300; i += 2 {
			k, v := fmt.Sprintf("k%04d", i), fmt.Sprintf("v%d", i)
			want[k] = v
			if err := bk.Put([]byte(k), []byte(v)); err != nil {
				return err
			}
		}
		return nil
	})
	expect := func() string {
		var ks []string
		for k := range want {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		var s strings.Builder
		for _, k := range ks {
			fmt.Fprintf(&s, "%s=%s ", k, want[k])
		}
		s.WriteString("|")
		for i := len(ks) - 1; i >= 0; i-- {
			fmt.Fprintf(&s, " %s=%s", ks[i], want[ks[i]])
		}
		return s.String()
	}
	walkB := func() string {
		var s strings.Builder
		if err := b.viewKV(func(tx kvTx) error {
			cur := tx.Bucket(name).Cursor()
			for k, v := cur.First(); k != nil; k, v = cur.Next() {
				fmt.Fprintf(&s, "%s=%s ", k, v)
			}
			s.WriteString("|")
			for k, v := cur.Last(); k != nil; k, v = cur.Prev() {
				fmt.Fprintf(&s, " %s=%s", k, v)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return s.String()
	}
	for i := 0; i < 80; i++ {
		k := fmt.Sprintf("k%04d", rng.IntN(320))
		if rng.IntN(3) == 0 {
			delete(want, k)
			write(func(bk kvBucket) error { return bk.Delete([]byte(k)) })
		} else {
			want[k] = fmt.Sprintf("w%d", i)
			write(func(bk kvBucket) error { return bk.Put([]byte(k), []byte(want[k])) })
		}
		if i%2 == 0 {
			time.Sleep(5 * time.Millisecond) // the watch catches up: the walk is from the cache
		}
		if got := walkB(); got != expect() {
			t.Fatalf("write %d (%s): the other server walks\n%.300s\nnot\n%.300s", i, k, got, expect())
		}
	}
}

// TestEtcd_TLS: a cluster that asks for client certificates is reached
// with the certificate, key and authority given, and refused without.
func TestEtcd_TLS(t *testing.T) {
	c := etcdtest.StartTLS(t, 1)
	cfg, err := ParseEtcdURL(c.URL("tls"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.CertFile, cfg.KeyFile, cfg.CAFile = c.CertFile, c.KeyFile, c.CAFile
	db, err := OpenEtcd(cfg, "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !strings.HasPrefix(db.Path(), "etcds://") {
		t.Fatalf("the database over TLS is named %s", db.Path())
	}
	ctx := context.Background()
	if err := db.CreateAgency(ctx, &briefing.Agency{Name: "Government Communications Security Bureau", Country: "New Zealand"}, briefing.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	cfg.CertFile, cfg.KeyFile = "", ""
	cfg.DialTimeout = 2 * time.Second
	if db, err := OpenEtcd(cfg, "nz"); err == nil {
		db.Close()
		t.Fatal("a client without a certificate was let in")
	}
}

// TestUpdate_PanicLetsGo: a write transaction whose function panics ends,
// so the next write on the same server is not left waiting for a writer's
// lock that nothing will give back — on either backend.
func TestUpdate_PanicLetsGo(t *testing.T) {
	c := etcdtest.Start(t, 1)
	b, e := openPair(t, c, "panic")
	for _, db := range []*DB{b, e} {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			_ = db.update(context.Background(), func(tx kvTx) error { panic("a bug in a write") })
		}()
		done := make(chan error, 1)
		go func() {
			done <- db.CreateAgency(context.Background(), &briefing.Agency{Name: "Ministry of Foreign Affairs and Trade", Country: "New Zealand"}, briefing.Actor{Name: "test"})
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the write after a panic waits for ever", db.Path())
		}
	}
}

// TestEtcd_NoQuorum: with two of three members down a write fails with an
// error in bounded time instead of holding its request, and once they are
// back the same server writes again.
func TestEtcd_NoQuorum(t *testing.T) {
	c := etcdtest.Start(t, 3)
	cfg, err := ParseEtcdURL(c.URL("quorum"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RequestTimeout = 2 * time.Second
	db, err := OpenEtcd(cfg, "nz")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	by := briefing.Actor{Name: "test"}
	c.Members[1].Kill()
	c.Members[2].Kill()
	start := time.Now()
	if err := db.CreateAgency(ctx, &briefing.Agency{Name: "Ministry of Justice", Country: "New Zealand"}, by); briefing.ErrorCode(err) != briefing.EUNAVAILABLE {
		t.Fatalf("a write without a quorum: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("the write without a quorum took %v to fail", d)
	}
	c.Members[1].Restart(t)
	c.Members[2].Restart(t)
	for i := 0; i < 50; i++ {
		if err = db.CreateAgency(ctx, &briefing.Agency{Name: "Ministry of Justice", Country: "New Zealand"}, by); err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("after the members came back: %v", err)
	}
}

// TestEtcdError_Unavailable: every form in which the client or a member
// says the cluster did not answer in time is EUNAVAILABLE (503), and
// nothing else is.
func TestEtcdError_Unavailable(t *testing.T) {
	for _, err := range []error{
		context.DeadlineExceeded,
		fmt.Errorf("reading: %w", context.DeadlineExceeded),
		status.Error(codes.Unavailable, "connection refused"),
		status.Error(codes.DeadlineExceeded, "context deadline exceeded"),
		status.Error(codes.Unknown, "context deadline exceeded"), // from a member without its quorum
		rpctypes.ErrGRPCNoLeader,
		rpctypes.ErrGRPCTimeout,
	} {
		if got := briefing.ErrorCode(etcdError(err)); got != briefing.EUNAVAILABLE {
			t.Errorf("%v: %s", err, got)
		}
	}
	for _, err := range []error{errors.New("boom"), status.Error(codes.Unknown, "something else"), rpctypes.ErrGRPCCompacted} {
		if got := briefing.ErrorCode(etcdError(err)); got == briefing.EUNAVAILABLE {
			t.Errorf("%v: %s", err, got)
		}
	}
}

// TestEtcd_ChunksNotKept: a frozen file read through the store comes back
// whole, every time, and its chunks are not kept in the server's cache of
// values. The server keeps a file it serves once, decoded (the API's cache
// of frozen files); kept as chunks here too, the same bytes were held
// twice, and each file read pushed out of the cache, a megabyte at a
// time, the records it is for.
func TestEtcd_ChunksNotKept(t *testing.T) {
	c := etcdtest.Start(t, 1)
	e := openEtcdPrefix(t, c, "chunks")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	r := firstRound(t, e, by)
	big := make([]byte, 3*chunkSize+12345)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	sn := &briefing.Snapshot{RoundID: r.ID}
	if err := e.CreateSnapshot(ctx, sn, map[string][]byte{"html": big, "xlsx": []byte("small")}, by); err != nil {
		t.Fatal(err)
	}
	kept := e.kv.(*etcdKV).cache.kept
	before := kept.Size()
	for range 3 {
		got, err := e.SnapshotFile(ctx, sn.ID, "html")
		if err != nil || !bytes.Equal(got, big) {
			t.Fatalf("the file came back %d bytes, not %d: %v", len(got), len(big), err)
		}
	}
	if grew := kept.Size() - before; grew >= chunkSize {
		t.Fatalf("reading a %d-byte file kept %d bytes in the server's cache of values", len(big), grew)
	}
}

// TestEtcd_SmallFilesNotKept: a frozen file small enough for one key (a
// small round's, or a response's letter and schedule), written and then
// read, is not kept in the server's cache of values either, whether a
// snapshot's or a release's. Kept at the commit that wrote it and again
// from the watch, a round of 300 sheets frozen with a response made each
// time kept the response's HTML, a megabyte a freeze, until the cache's
// bound: the files pushed out the records the cache is for, and the
// server held them beside its own cache of frozen files.
func TestEtcd_SmallFilesNotKept(t *testing.T) {
	c := etcdtest.Start(t, 1)
	e := openEtcdPrefix(t, c, "small")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	r := firstRound(t, e, by)
	file := func(seed uint64) []byte { // random, so compressing leaves it as large
		b := make([]byte, chunkSize/2)
		rng := rand.New(rand.NewPCG(seed, 5))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	kept := e.kv.(*etcdKV).cache.kept
	before := kept.Size()
	sn := &briefing.Snapshot{RoundID: r.ID}
	snFiles := map[string][]byte{"html": file(1), "xlsx": append([]byte("PK\x03\x04"), file(2)...)}
	if err := e.CreateSnapshot(ctx, sn, snFiles, by); err != nil {
		t.Fatal(err)
	}
	rel := &briefing.Release{RoundID: r.ID, Reference: "OIA-1"}
	relFiles := map[string][]byte{"html": file(3), "xlsx": append([]byte("PK\x03\x04"), file(4)...)}
	if err := e.CreateRelease(ctx, rel, relFiles, by); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for format, want := range snFiles {
			if got, err := e.SnapshotFile(ctx, sn.ID, format); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("the snapshot's %s file came back %d bytes, not %d: %v", format, len(got), len(want), err)
			}
		}
		for format, want := range relFiles {
			if got, err := e.ReleaseFile(ctx, rel.ID, format); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("the release's %s file came back %d bytes, not %d: %v", format, len(got), len(want), err)
			}
		}
	}
	// The watch keeps anew what is kept when it sees it written: it must
	// have seen the last commit.
	awaitWatch(t, e.kv.(*etcdKV))
	if grew := kept.Size() - before; grew >= chunkSize/2 {
		t.Fatalf("four files of %d bytes written and read kept %d bytes in the server's cache of values", chunkSize/2, grew)
	}
}

// TestEtcd_LostCommitLeavesNoChunks: a commit that loses to another
// server's deletes the chunks of the large values it wrote first, which
// nothing would ever name (a retried freeze takes a new snapshot id);
// the commit run again leaves its own chunks and no more.
func TestEtcd_LostCommitLeavesNoChunks(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := openEtcdPrefix(t, c, "lost")
	b := openEtcdPrefix(t, c, "lost")
	ctx := context.Background()
	ek := a.kv.(*etcdKV)
	chunks := func() int64 {
		t.Helper()
		resp, err := ek.cli.Get(ctx, ek.prefix+"c/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		return resp.Count
	}
	big := make([]byte, 2*chunkSize+777)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	// writing is a transaction that has put the large value, uncommitted.
	writing := func() kvTxn {
		tx, err := a.kv.begin(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		bk, err := tx.CreateBucketIfNotExists([]byte("lost-files"))
		if err != nil {
			t.Fatal(err)
		}
		if err := bk.Put([]byte("file"), big); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	write := func() error { return writing().Commit() }
	before := chunks()
	// Another server commits after this transaction began: it loses.
	tx := writing()
	if err := b.CreateAgency(ctx, &briefing.Agency{Name: "Department of Defence", Country: "Australia"}, briefing.Actor{UserID: "1", Name: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); !errors.Is(err, errRetry) {
		t.Fatalf("the commit after another server's: %v, want errRetry", err)
	}
	if n := chunks(); n != before {
		t.Fatalf("the lost commit left %d chunks", n-before)
	}
	// Run again, it commits: its three chunks stay, and read back whole.
	if err := write(); err != nil {
		t.Fatal(err)
	}
	if n := chunks(); n != before+3 {
		t.Fatalf("the commit left %d chunks, want 3", n-before)
	}
	err := b.viewKV(func(tx kvTx) error {
		if got := tx.Bucket([]byte("lost-files")).Get([]byte("file")); !bytes.Equal(got, big) {
			t.Errorf("the value came back %d bytes, not %d", len(got), len(big))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Written over, the earlier value's chunks go with it (as before).
	if err := write(); err != nil {
		t.Fatal(err)
	}
	if n := chunks(); n != before+3 {
		t.Fatalf("after a second write %d chunks, want 3", n-before)
	}
}

// firstRound makes a dialogue and its first round in db.
func firstRound(t *testing.T, db *DB, by briefing.Actor) *briefing.Round {
	t.Helper()
	ctx := context.Background()
	d := &briefing.Dialogue{Name: "Australia–New Zealand National Security Dialogue", Home: "New Zealand", Partner: "Australia",
		Established: "2014-04-07", CadenceMonths: 12}
	if err := db.CreateDialogue(ctx, d, by); err != nil {
		t.Fatal(err)
	}
	r := &briefing.Round{DialogueID: d.ID, Number: 1, StartsOn: "2026-12-01", City: "Wellington", Host: briefing.SideHome,
		Status: briefing.RoundScheduled, Marking: "RESTRICTED"}
	if err := db.CreateRound(ctx, r, by, nil); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEtcd_ValuesNearTheChunkSizeInOneCommit: a commit of several values
// each just under the chunk size (a freeze's files, a sheet and its
// history entry) is applied in parts each within etcd's default request
// limit of 1.5 MiB. Two such values in one part were refused by etcd, and
// the journal naming them held every server and command on the database.
func TestEtcd_ValuesNearTheChunkSizeInOneCommit(t *testing.T) {
	c := etcdtest.Start(t, 1)
	e := openEtcdPrefix(t, c, "near")
	ctx := context.Background()
	by := briefing.Actor{UserID: "1", Name: "alice"}
	r := firstRound(t, e, by)
	rng := rand.New(rand.NewPCG(3, 4))
	files := map[string][]byte{}
	for _, f := range []string{"html", "release.html", "xlsx"} {
		b := make([]byte, chunkSize-4096-rng.IntN(4096)) // random: no compression makes them smaller
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		files[f] = b
	}
	sn := &briefing.Snapshot{RoundID: r.ID}
	if err := e.CreateSnapshot(ctx, sn, files, by); err != nil {
		t.Fatal(err)
	}
	for f, want := range files {
		if got, err := e.SnapshotFile(ctx, sn.ID, f); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s came back %d bytes, not %d: %v", f, len(got), len(want), err)
		}
	}
	if err := e.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.CreateSnapshot(ctx, &briefing.Snapshot{RoundID: r.ID}, map[string][]byte{"html": []byte("next")}, by); err != nil {
		t.Fatalf("the write after: %v", err)
	}
}

// TestOpenEtcd_NotAnswering: a cluster that does not answer when a
// database on it is opened (a command's or a server's start) is told for
// the person who gave the address. It was the message of a request, which
// speaks of a save under way and of reloading a page.
func TestOpenEtcd_NotAnswering(t *testing.T) {
	// An address nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = OpenEtcd(EtcdConfig{Endpoints: []string{"http://" + addr}, DialTimeout: 200 * time.Millisecond}, "")
	want := "etcd at " + addr + " did not answer within 200ms: is it running, and is the endpoint right?"
	if err == nil || err.Error() != want {
		t.Fatalf("%v, want %q", err, want)
	}
}

// TestEtcd_ValueReadBehindTheWatchIsKept: a value a transaction reads
// from etcd is kept in the server's cache even when the watch has passed
// the transaction's revision by the time it comes back, as long as the
// bucket's changes since, known one by one, show none to its key: a pack
// reads some 300 sheets as of the revision its request began at, and
// while other servers saved every few milliseconds none of what it read
// was kept, so that each pack on a server that had not read them before
// read them all from etcd again, a round trip each. A value that changed
// since, or whose bucket changed more than its known changes cover, is
// not kept: the next read finds the new one.
func TestEtcd_ValueReadBehindTheWatchIsKept(t *testing.T) {
	c := etcdtest.Start(t, 1)
	reader := openEtcdPrefix(t, c, "behind")
	writer := openEtcdPrefix(t, c, "behind")
	ctx := context.Background()
	name := []byte("sheets")
	put := func(kvs ...string) {
		t.Helper()
		if err := writer.update(ctx, func(tx kvTx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			for i := 0; i+1 < len(kvs); i += 2 {
				if err := b.Put([]byte(kvs[i]), []byte(kvs[i+1])); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	rk := reader.kv.(*etcdKV)
	// caughtUp waits for the reader's watch to reach the cluster's latest
	// revision.
	caughtUp := func() {
		t.Helper()
		resp, err := rk.cli.Get(ctx, rk.revKey())
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			rk.cache.mu.Lock()
			at := rk.cache.watchRev
			rk.cache.mu.Unlock()
			if at >= resp.Header.Revision {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the watch is at %d, not %d, after 10 s", at, resp.Header.Revision)
			}
		}
	}
	get := func(tx kvTxn, key string) string {
		t.Helper()
		v := string(tx.Bucket(name).Get([]byte(key)))
		if err := tx.(*etcdTx).failure(); err != nil {
			t.Fatal(err)
		}
		return v
	}
	put("unchanged", "u1", "changed", "c1", "lost", "l1", "other", "o1")
	caughtUp()

	old, err := rk.begin(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Rollback()
	put("other", "o2", "changed", "c2") // another server's saves
	caughtUp()
	for key, want := range map[string]string{"unchanged": "u1", "changed": "c1"} {
		if got := get(old, key); got != want {
			t.Fatalf("%s read as of the older revision: %q, not %q", key, got, want)
		}
	}
	now, err := rk.begin(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	reads := rk.reads.Load()
	if got := get(now, "unchanged"); got != "u1" {
		t.Fatalf("unchanged read again: %q, not u1", got)
	}
	if n := rk.reads.Load() - reads; n != 0 {
		t.Errorf("a value read behind the watch, not changed since, was read from etcd again (%d reads): it was not kept", n)
	}
	if got := get(now, "changed"); got != "c2" {
		t.Fatalf("a value changed after the older revision read again: %q, not c2", got)
	}
	now.Rollback()

	// More changes to the bucket than are known one by one: "lost" changed
	// among those forgotten, and its old value is not kept.
	old, err = rk.begin(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Rollback()
	put("lost", "l2")
	for i := 0; i < keptChanges/50+1; i++ {
		var kvs []string
		for j := 0; j < 60; j++ {
			kvs = append(kvs, fmt.Sprintf("filler-%d-%d", i, j), "f")
		}
		put(kvs...)
	}
	caughtUp()
	if got := get(old, "lost"); got != "l1" {
		t.Fatalf("lost read as of the older revision: %q, not l1", got)
	}
	now, err = rk.begin(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer now.Rollback()
	if got := get(now, "lost"); got != "l2" {
		t.Fatalf("a value changed among changes no longer known one by one read again: %q, not l2", got)
	}
}

// TestEtcd_CacheAnswersAsEtcd: whatever a server's cache of values
// answers is what etcd holds at the transaction's revision. One server
// reads a bucket's keys in long transactions, as a pack does, while two
// others, and it itself, write some of them; every value it reads is
// compared with etcd's own answer at that revision.
func TestEtcd_CacheAnswersAsEtcd(t *testing.T) {
	c := etcdtest.Start(t, 1)
	reader := openEtcdPrefix(t, c, "same")
	writers := []*DB{openEtcdPrefix(t, c, "same"), openEtcdPrefix(t, c, "same"), reader}
	ctx := context.Background()
	name := []byte("sheets")
	const keys = 120
	key := func(i int) string { return fmt.Sprintf("k%03d", i) }
	put := func(db *DB, kvs map[string]string) error {
		return db.update(ctx, func(tx kvTx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			for k, v := range kvs {
				if err := b.Put([]byte(k), []byte(v)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	all := map[string]string{}
	for i := range keys {
		all[key(i)] = "v0"
	}
	if err := put(writers[0], all); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, len(writers))
	for w, db := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				kvs := map[string]string{}
				for range 1 + rng.IntN(3) {
					kvs[key(rng.IntN(keys))] = fmt.Sprintf("w%d-%d", w, n)
				}
				if err := put(db, kvs); err != nil {
					errs <- err
					return
				}
				if w == len(writers)-1 {
					time.Sleep(20 * time.Millisecond) // the reader writes now and then
				}
			}
		}()
	}
	rk := reader.kv.(*etcdKV)
	rng := rand.New(rand.NewPCG(3, 9))
	deadline := time.Now().Add(3 * time.Second)
	compared := 0
	for round := 0; time.Now().Before(deadline); round++ {
		tx, err := rk.begin(briefing.WithReadPin(ctx), false)
		if err != nil {
			t.Fatal(err)
		}
		et := tx.(*etcdTx)
		for _, i := range rng.Perm(keys)[:40] {
			got := tx.Bucket(name).Get([]byte(key(i)))
			if err := et.failure(); err != nil {
				t.Fatal(err)
			}
			resp, err := rk.cli.Get(ctx, rk.dataPrefix(name)+key(i), clientv3.WithRev(et.rev))
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if len(resp.Kvs) == 1 {
				want = string(resp.Kvs[0].Value[1:])
			}
			if string(got) != want {
				t.Fatalf("round %d: %s read as %q at revision %d, where etcd holds %q", round, key(i), got, et.rev, want)
			}
			compared++
		}
		tx.Rollback()
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d values compared", compared)
}

// awaitWatch waits until k's watch has seen the last commit made to its
// database.
func awaitWatch(t *testing.T, k *etcdKV) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := k.awaitWatch(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestEtcd_TLSHalfAPair: a client certificate given without its key, or a
// key without its certificate, is refused saying which is missing, before
// any connection: before, the certificate alone was refused as "open : no
// such file or directory", naming no file and no flag.
func TestEtcd_TLSHalfAPair(t *testing.T) {
	for _, tc := range []struct{ cert, key, want string }{
		{"client.pem", "", "give its private key too (--etcd-key, or BRIEFPACK_ETCD_KEY)"},
		{"", "client-key.pem", "give its certificate too (--etcd-cert, or BRIEFPACK_ETCD_CERT)"},
	} {
		cfg, err := ParseEtcdURL("etcd://127.0.0.1:1/half")
		if err != nil {
			t.Fatal(err)
		}
		cfg.CertFile, cfg.KeyFile = tc.cert, tc.key
		db, err := OpenEtcd(cfg, "nz")
		if err == nil {
			db.Close()
			t.Fatalf("cert %q, key %q: opened", tc.cert, tc.key)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("cert %q, key %q: %v", tc.cert, tc.key, err)
		}
	}
}

// TestEtcd_CredentialsHalfAPair: a user without a password, or a password
// without a user, is refused naming what is missing, before any
// connection: the client sends a user only with its password, so either
// alone was dropped without a word.
func TestEtcd_CredentialsHalfAPair(t *testing.T) {
	for _, tc := range []struct{ user, password, want string }{
		{"briefpack", "", "etcd user briefpack: give its password too (--etcd-password-file, or BRIEFPACK_ETCD_PASSWORD)"},
		{"", "a password for the briefpack user", "an etcd password: give its user too (--etcd-user, or BRIEFPACK_ETCD_USER)"},
	} {
		cfg, err := ParseEtcdURL("etcd://127.0.0.1:1/half")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Username, cfg.Password = tc.user, tc.password
		cfg.DialTimeout = 200 * time.Millisecond
		db, err := OpenEtcd(cfg, "nz")
		if err == nil {
			db.Close()
			t.Fatalf("user %q, password %q: opened", tc.user, tc.password)
		}
		if !strings.Contains(err.Error(), tc.want) || (tc.password != "" && strings.Contains(err.Error(), tc.password)) {
			t.Errorf("user %q: %v", tc.user, err)
		}
	}
}
