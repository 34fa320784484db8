package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"briefpack/briefing"
	"briefpack/seeds"
	"briefpack/server"
	"briefpack/store"
)

// MustRunMain starts briefpack in-process on 127.0.0.1:0 over a database in
// a temporary directory, and stops it when the test ends.
func MustRunMain(tb testing.TB, demo bool, jurisdiction string) *Main {
	tb.Helper()
	m := NewMain()
	m.Addr = "127.0.0.1:0"
	m.DBPath = filepath.Join(tb.TempDir(), "briefpack.db")
	m.Demo = demo
	m.Jurisdiction = jurisdiction
	if err := m.Run(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Error(err)
		}
	})
	return m
}

func login(t *testing.T, base, name, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name, "password": password})
	resp, err := http.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("login %s: %d %s", name, resp.StatusCode, b)
	}
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Token
}

func get(t *testing.T, url, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func TestMain_Demo(t *testing.T) {
	for _, j := range []string{"nz", "au"} {
		t.Run(j, func(t *testing.T) {
			m := MustRunMain(t, true, j)
			if len(m.Logins) != 5 {
				t.Fatalf("%d demo logins", len(m.Logins))
			}
			for _, l := range m.Logins {
				tok := login(t, m.URL(), l.Name, l.Password)
				var ds struct{ Items []map[string]any }
				if code := get(t, m.URL()+"/api/v1/dialogues", tok, &ds); code != 200 || len(ds.Items) == 0 {
					t.Fatalf("%s: %d, %d dialogues", l.Name, code, len(ds.Items))
				}
			}
		})
	}
}

// buildBinary builds the real binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "briefpack")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	runBin := func(stdin string, args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		return runCmd(t, cmd)
	}
	t.Run("Usage", func(t *testing.T) {
		for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"user", "add", "--help"}, {"backup", "--help"}, {"export", "--help"}, {"check", "--help"}} {
			out, _, code := runBin("", args...)
			if code != 0 || !strings.Contains(out, "Usage") || (len(args) > 1 && strings.Count(out, "Usage") != 1) {
				t.Errorf("%v: exit %d, %q", args, code, out)
			}
		}
		for _, args := range [][]string{{}, {"frobnicate"}, {"serve", "--bogus"}, {"user", "add", "--db", db}, {"serve", "--jurisdiction", "uk"}} {
			_, errOut, code := runBin("", args...)
			if code != 2 || strings.Count(strings.TrimSpace(lastLine(errOut)), "\n") != 0 || !strings.HasPrefix(lastLine(errOut), "briefpack: ") {
				t.Errorf("%v: exit %d, %q", args, code, errOut)
			}
		}
	})
	t.Run("UserAdd", func(t *testing.T) {
		pw := strings.Repeat("long password ", 6) // 84 characters
		out, errOut, code := runBin(pw+"\n", "user", "add", "--db", db, "--jurisdiction", "au", "--name", "alice", "--role", "lead", "--clearance", "PROTECTED")
		if code != 0 || !strings.Contains(out, "alice") {
			t.Fatalf("exit %d: %s %s", code, out, errOut)
		}
		_, errOut, code = runBin(pw+"\n", "user", "add", "--db", db, "--name", "alice", "--role", "lead", "--clearance", "PROTECTED")
		if code != 1 || !strings.Contains(errOut, "alice") {
			t.Fatalf("duplicate: exit %d: %s", code, errOut)
		}
		_, errOut, code = runBin(pw+"\n", "user", "add", "--db", db, "--name", "bob", "--role", "lead", "--clearance", "SECRET SQUIRREL")
		if code != 2 || !strings.Contains(errOut, "clearance") {
			t.Fatalf("bad clearance: exit %d: %s", code, errOut)
		}
		_, errOut, code = runBin("", "serve", "--db", db, "--jurisdiction", "nz", "--addr", "127.0.0.1:0")
		if code != 1 || !strings.Contains(errOut, "au") {
			t.Fatalf("jurisdiction change: exit %d: %s", code, errOut)
		}
		// Serve it, sign in with the long password, stop with SIGTERM.
		cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
		stdout, _ := cmd.StdoutPipe()
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		url := waitForURL(t, stdout)
		tok := login(t, url, "alice", pw)
		var settings map[string]any
		if code := get(t, url+"/api/v1/settings", tok, &settings); code != 200 || settings["jurisdiction"] != "au" {
			t.Fatalf("%d %v", code, settings)
		}
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("serve after SIGTERM: %v; %s", err, errb.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop on SIGTERM")
		}
		if !strings.Contains(errb.String(), "sign-in") {
			t.Errorf("the sign-in was not logged: %s", errb.String())
		}
	})
	t.Run("BackupAndCheck", func(t *testing.T) {
		out := filepath.Join(dir, "copy.db")
		if o, e, code := runBin("", "backup", "--db", db, "--out", out); code != 0 {
			t.Fatalf("backup: %d %s %s", code, o, e)
		}
		if o, e, code := runBin("", "check", "--db", out); code != 0 || !strings.Contains(o, "ok") {
			t.Fatalf("check: %d %s %s", code, o, e)
		}
		if _, e, code := runBin("", "backup", "--db", db, "--out", out); code != 1 || !strings.Contains(e, "exists") {
			t.Fatalf("backup over a file: %d %s", code, e)
		}
		garbage := filepath.Join(dir, "garbage.db")
		os.WriteFile(garbage, bytes.Repeat([]byte("not a database "), 1000), 0o600)
		if _, e, code := runBin("", "check", "--db", garbage); code != 1 || e == "" {
			t.Fatalf("check garbage: %d %s", code, e)
		}
	})
}

var urlLine = regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`)

// waitForURL reads the server's first lines for the address it listens on.
func waitForURL(t *testing.T, r io.Reader) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if m := urlLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				io.Copy(io.Discard, r)
				return
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatal("the server printed no address")
		}
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	return ""
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestMain_DemoRefusesRealData: --demo never adds demo accounts to a
// database that holds data of its own — a dialogue, or only the
// administrator made first with "user add --name admin" and a person: the
// demo's admin would have taken that account over with a printed password.
func TestMain_DemoRefusesRealData(t *testing.T) {
	ctx := context.Background()
	for name, fill := range map[string]func(*Main) error{
		"Dialogue": func(m *Main) error {
			return m.DB.CreateDialogue(ctx, &briefing.Dialogue{Name: "Real dialogue", Home: "New Zealand", Partner: "Fiji"}, briefing.Actor{Name: "secretariat"})
		},
		"AdminAndPerson": func(m *Main) error {
			hash, _ := server.HashPassword("the real admin's password")
			admin := &briefing.User{Name: "admin", Role: briefing.RoleAdmin, Clearance: "TOP SECRET", PasswordHash: hash}
			if err := m.DB.CreateUser(ctx, admin, briefing.Actor{Name: "cli"}); err != nil {
				return err
			}
			return m.DB.CreatePerson(ctx, &briefing.Person{Name: "Real Person", Country: "New Zealand", Marking: "SECRET"}, briefing.Actor{Name: "admin"})
		},
	} {
		t.Run(name, func(t *testing.T) {
			m := MustRunMain(t, false, "nz")
			if err := fill(m); err != nil {
				t.Fatal(err)
			}
			path := m.DBPath
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			again := NewMain()
			again.Addr, again.DBPath, again.Demo = "127.0.0.1:0", path, true
			err := again.Run(ctx)
			if err == nil {
				again.Close()
				t.Fatal("--demo loaded demo accounts into a real database")
			}
			if !strings.Contains(err.Error(), "not the demo's") {
				t.Fatalf("%v", err)
			}
			db, err := store.Open(path, "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			users, _, err := db.Users(ctx, briefing.Page{})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				if u.Name != "admin" || u.Version != 1 {
					t.Errorf("the refused demo left user %s at version %d", u.Name, u.Version)
				}
			}
		})
	}
}

// TestMain_DemoRefusesWithoutWriting: --demo on a database file of data
// that is not the demo's is refused before anything is written, its bytes
// as they were. Before, the start opened it to write first: one an older
// briefpack wrote (store/testdata/schema6.db.gz) was migrated, so that
// briefpack could no longer open it, though the start was refused; one at
// this schema got a commit.
func TestMain_DemoRefusesWithoutWriting(t *testing.T) {
	tmp := t.TempDir() // where a migrated private copy is made
	t.Setenv("TMPDIR", tmp)
	for name, newDB := range map[string]func(t *testing.T) string{
		"OlderSchema": func(t *testing.T) string { return storeFixture(t, t.TempDir(), "schema6") },
		"ThisSchema": func(t *testing.T) string {
			m := MustRunMain(t, false, "nz")
			if err := m.DB.CreateDialogue(context.Background(), &briefing.Dialogue{Name: "Real dialogue", Home: "New Zealand", Partner: "Fiji"}, briefing.Actor{Name: "secretariat"}); err != nil {
				t.Fatal(err)
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			return m.DBPath
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := newDB(t)
			orig := mustRead(t, path)
			m := NewMain()
			m.Addr, m.DBPath, m.Demo = "127.0.0.1:0", path, true
			err := m.Run(context.Background())
			if err == nil {
				m.Close()
				t.Fatal("--demo served a database that is not the demo's")
			}
			if want := path + " holds data that is not the demo's: --demo is for a new database (choose another --db)"; err.Error() != want {
				t.Errorf("refused with %q, want %q", err, want)
			}
			if !bytes.Equal(mustRead(t, path), orig) {
				t.Error("the refused start wrote the database")
			}
			if _, err := os.Lstat(path + ".logins"); !os.IsNotExist(err) {
				t.Errorf("the refused start kept logins: %v", err)
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "briefpack-migrated-*")); len(left) != 0 {
				t.Errorf("left in the temporary directory: %v", left)
			}
		})
	}
}

// TestMain_DemoStable: a second start on the same demo database prints the
// same logins (kept beside it, 0600), and they sign in; a start whose
// address is taken writes nothing at all.
func TestMain_DemoStable(t *testing.T) {
	dir := t.TempDir()
	start := func(addr string) (*Main, error) {
		m := NewMain()
		m.Addr, m.DBPath, m.Demo = addr, filepath.Join(dir, "demo.db"), true
		return m, m.Run(context.Background())
	}
	first, err := start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logins := first.Logins
	// The address in use: refused before the database is touched.
	busy := NewMain()
	busy.Addr, busy.DBPath, busy.Demo = first.ln.Addr().String(), filepath.Join(dir, "other.db"), true
	if err := busy.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("a busy address: %v", err)
	}
	if _, err := os.Stat(busy.DBPath); !os.IsNotExist(err) {
		t.Fatalf("a start on a busy address wrote %s", busy.DBPath)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if len(second.Logins) != 5 {
		t.Fatalf("%d logins", len(second.Logins))
	}
	for i, l := range second.Logins {
		if l != logins[i] {
			t.Fatalf("login %d changed between starts: %+v, was %+v", i, l, logins[i])
		}
		login(t, second.URL(), l.Name, l.Password)
	}
	if fi, err := os.Stat(filepath.Join(dir, "demo.db.logins")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the kept logins: %v %v", fi, err)
	}
}

// TestMain_DemoLoginsPrivate: the kept logins are readable by their owner
// alone even where the file was there with a looser mode (a copy, a chmod):
// it was written in place, which kept the mode it had, 0644 included.
func TestMain_DemoLoginsPrivate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "demo.db.logins")
	if err := os.WriteFile(file, []byte("  viewer x viewer RESTRICTED\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	m.Addr, m.DBPath, m.Demo = "127.0.0.1:0", filepath.Join(dir, "demo.db"), true
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the kept logins: %v %v", fi, err)
	}
	if kept := string(mustRead(t, file)); !strings.Contains(kept, m.Logins[0].Password) {
		t.Errorf("the kept logins are not the ones printed: %q", kept)
	}
	if p := partials(t, file); len(p) != 0 {
		t.Errorf("left behind: %v", p)
	}
}

// TestMain_DemoDisabledAccount: a demo account an admin disabled stays
// disabled across restarts, is printed as disabled without a password, and
// the other accounts keep the logins printed before, which go on signing
// in. Before, one disabled account made every restart give all five new
// passwords (the disabled one a password it could not sign in with), so
// the logins printed earlier stopped working at each start. An account
// whose kept password no longer signs it in (an admin changed it) gets a
// new one, alone; one an admin enables again gets one at the next start.
func TestMain_DemoDisabledAccount(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.db")
	var out strings.Builder
	start := func() *Main {
		t.Helper()
		out.Reset()
		m := NewMain()
		m.Addr, m.DBPath, m.Demo, m.Out = "127.0.0.1:0", path, true, &out
		if err := m.Run(ctx); err != nil {
			t.Fatal(err)
		}
		return m
	}
	stop := func(m *Main) {
		t.Helper()
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	}
	change := func(m *Main, name string, fn func(u *briefing.User)) {
		t.Helper()
		u, err := m.DB.UserByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		fn(u)
		if err := m.DB.UpdateUser(ctx, u, briefing.Actor{Name: "admin"}); err != nil {
			t.Fatal(err)
		}
	}
	m := start()
	first := m.Logins
	if first[0].Name != "viewer" {
		t.Fatalf("logins %+v", first)
	}
	change(m, "viewer", func(u *briefing.User) { u.Disabled = true })
	disabled, err := m.DB.UserByName(ctx, "viewer")
	if err != nil {
		t.Fatal(err)
	}
	stop(m)

	for i := 0; i < 2; i++ {
		m = start()
		got := m.Logins
		if len(got) != 5 || got[0] != (seeds.Login{Name: "viewer", Role: briefing.RoleViewer, Clearance: "RESTRICTED", Disabled: true}) {
			t.Fatalf("start %d: the disabled account: %+v", i+2, got)
		}
		for j, l := range got[1:] {
			if l != first[j+1] {
				t.Errorf("start %d: login %s changed: %+v, was %+v", i+2, l.Name, l, first[j+1])
			}
			login(t, m.URL(), l.Name, l.Password)
		}
		if v, err := m.DB.UserByName(ctx, "viewer"); err != nil || !v.Disabled || v.Version != disabled.Version {
			t.Errorf("start %d: the disabled account was changed: %+v %v", i+2, v, err)
		}
		kept := string(mustRead(t, path+".logins"))
		for _, where := range []string{out.String(), kept} {
			if !strings.Contains(where, "  viewer       (disabled by an admin)   viewer       RESTRICTED\n") || strings.Contains(where, first[0].Password) {
				t.Errorf("start %d: the disabled account is not told as disabled:\n%s", i+2, where)
			}
		}
		stop(m)
	}

	// An admin enables the account again and changes another's password:
	// each of the two gets a new one, the other three are kept.
	m = start()
	change(m, "viewer", func(u *briefing.User) { u.Disabled = false })
	change(m, "officer", func(u *briefing.User) { u.PasswordHash, _ = server.HashPassword("the admin's own password") })
	stop(m)
	m = start()
	defer stop(m)
	for i, l := range m.Logins {
		if l.Disabled || (i < 2) != (l.Password != first[i].Password) {
			t.Errorf("after viewer was enabled and officer's password changed: %+v, was %+v", l, first[i])
		}
		login(t, m.URL(), l.Name, l.Password)
	}
}

// runCmd runs a command of the binary to its end and returns what it wrote
// to standard output and standard error and its exit code.
func runCmd(t *testing.T, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}
