package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/store"
)

// TestDamagedFile runs every command that opens a database on a file cut
// short (to half, to 10,000 bytes, to 8 KB) and on an empty one: each answers
// with one line on standard error and exit code 1 — no panic, no fault, and
// an empty file is never taken for a new database.
func TestDamagedFile(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	seed := exec.Command(bin, "user", "add", "--db", good, "--name", "admin", "--role", "admin", "--clearance", "TOP SECRET")
	seed.Stdin = strings.NewReader("a long enough password for the admin\n")
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v %s", err, out)
	}
	// Grow it past a few pages so that a cut lands inside the data.
	for i := 0; i < 30; i++ {
		add := exec.Command(bin, "user", "add", "--db", good, "--name", "user"+strings.Repeat("x", i), "--role", "viewer", "--clearance", "RESTRICTED")
		add.Stdin = strings.NewReader("a long enough password for a viewer\n")
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("add: %v %s", err, out)
		}
	}
	full, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// The file is grown ahead of its data, in zeros: cut within the data.
	used := len(bytes.TrimRight(full, "\x00"))
	for _, size := range []int{used / 2, 10000, 8192, 0} {
		bad := filepath.Join(dir, "bad.db")
		if err := os.WriteFile(bad, full[:size], 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"check", "--db", bad},
			{"serve", "--db", bad, "--addr", "127.0.0.1:0"},
			{"user", "add", "--db", bad, "--name", "x", "--role", "viewer", "--clearance", "RESTRICTED"},
			{"export", "--db", bad, "--round", "1", "--format", "html", "--out", filepath.Join(dir, "x.html")},
			{"backup", "--db", bad, "--out", filepath.Join(dir, "backup.db")},
			{"restore", "--from", bad, "--db", filepath.Join(dir, "restored.db")},
		} {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Stdin = strings.NewReader("a long enough password for x\n")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			cancel()
			code := cmd.ProcessState.ExitCode()
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if err == nil || code != 1 || len(lines) != 1 || strings.Contains(stderr.String(), "goroutine") || !strings.Contains(stderr.String(), "damaged") {
				t.Errorf("%d-byte file, %s: exit %d, stderr %q", size, args[0], code, stderr.String())
			}
		}
		after, _ := os.ReadFile(bad)
		if len(after) != size {
			t.Errorf("%d-byte file: a command changed it to %d bytes", size, len(after))
		}
	}
}

// TestHeaderTooLarge sends the real server an over-long request line: the
// answer is 431 in the error shape, not net/http's plain text.
func TestHeaderTooLarge(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "h.db")
	addUser(t, bin, db, "admin", "admin", "TOP SECRET", "a long enough password for the admin")
	srv := startServer(t, bin, db)
	resp, err := http.Get(srv.url + "/api/v1/search?q=" + strings.Repeat("a", 100<<10))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 431 || !strings.HasPrefix(string(b), `{"error":{"code":"header_too_large"`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

// TestSessionSurvivesRestart: sessions are kept in the store, so a server
// killed and started again on the same database still honours them, and a
// sign-out ends them for good.
func TestSessionSurvivesRestart(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "s.db")
	const pw = "a long enough password for the lead"
	addUser(t, bin, db, "lead", "lead", "SECRET", pw)
	srv := startServer(t, bin, db)
	c := signInAs(t, srv.url, "lead", pw)
	srv.kill()
	srv = startServer(t, bin, db)
	defer srv.kill()
	c.url = srv.url
	if code, _, b := c.do("GET", "/api/v1/me", nil); code != 200 {
		t.Fatalf("after a restart the session is gone: %d %s", code, b)
	}
	if code, _, _ := c.do("POST", "/api/v1/logout", nil); code != 204 {
		t.Fatalf("logout: %d", code)
	}
	if code, _, _ := c.do("GET", "/api/v1/me", nil); code != 401 {
		t.Fatalf("after logout: %d", code)
	}
}

// leafPages returns the leaf pages of a bucket of a bbolt file, in key
// order, read from the file's bytes (the layout of
// go.etcd.io/bbolt/internal/common), and the file's page size: the test
// damages one behind the store's back.
func leafPages(t *testing.T, raw []byte, bucket string) (pageSize int, leaves []int) {
	t.Helper()
	le := binary.LittleEndian
	pageSize = int(le.Uint32(raw[24:]))
	meta := 16 // the meta page with the higher transaction id
	if le.Uint64(raw[pageSize+16+48:]) > le.Uint64(raw[16+48:]) {
		meta += pageSize
	}
	var walk func(id int, fn func(page int))
	walk = func(id int, fn func(page int)) {
		p := raw[id*pageSize:]
		if le.Uint16(p[8:]) == 0x02 {
			fn(id)
			return
		}
		for i := 0; i < int(le.Uint16(p[10:])); i++ {
			walk(int(le.Uint64(p[16+i*16+8:])), fn)
		}
	}
	root := 0
	walk(int(le.Uint64(raw[meta+16:])), func(id int) {
		p := raw[id*pageSize:]
		for i := 0; i < int(le.Uint16(p[10:])); i++ {
			e := p[16+i*16:]
			pos, ksize := int(le.Uint32(e[4:])), int(le.Uint32(e[8:]))
			if le.Uint32(e)&1 == 1 && string(e[pos:pos+ksize]) == bucket {
				root = int(le.Uint64(e[pos+ksize:]))
			}
		}
	})
	if root == 0 {
		t.Fatalf("bucket %s is not in pages of its own", bucket)
	}
	walk(root, func(id int) { leaves = append(leaves, id) })
	return pageSize, leaves
}

// damagedPageDB makes a database at db with an admin signed in by pw and
// a round of 60 sheets, and damages a page of the sheets, in the middle of
// them, as a disk might: the second element of a leaf page points far past
// the page, out of the map of the file, where bbolt reads when it compares
// or copies that key. It returns the round.
func damagedPageDB(t *testing.T, bin, db, pw string) *briefing.Round {
	t.Helper()
	addUser(t, bin, db, "admin", "admin", "TOP SECRET", pw)
	st, err := store.Open(db, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	by := briefing.Actor{Name: "test"}
	d := &briefing.Dialogue{Name: "Dialogue", Home: "New Zealand", Partner: "Australia"}
	r := &briefing.Round{Number: 1, Host: briefing.SideHome, Status: briefing.RoundScheduled, Marking: "RESTRICTED"}
	if err := st.CreateDialogue(ctx, d, by); err != nil {
		t.Fatal(err)
	}
	r.DialogueID = d.ID
	if err := st.CreateRound(ctx, r, by, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 60; i++ {
		sh := &briefing.Sheet{RoundID: r.ID, Title: fmt.Sprintf("Sheet %d", i), Sections: []briefing.Section{{Kind: briefing.SectionSituation,
			Paragraphs: []briefing.Paragraph{{Text: strings.Repeat("A paragraph of the situational assessment. ", 8), Marking: "RESTRICTED"}}}}}
		if err := st.CreateSheet(ctx, sh, by); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	ps, leaves := leafPages(t, raw, "sheets")
	if len(leaves) < 3 {
		t.Fatalf("the sheets are on %d leaf pages", len(leaves))
	}
	binary.LittleEndian.PutUint32(raw[leaves[len(leaves)/2]*ps+16+16+4:], 0x7ff00000)
	if err := os.WriteFile(db, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDamagedPage damages a page of a database's sheets (damagedPageDB).
// check, restore and copy refuse the file and export
// fails, each with one line naming it as damaged and exit code 1; a server
// starts on it (its quick check reads only the first and last pages), logs
// the damage its warm-up meets and goes on serving: a request that reads
// the page is answered 500 in the error shape, the others as before. No
// stack trace anywhere.
func TestDamagedPage(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "pages.db")
	const pw = "a long enough password for the admin"
	r := damagedPageDB(t, bin, db, pw)

	oneLine := func(what, stderr string) {
		t.Helper()
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "database "+db+" is damaged") ||
			strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
			t.Errorf("%s: stderr %q, want one line saying %s is damaged", what, stderr, db)
		}
	}
	for _, args := range [][]string{
		{"check", "--db", db},
		{"restore", "--from", db, "--db", filepath.Join(dir, "restored.db")},
		{"copy", "--from", db, "--to", filepath.Join(dir, "copied.db")},
		{"export", "--db", db, "--round", r.ID, "--format", "html", "--out", filepath.Join(dir, "pack.html")},
	} {
		cmd := exec.Command(bin, args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != 1 {
			t.Errorf("%s: exit %d", args[0], code)
		}
		oneLine(args[0], stderr.String())
	}
	for _, f := range []string{"restored.db", "copied.db", "pack.html"} {
		if _, err := os.Lstat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("%s was written: %v", f, err)
		}
	}

	logFile := filepath.Join(dir, "serve.log")
	logw, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer logw.Close()
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = logw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	srv := &process{cmd: cmd, url: waitForURL(t, stdout)}
	t.Cleanup(srv.kill)
	exited := make(chan struct{})
	go func() { cmd.Process.Wait(); close(exited) }()
	logged := func() string { b, _ := os.ReadFile(logFile); return string(b) }
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(logged(), "rendering the stored paragraphs"); {
		if time.Now().After(deadline) {
			t.Fatalf("the warm-up logged no damage:\n%s", logged())
		}
		time.Sleep(50 * time.Millisecond)
	}
	c := signInAs(t, srv.url, "admin", pw)
	code, _, b := c.do("GET", "/api/v1/rounds/"+r.ID+"/sheets?limit=1000", nil)
	if code != 500 || !strings.HasPrefix(string(b), `{"error":{"code":"internal"`) {
		t.Errorf("the sheets of the damaged page: %d %s", code, b)
	}
	for _, path := range []string{"/healthz", "/api/v1/rounds/" + r.ID, "/api/v1/dialogues"} {
		if code, _, b := c.do("GET", path, nil); code != 200 {
			t.Errorf("%s after the damage: %d %s", path, code, b)
		}
	}
	select {
	case <-exited:
		t.Fatalf("the server died:\n%s", logged())
	default:
	}
	log := logged()
	if strings.Count(log, "database "+db+" is damaged") < 2 || strings.Contains(log, "goroutine ") || strings.Contains(log, "panic") {
		t.Errorf("the server's log:\n%s", log)
	}
}

// TestBackup_DamagedPage backs up a database with a damaged page, which
// bbolt's copy of the file carries over as it is. Before, backup wrote it
// and said "backed up": a damaged backup, found only when restore refused
// it. Now the copy's pages are checked before it is renamed into place
// (bbolt's check), and backup fails with one line saying the database is
// damaged, leaving neither the backup nor its partial file.
func TestBackup_DamagedPage(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "pages.db")
	damagedPageDB(t, bin, db, "a long enough password for the admin")
	out := filepath.Join(dir, "backup.db")
	cmd := exec.Command(bin, "backup", "--db", db, "--out", out)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	e := stderr.String()
	if code := cmd.ProcessState.ExitCode(); code != 1 || strings.Count(e, "\n") != 1 || !strings.Contains(e, "database "+db+" is damaged") ||
		strings.Contains(e, "goroutine") || stdout.String() != "" {
		t.Errorf("backup of a damaged database: exit %d, stdout %q, stderr %q", code, stdout.String(), e)
	}
	if _, err := os.Lstat(out); !os.IsNotExist(err) {
		t.Errorf("the damaged backup was kept: %v", err)
	}
	if p := partials(t, out); len(p) != 0 {
		t.Errorf("left behind: %v", p)
	}
}

// TestWriteNew_ErrNamesThePath: a file that cannot be written is named as
// the user gave it, not by the partial file it was being written through.
func TestWriteNew_ErrNamesThePath(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	addUser(t, bin, db, "admin", "admin", "TOP SECRET", "a long enough password for the admin")
	missing := filepath.Join(dir, "nodir", "x.db")
	for _, args := range [][]string{
		{"backup", "--db", db, "--out", missing},
		{"restore", "--from", db, "--db", missing},
	} {
		var stderr strings.Builder
		cmd := exec.Command(bin, args...)
		cmd.Stderr = &stderr
		cmd.Run()
		want := "briefpack: create " + missing + ": no such file or directory\n"
		if code := cmd.ProcessState.ExitCode(); code != 1 || stderr.String() != want {
			t.Errorf("%s: exit %d, %q, want %q", args[0], code, stderr.String(), want)
		}
	}
}

// renameBucket renames a bucket at the top of the bbolt file at path, in
// its bytes, to a name of the same length that sorts in the same place:
// the file then lacks the bucket, as one a tool or a disk broke would.
func renameBucket(t *testing.T, path, from, to string) {
	t.Helper()
	raw := mustRead(t, path)
	le := binary.LittleEndian
	pageSize := int(le.Uint32(raw[24:]))
	meta := 16 // the meta page with the higher transaction id
	if le.Uint64(raw[pageSize+16+48:]) > le.Uint64(raw[16+48:]) {
		meta += pageSize
	}
	found := false
	var walk func(id int)
	walk = func(id int) {
		p := raw[id*pageSize:]
		for i := 0; i < int(le.Uint16(p[10:])); i++ {
			e := p[16+i*16:]
			if le.Uint16(p[8:]) != 0x02 { // a branch page
				walk(int(le.Uint64(e[8:])))
				continue
			}
			pos, ksize := int(le.Uint32(e[4:])), int(le.Uint32(e[8:]))
			if le.Uint32(e)&1 == 1 && string(e[pos:pos+ksize]) == from {
				copy(e[pos:], to)
				found = true
			}
		}
	}
	walk(int(le.Uint64(raw[meta+16:])))
	if !found || len(from) != len(to) {
		t.Fatalf("bucket %s not renamed to %s", from, to)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLostBucket runs the commands that open a database on an au database
// that lost its sheets bucket: each refuses it with one line naming what
// it lacks, exit code 1, and leaves the file as it was. serve and user add
// made the bucket anew, empty, and the server then failed its requests
// while check said the file was sound; export, opening it to read only,
// met the missing bucket as a nil one and ended in a nil dereference.
func TestLostBucket(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "au.db")
	mustAddUser(t, db, "admin", "--jurisdiction", "au", "--clearance", "PROTECTED")
	st, err := store.Open(db, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, by := context.Background(), briefing.Actor{Name: "test"}
	d := &briefing.Dialogue{Name: "Dialogue", Home: "Australia", Partner: "Japan"}
	if err := st.CreateDialogue(ctx, d, by); err != nil {
		t.Fatal(err)
	}
	r := &briefing.Round{DialogueID: d.ID, Number: 1, Host: briefing.SideHome, Status: briefing.RoundScheduled, Marking: "OFFICIAL"}
	if err := st.CreateRound(ctx, r, by, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSheet(ctx, &briefing.Sheet{RoundID: r.ID, Title: "Cyber"}, by); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	renameBucket(t, db, "sheets", "sheetz")
	before := mustRead(t, db)
	for _, args := range [][]string{
		{"serve", "--db", db, "--addr", "127.0.0.1:0"},
		{"user", "add", "--db", db, "--name", "bob", "--role", "viewer", "--clearance", "PROTECTED"},
		{"check", "--db", db},
		{"export", "--db", db, "--round", r.ID, "--out", filepath.Join(dir, "pack.html")},
		{"backup", "--db", db, "--out", filepath.Join(dir, "backup.db")},
		{"copy", "--from", db, "--to", filepath.Join(dir, "copy.db")},
	} {
		// A serve that took the file would serve until stopped.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var out, errb strings.Builder
		code := run(ctx, args, strings.NewReader("a long enough password for bob\n"), &out, &errb)
		cancel()
		if e := errb.String(); code != 1 || strings.Count(e, "\n") != 1 || !strings.Contains(e, db) || !strings.HasSuffix(e, ": it lacks the sheets bucket\n") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", args[0], code, out.String(), e)
		}
		if !bytes.Equal(mustRead(t, db), before) {
			t.Fatalf("%s changed the file", args[0])
		}
	}
}
