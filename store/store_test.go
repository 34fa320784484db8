package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/store"
)

var (
	ctx   = context.Background()
	alice = briefing.Actor{UserID: "1", Name: "alice"}
)

// epoch is the first time of the test clock.
var epoch = time.Date(2018, 6, 1, 9, 0, 0, 0, time.UTC)

// MustOpenDB opens a new nz database in a temporary directory with a clock
// that ticks a second per write. Its cleanup checks the database (bbolt's
// consistency check and briefpack's invariants), then closes it.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db := openNew(tb)
	var mu sync.Mutex
	tick := 0
	db.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		tick++
		return epoch.Add(time.Duration(tick) * time.Second)
	}
	tb.Cleanup(func() {
		if err := db.Check(context.Background()); err != nil {
			tb.Errorf("check: %v", err)
		}
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return db
}

// assertError fails unless err has the code and, if message is not empty,
// exactly that message.
func assertError(tb testing.TB, err error, code, message string) {
	tb.Helper()
	if got := briefing.ErrorCode(err); got != code {
		tb.Fatalf("error code %q, want %q (%v)", got, code, err)
	}
	if got := briefing.ErrorMessage(err); message != "" && got != message {
		tb.Fatalf("error message %q, want %q", got, message)
	}
}

func mustAgency(tb testing.TB, db *store.DB, name string) *briefing.Agency {
	tb.Helper()
	a := &briefing.Agency{Name: name, Acronym: "DPMC", Country: "New Zealand"}
	if err := db.CreateAgency(ctx, a, alice); err != nil {
		tb.Fatal(err)
	}
	return a
}

func mustDialogue(tb testing.TB, db *store.DB) *briefing.Dialogue {
	tb.Helper()
	d := &briefing.Dialogue{Name: "Australia–New Zealand National Security Dialogue", Home: "New Zealand", Partner: "Australia",
		Established: "2014-04-07", CadenceMonths: 12}
	if err := db.CreateDialogue(ctx, d, alice); err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustRound(tb testing.TB, db *store.DB, dialogueID string, number int) *briefing.Round {
	tb.Helper()
	r := &briefing.Round{DialogueID: dialogueID, Number: number, StartsOn: "2018-06-19", City: "Wellington", Host: briefing.SideHome,
		Status: briefing.RoundScheduled, Marking: "RESTRICTED"}
	if err := db.CreateRound(ctx, r, alice, nil); err != nil {
		tb.Fatal(err)
	}
	return r
}

func mustSheet(tb testing.TB, db *store.DB, roundID, title string) *briefing.Sheet {
	tb.Helper()
	sh := &briefing.Sheet{RoundID: roundID, Title: title, Owner: "Cyber Policy Office", Status: briefing.SheetDraft,
		Sections: []briefing.Section{{Kind: briefing.SectionSituation, Paragraphs: []briefing.Paragraph{
			{Text: "Cybercrime is a low-risk, high-return enterprise.", Marking: "IN-CONFIDENCE"},
			{Text: "We assess {{s6(a): a named state actor}} is active.", Marking: "SECRET", Withhold: "s6(a)"},
		}}}}
	if err := db.CreateSheet(ctx, sh, alice); err != nil {
		tb.Fatal(err)
	}
	return sh
}

func mustAction(tb testing.TB, db *store.DB, dialogueID, ref string) *briefing.Action {
	tb.Helper()
	a := &briefing.Action{DialogueID: dialogueID, Ref: ref, Text: "Exchange threat assessments.", Status: briefing.ActionOnTrack}
	if err := db.CreateAction(ctx, a, alice); err != nil {
		tb.Fatal(err)
	}
	return a
}

func TestOpen(t *testing.T) {
	t.Run("NewDatabase", func(t *testing.T) {
		for _, tc := range []struct{ jurisdiction, want, act string }{
			{"", "nz", "Official Information Act 1982"},
			{"nz", "nz", "Official Information Act 1982"},
			{"au", "au", "Freedom of Information Act 1982"},
		} {
			db, err := store.Open(filepath.Join(t.TempDir(), "new.db"), tc.jurisdiction)
			if err != nil {
				t.Fatal(err)
			}
			s, err := db.Settings(ctx)
			if err != nil || s.Jurisdiction != tc.want || s.Act != tc.act {
				t.Errorf("jurisdiction %q: settings %+v, %v", tc.jurisdiction, s, err)
			}
			if err := db.Check(ctx); err != nil {
				t.Error(err)
			}
			db.Close()
		}
	})

	t.Run("ReopenKeepsDataAndSettings", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "au.db")
		db, err := store.Open(path, "au")
		if err != nil {
			t.Fatal(err)
		}
		d := mustDialogue(t, db)
		r := mustRound(t, db, d.ID, 2)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		for i, jurisdiction := range []string{"", "au"} {
			db, err = store.Open(path, jurisdiction)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := db.Settings(ctx)
			got, err := db.Round(ctx, r.ID)
			if err != nil || got.City != "Wellington" || got.DialogueID != d.ID || got.Version != 1 {
				t.Fatalf("round after reopening: %+v, %v", got, err)
			}
			if s.Jurisdiction != "au" || s.Markings[2] != "OFFICIAL:Sensitive" {
				t.Fatalf("settings after reopening with %q: %+v", jurisdiction, s)
			}
			// New ids carry on after the old ones.
			if next := mustRound(t, db, d.ID, 3+i); next.ID == r.ID {
				t.Fatalf("id %s handed out twice", r.ID)
			}
			db.Close()
		}
	})

	// A database is named once, when it is created or first opened by a
	// release that names databases, and keeps its name: calendar UIDs are
	// made of it.
	t.Run("InstanceKept", func(t *testing.T) {
		instance := func(path string) string {
			t.Helper()
			db, err := store.Open(path, "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			s, _ := db.Settings(ctx)
			return s.Instance
		}
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
		first := instance(a)
		if first == "" || instance(a) != first {
			t.Fatalf("instance %q, then %q on reopening", first, instance(a))
		}
		if other := instance(b); other == "" || other == first {
			t.Fatalf("two databases named %q and %q", first, other)
		}
		old := releaseFile(t, "release1")
		named := instance(old)
		if named == "" || instance(old) != named {
			t.Fatalf("a database of the first release named %q, then %q", named, instance(old))
		}
		if err := store.CheckFile(old); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrJurisdictionMismatch", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nz.db")
		db, err := store.Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, err = store.Open(path, "au")
		assertError(t, err, briefing.EINVALID, "database "+path+" was created for jurisdiction nz and cannot be used as au: "+
			"the command that creates a database fixes its jurisdiction")
	})

	t.Run("ErrUnknownJurisdiction", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "xx.db")
		_, err := store.Open(path, "xx")
		assertError(t, err, briefing.EINVALID, `unknown jurisdiction "xx": use nz or au`)
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a refused open left a file behind: %v", err)
		}
	})

	t.Run("ErrInUse", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "busy.db")
		db, err := store.Open(path, "nz")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		start := time.Now()
		_, err = store.Open(path, "nz", store.Options{Timeout: 50 * time.Millisecond})
		if err == nil || err.Error() != "database "+path+" is in use by another briefpack process" || !errors.Is(err, store.ErrInUse) {
			t.Fatalf("second open: %v", err)
		}
		if took := time.Since(start); took > 900*time.Millisecond {
			t.Fatalf("second open took %v", took)
		}
		if err := store.CheckFile(path); !errors.Is(err, store.ErrInUse) {
			t.Fatalf("check of a held file: %v", err)
		}
	})

	t.Run("ErrNotADatabase", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "junk.db")
		if err := os.WriteFile(path, bytes.Repeat([]byte("junk"), 4096), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Open(path, "nz"); err == nil || briefing.ErrorCode(err) != briefing.EINTERNAL {
			t.Fatalf("opened junk: %v", err)
		}
		if err := store.CheckFile(path); err == nil {
			t.Fatal("checked junk")
		}
	})
}

func TestDB_Backup(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 1)
	sh := mustSheet(t, db, r.ID, "Counter-terrorism")
	if err := db.CreateSnapshot(ctx, &briefing.Snapshot{RoundID: r.ID}, map[string][]byte{"html": []byte("<p>pack</p>")}, alice); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "backup.db")
	var buf bytes.Buffer
	n, err := db.Backup(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("backup: %d bytes, %v (buffer %d)", n, err, buf.Len())
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckFile(path); err != nil {
		t.Fatal(err)
	}
	copyDB, err := store.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if err := copyDB.Check(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := copyDB.Sheet(ctx, sh.ID)
	if err != nil || got.Title != "Counter-terrorism" || len(got.Sections[0].Paragraphs) != 2 {
		t.Fatalf("sheet in the backup: %+v, %v", got, err)
	}
	if s, _ := copyDB.Settings(ctx); s.Jurisdiction != "nz" {
		t.Fatalf("backup settings %+v", s)
	}
}

func TestDB_Check(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "check.db")
		db, err := store.Open(path, "au")
		if err != nil {
			t.Fatal(err)
		}
		d := mustDialogue(t, db)
		r := mustRound(t, db, d.ID, 1)
		mustSheet(t, db, r.ID, "Cyber")
		mustAction(t, db, d.ID, "3.01")
		if err := db.CreateUser(ctx, &briefing.User{Name: "bob", Role: briefing.RoleViewer, Clearance: "SECRET"}, alice); err != nil {
			t.Fatal(err)
		}
		if err := db.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := store.CheckFile(path); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		if err := store.CheckFile(filepath.Join(t.TempDir(), "none.db")); err == nil || !strings.Contains(err.Error(), "none.db") {
			t.Fatalf("check of a missing file: %v", err)
		}
	})
}

func TestDB_Context(t *testing.T) {
	db := MustOpenDB(t)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	a := &briefing.Agency{Name: "NCSC", Country: "New Zealand"}
	if err := db.CreateAgency(cancelled, a, alice); !errors.Is(err, context.Canceled) {
		t.Fatalf("create with a cancelled context: %v", err)
	}
	if as, _, _ := db.Agencies(ctx, briefing.Page{}); len(as) != 0 || a.ID != "" {
		t.Fatalf("written anyway: %d agencies, id %q", len(as), a.ID)
	}
}

// TestRevision grows with every write of an object, in the transaction
// that writes it, and with nothing else.
func TestRevision(t *testing.T) {
	ctx := context.Background()
	db := openNew(t)
	defer db.Close()
	r0, err := db.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := &briefing.Agency{Name: "Department of the Prime Minister and Cabinet", Acronym: "DPMC", Country: "New Zealand"}
	if err := db.CreateAgency(ctx, a, briefing.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	r1, _ := db.Revision(ctx)
	if r1 <= r0 {
		t.Fatalf("a create left the revision at %d (was %d)", r1, r0)
	}
	if _, err := db.Agency(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	stale := *a
	stale.Version = 7
	if err := db.UpdateAgency(ctx, &stale, briefing.Actor{Name: "test"}); err == nil {
		t.Fatal("a stale update was taken")
	}
	if r, _ := db.Revision(ctx); r != r1 {
		t.Fatalf("a read or a refused write moved the revision: %d, want %d", r, r1)
	}
	a.Acronym = "PMC"
	if err := db.UpdateAgency(ctx, a, briefing.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	if r, _ := db.Revision(ctx); r <= r1 {
		t.Fatalf("an update left the revision at %d", r)
	}
}

// TestReserveAttempt: sign-in attempts are counted in the store, so two
// servers on one database count the same ones: past the limit, refused
// with the time left; a success gives its count back; a new window starts
// afresh.
func TestReserveAttempt(t *testing.T) {
	ctx := context.Background()
	db := openNew(t)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if ok, _, err := db.ReserveAttempt(ctx, "k", 3, time.Minute, now.Add(time.Duration(i)*time.Second)); !ok || err != nil {
			t.Fatalf("attempt %d refused: %v", i, err)
		}
	}
	ok, retry, err := db.ReserveAttempt(ctx, "k", 3, time.Minute, now.Add(10*time.Second))
	if ok || err != nil || retry != 50*time.Second {
		t.Fatalf("a fourth attempt: %v %v %v", ok, retry, err)
	}
	if ok, _, _ := db.ReserveAttempt(ctx, "other", 3, time.Minute, now); !ok {
		t.Fatal("another key was refused")
	}
	if err := db.ReleaseAttempt(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	// What one server counted, the next one opening the file sees.
	db.Close()
	db = reopen(t, db)
	defer db.Close()
	if ok, _, _ := db.ReserveAttempt(ctx, "k", 3, time.Minute, now.Add(20*time.Second)); !ok {
		t.Fatal("a released attempt was not given back")
	}
	if ok, _, _ := db.ReserveAttempt(ctx, "k", 3, time.Minute, now.Add(21*time.Second)); ok {
		t.Fatal("the limit does not hold after a reopen")
	}
	if ok, _, _ := db.ReserveAttempt(ctx, "k", 3, time.Minute, now.Add(61*time.Second)); !ok {
		t.Fatal("a new window did not start afresh")
	}
}

// TestReserveAttempt_AllGivenBack: a window whose attempts were all given
// back is opened afresh by the next attempt, which is held a whole window
// from its own time: a form's id, given back by a sending refused 59
// minutes before the one that acted, was free again a minute after it.
func TestReserveAttempt_AllGivenBack(t *testing.T) {
	ctx := context.Background()
	db := openNew(t)
	defer db.Close()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	if ok, _, err := db.ReserveAttempt(ctx, "form\x00once", 1, time.Hour, now); !ok || err != nil {
		t.Fatalf("the refused sending: %v %v", ok, err)
	}
	if err := db.ReleaseAttempt(ctx, "form\x00once"); err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := db.ReserveAttempt(ctx, "form\x00once", 1, time.Hour, now.Add(59*time.Minute)); !ok {
		t.Fatal("the id given back was not free")
	}
	ok, retry, err := db.ReserveAttempt(ctx, "form\x00once", 1, time.Hour, now.Add(61*time.Minute))
	if ok || err != nil || retry != 58*time.Minute {
		t.Errorf("sent again 2 minutes after the sending that acted: %v, %v left, %v; want refused, 58m0s left", ok, retry, err)
	}
}

// TestSheetService_ClearSheet: a sheet is cleared only while no comment on
// it is open, judged in the transaction that clears it; comments made at
// the same moment from other servers either stop the clearing or come
// after it, never before it unseen.
func TestSheetService_ClearSheet(t *testing.T) {
	db := MustOpenDB(t)
	d := mustDialogue(t, db)
	r := mustRound(t, db, d.ID, 1)
	sh := mustSheet(t, db, r.ID, "Cyber")
	para := sh.Sections[0].Paragraphs[0].ID
	comment := func() *briefing.Comment {
		t.Helper()
		c := &briefing.Comment{SheetID: sh.ID, ParagraphID: para, Text: "Say which sector.", Marking: "IN-CONFIDENCE", By: "lead"}
		if err := db.CreateComment(ctx, c, alice); err != nil {
			t.Fatal(err)
		}
		return c
	}
	clear := func() (int, error) {
		cur, err := db.Sheet(ctx, sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Status = briefing.SheetCleared
		return db.ClearSheet(ctx, cur, alice)
	}
	c := comment()
	if open, err := clear(); err != nil || open != 1 {
		t.Fatalf("cleared with a comment open: %d, %v", open, err)
	}
	if cur, _ := db.Sheet(ctx, sh.ID); cur.Version != sh.Version || cur.Status != briefing.SheetDraft {
		t.Fatalf("a refused clearing wrote version %d (%s)", cur.Version, cur.Status)
	}
	c.Resolved = true
	if err := db.UpdateComment(ctx, c, alice); err != nil {
		t.Fatal(err)
	}
	if open, err := clear(); err != nil || open != 0 {
		t.Fatalf("clearing once resolved: %d, %v", open, err)
	}
	// At the same moment, on etcd through another handle (another
	// server): each time, either the comment came first and the clearing
	// wrote nothing, or the sheet was cleared first.
	other := db
	if store.IsEtcdURL(db.Path()) {
		other = reopen(t, db)
		defer other.Close()
	}
	raced := 0
	for i := 0; i < 20; i++ {
		cur, _ := db.Sheet(ctx, sh.ID)
		cur.Status = briefing.SheetSubmitted
		if err := db.UpdateSheet(ctx, cur, alice); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var open int
		var cerr error
		c := &briefing.Comment{SheetID: sh.ID, ParagraphID: para, Text: fmt.Sprintf("Comment %d.", i), Marking: "IN-CONFIDENCE", By: "lead"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := other.CreateComment(ctx, c, alice); err != nil {
				t.Error(err)
			}
		}()
		open, cerr = clear()
		wg.Wait()
		if cerr != nil {
			t.Fatal(cerr)
		}
		after, _ := db.Sheet(ctx, sh.ID)
		if (open == 0) != (after.Status == briefing.SheetCleared) {
			t.Fatalf("run %d: %d open, and the sheet is %s", i, open, after.Status)
		}
		// The audit log is the order of the commits.
		recs, _, err := db.Audit(ctx, briefing.Page{Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		var commented, cleared uint64
		for _, rec := range recs {
			switch {
			case rec.Kind == "comment" && rec.ObjectID == c.ID && rec.Op == "create":
				commented = rec.Seq
			case rec.Kind == "sheet" && rec.ObjectID == sh.ID && rec.ToVersion == after.Version && after.Status == briefing.SheetCleared:
				cleared = rec.Seq
			}
		}
		if commented == 0 {
			t.Fatalf("run %d: the comment's audit record is not among the last five: %+v", i, recs)
		}
		if cleared != 0 && commented < cleared {
			t.Fatalf("run %d: the sheet was cleared after a comment was made, which was open", i)
		}
		if cleared != 0 {
			raced++
		}
		// Resolve them all for the next run.
		cs, _, err := db.Comments(ctx, sh.ID, briefing.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if !c.Resolved {
				c.Resolved = true
				if err := db.UpdateComment(ctx, c, alice); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	t.Logf("cleared before the comment in %d runs of 20, stopped by it in the others", raced)
}
