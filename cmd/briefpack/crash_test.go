package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"briefpack/internal/etcdtest"
)

// process is the real binary serving a database, started and killed by tests.
type process struct {
	cmd *exec.Cmd
	url string
}

func startServer(t *testing.T, bin, db string) *process {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, url: waitForURL(t, stdout)}
	// Killed when the test ends, whatever it did: a test that forgot left
	// a server running after every run of the suite.
	t.Cleanup(p.kill)
	return p
}

func (s *process) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

type client struct {
	t     *testing.T
	url   string
	token string
}

func (c *client) do(method, path string, body any, header ...string) (int, http.Header, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil // the server died under us: the write is not acknowledged
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func signInAs(t *testing.T, url, name, password string) *client {
	t.Helper()
	c := &client{t: t, url: url}
	code, _, b := c.do("POST", "/api/v1/login", map[string]string{"name": name, "password": password})
	if code != 200 {
		t.Fatalf("login: %d %s", code, b)
	}
	var out struct{ Token string }
	json.Unmarshal(b, &out)
	c.token = out.Token
	return c
}

func addUser(t *testing.T, bin, db, name, role, clearance, password string) {
	t.Helper()
	cmd := exec.Command(bin, "user", "add", "--db", db, "--name", name, "--role", role, "--clearance", clearance)
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
}

// TestCrash kills the server with SIGKILL at random moments while a writer
// saves a topic sheet as fast as it can, many times over, on each backend:
// a bbolt file, and a three-member etcd cluster of which one member is
// killed too, now and then, and started again. After each kill the
// database passes the check, and on restart every save the server
// acknowledged is there with its text: the current version is the last
// acknowledged one (or the one in flight), and history holds every one.
// The writer's session outlives every kill. BRIEFPACK_CRASH_KILLS sets the
// number of kills of each run (default 8).
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills the real binary")
	}
	kills := 8
	if v := os.Getenv("BRIEFPACK_CRASH_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("BRIEFPACK_CRASH_KILLS=%q is not a number of kills", v)
		}
		kills = n
	}
	bin := buildBinary(t)
	t.Run("bbolt", func(t *testing.T) {
		crash(t, bin, filepath.Join(t.TempDir(), "crash.db"), kills, nil)
	})
	t.Run("etcd", func(t *testing.T) {
		cluster := etcdtest.Start(t, 3)
		rng := rand.New(rand.NewSource(time.Now().UnixNano()))
		crash(t, bin, cluster.URL("crash"), kills, func(round int) func() {
			if round%2 == 1 {
				return func() {}
			}
			m := cluster.Members[rng.Intn(len(cluster.Members))]
			m.Kill()
			return func() { m.Restart(t) }
		})
	})
}

// crash runs the kills against db. During every round, etcdDown (if not
// nil) may take an etcd member down; what it returns brings it back.
func crash(t *testing.T, bin, db string, kills int, etcdDown func(round int) func()) {
	const pw = "crash test password"
	addUser(t, bin, db, "writer", "secretariat", "SECRET", pw)

	srv := startServer(t, bin, db)
	c := signInAs(t, srv.url, "writer", pw)
	code, _, b := c.do("POST", "/api/v1/dialogues", map[string]any{"name": "Crash Dialogue", "partner": "Australia", "established": "2016-10-01", "cadence_months": 12})
	var d struct{ ID string }
	json.Unmarshal(b, &d)
	code, _, b = c.do("POST", "/api/v1/dialogues/"+d.ID+"/rounds", map[string]any{"number": 1, "host": "home"})
	var r struct{ ID string }
	json.Unmarshal(b, &r)
	code, _, b = c.do("POST", "/api/v1/rounds/"+r.ID+"/sheets", map[string]any{"title": "Crash sheet"})
	if code != 201 {
		t.Fatalf("sheet: %d %s", code, b)
	}
	var sh struct{ ID string }
	json.Unmarshal(b, &sh)

	acked := map[int]string{1: ""} // version → the text it was saved with
	version := 1
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	saves := 0
	for round := 0; round < kills; round++ {
		back := func() {}
		if etcdDown != nil {
			back = etcdDown(round)
		}
		var mu sync.Mutex
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				text := fmt.Sprintf("round %d save %d: %s", round, i, strings.Repeat("words ", 1+i%50))
				mu.Lock()
				v := version
				mu.Unlock()
				body := map[string]any{"title": "Crash sheet", "sections": []map[string]any{{"kind": "situation",
					"paragraphs": []map[string]string{{"text": text, "marking": "RESTRICTED"}}}}}
				code, _, _ := c.do("PUT", "/api/v1/sheets/"+sh.ID, body, "If-Match", fmt.Sprintf(`"%d"`, v))
				if code == 0 {
					return
				}
				if code != 200 {
					t.Errorf("save: %d", code)
					return
				}
				mu.Lock()
				version = v + 1
				acked[version] = text
				saves++
				mu.Unlock()
			}
		}()
		time.Sleep(time.Duration(20+rng.Intn(200)) * time.Millisecond)
		srv.kill()
		close(stop)
		<-done
		back()
		if out, err := exec.Command(bin, "check", "--db", db).CombinedOutput(); err != nil {
			t.Fatalf("after kill %d the check fails: %s", round+1, out)
		}
		srv = startServer(t, bin, db)
		// The session made before the kill is still good: nobody is signed out.
		c = &client{t: t, url: srv.url, token: c.token}
		code, _, b := c.do("GET", "/api/v1/sheets/"+sh.ID, nil)
		if code != 200 {
			t.Fatalf("after restart: %d", code)
		}
		var got struct {
			Version  int
			Sections []struct{ Paragraphs []struct{ Text string } }
		}
		json.Unmarshal(b, &got)
		mu.Lock()
		if got.Version < version {
			t.Fatalf("kill %d: version %d acknowledged, %d survived", round+1, version, got.Version)
		}
		// One save may have been written but not acknowledged when the kill came.
		if got.Version > version+1 {
			t.Fatalf("kill %d: version %d is from nowhere (last acknowledged %d)", round+1, got.Version, version)
		}
		version = got.Version
		mu.Unlock()
		have := versionsOf(func(path string) []byte { _, _, b := c.do("GET", path, nil); return b }, sh.ID)
		for v, text := range acked {
			if !have[v] {
				t.Fatalf("kill %d: acknowledged version %d is missing from history", round+1, v)
			}
			// Read back the text of the latest saves and a sample of the rest.
			if text == "" || (v < version-10 && rng.Intn(40) != 0) {
				continue
			}
			code, _, b := c.do("GET", fmt.Sprintf("/api/v1/sheets/%s/versions/%d", sh.ID, v), nil)
			if code != 200 || !bytes.Contains(b, []byte(text[:20])) {
				t.Fatalf("kill %d: version %d lost its text", round+1, v)
			}
		}
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()
	t.Logf("%d kills, %d acknowledged saves, all present", kills, saves)
}

// TestBackupUnderLoad streams a hot backup while writers work, restores it
// into a new file with "briefpack restore", and checks it.
func TestBackupUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	addUser(t, bin, db, "admin", "admin", "TOP SECRET", "backup test password")
	srv := startServer(t, bin, db)
	defer srv.kill()
	c := signInAs(t, srv.url, "admin", "backup test password")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c.do("POST", "/api/v1/agencies", map[string]string{"name": fmt.Sprintf("Agency %d-%d", w, i), "country": "New Zealand"})
			}
		}(w)
	}
	time.Sleep(200 * time.Millisecond)
	code, hdr, b := c.do("GET", "/api/v1/admin/backup", nil)
	close(stop)
	wg.Wait()
	if code != 200 || !strings.Contains(hdr.Get("Content-Disposition"), "attachment") {
		t.Fatalf("backup: %d", code)
	}
	backup := filepath.Join(dir, "backup.db")
	os.WriteFile(backup, b, 0o600)
	restored := filepath.Join(dir, "restored.db")
	if out, err := exec.Command(bin, "restore", "--from", backup, "--db", restored).CombinedOutput(); err != nil {
		t.Fatalf("restore: %v %s", err, out)
	}
	if out, err := exec.Command(bin, "check", "--db", restored).CombinedOutput(); err != nil {
		t.Fatalf("check: %s", out)
	}
	// A damaged backup is refused.
	damaged := filepath.Join(dir, "damaged.db")
	os.WriteFile(damaged, append(b[:len(b)/2:len(b)/2], bytes.Repeat([]byte{0xff}, len(b)/2)...), 0o600)
	if out, err := exec.Command(bin, "restore", "--from", damaged, "--db", filepath.Join(dir, "x.db")).CombinedOutput(); err == nil {
		t.Fatalf("a damaged backup was restored: %s", out)
	}
}

// versionsOf lists every version of a sheet the versions list gives,
// following its pages.
func versionsOf(get func(path string) []byte, id string) map[int]bool {
	have := map[int]bool{}
	next := ""
	for {
		var l struct {
			Items []struct{ Version int }
			Next  string
		}
		json.Unmarshal(get("/api/v1/sheets/"+id+"/versions?limit=1000&cursor="+next), &l)
		for _, it := range l.Items {
			have[it.Version] = true
		}
		if l.Next == "" {
			return have
		}
		next = l.Next
	}
}
