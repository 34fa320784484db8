// Package etcdtest starts real etcd members on loopback for briefpack's
// tests: Debian's etcd-server binary (or the one BRIEFPACK_ETCD names),
// each member in a temporary directory, stopped when the test ends. Where
// no etcd is installed the test is skipped, unless BRIEFPACK_REQUIRE_ETCD
// is set (as CI sets it), when it fails.
package etcdtest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary returns the etcd binary, or skips (fails under CI) the test.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("BRIEFPACK_ETCD"); p != "" {
		return p
	}
	p, err := exec.LookPath("etcd")
	if err != nil {
		if os.Getenv("BRIEFPACK_REQUIRE_ETCD") != "" {
			tb.Fatal("etcd is not installed (apt-get install etcd-server), and BRIEFPACK_REQUIRE_ETCD is set")
		}
		tb.Skip("etcd is not installed (apt-get install etcd-server); set BRIEFPACK_REQUIRE_ETCD=1 to fail instead")
	}
	return p
}

// Member is one etcd process.
type Member struct {
	Name       string
	ClientURL  string
	PeerURL    string
	dir        string
	bin        string
	cluster    string
	token      string
	mu         sync.Mutex
	cmd        *exec.Cmd
	out        *lockedBuffer
	waitResult chan error
	tls        []string
	flags      []string // more of etcd's flags (StartWith)
	client     *http.Client
}

// Cluster is members started together.
type Cluster struct {
	Members []*Member
	tb      testing.TB
	// With TLS, the files of the authority that signed the members'
	// certificates and of a client certificate it signed.
	CAFile, CertFile, KeyFile string
}

// Start starts a cluster of n members on loopback and waits until it
// answers. The cluster is stopped when the test ends.
func Start(tb testing.TB, n int) *Cluster {
	tb.Helper()
	return start(tb, n, false)
}

// StartWith is Start with more of etcd's flags given to every member (a
// small --quota-backend-bytes, say).
func StartWith(tb testing.TB, n int, flags ...string) *Cluster {
	tb.Helper()
	return start(tb, n, false, flags...)
}

// StartTLS is Start with the members serving clients over TLS and asking
// for a client certificate signed by the cluster's authority.
func StartTLS(tb testing.TB, n int) *Cluster {
	tb.Helper()
	return start(tb, n, true)
}

func start(tb testing.TB, n int, withTLS bool, flags ...string) *Cluster {
	tb.Helper()
	bin := Binary(tb)
	// A port found free may be taken by another process before etcd binds
	// it: a cluster that does not come up is tried again on new ports.
	var last error
	for try := 0; try < 3; try++ {
		c, err := startOnce(tb, bin, n, withTLS, flags)
		if err == nil {
			tb.Cleanup(c.Stop)
			return c
		}
		last = err
	}
	tb.Fatal(last)
	return nil
}

func startOnce(tb testing.TB, bin string, n int, withTLS bool, flags []string) (*Cluster, error) {
	base := tb.TempDir()
	c := &Cluster{tb: tb}
	scheme := "http://"
	if withTLS {
		scheme = "https://"
		c.CAFile, c.CertFile, c.KeyFile = writeCerts(tb, base)
	}
	var peers []string
	token := fmt.Sprintf("briefpack-test-%d", time.Now().UnixNano())
	for i := 0; i < n; i++ {
		m := &Member{Name: fmt.Sprintf("m%d", i), ClientURL: scheme + freeAddr(tb), PeerURL: "http://" + freeAddr(tb),
			dir: filepath.Join(base, fmt.Sprintf("m%d", i)), bin: bin, token: token, flags: flags}
		if withTLS {
			m.client = tlsClient(tb, c)
			m.tls = []string{"--cert-file", filepath.Join(base, "server.pem"), "--key-file", filepath.Join(base, "server-key.pem"),
				"--client-cert-auth", "--trusted-ca-file", c.CAFile}
		}
		peers = append(peers, m.Name+"="+m.PeerURL)
		c.Members = append(c.Members, m)
	}
	for _, m := range c.Members {
		m.cluster = strings.Join(peers, ",")
		if err := m.start("new"); err != nil {
			c.Stop()
			return nil, err
		}
	}
	for _, m := range c.Members {
		if err := m.healthy(30 * time.Second); err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

// Endpoints are the members' client addresses, host:port.
func (c *Cluster) Endpoints() []string {
	var out []string
	for _, m := range c.Members {
		out = append(out, strings.TrimPrefix(strings.TrimPrefix(m.ClientURL, "http://"), "https://"))
	}
	return out
}

// URL is the database address briefpack takes: etcd://a,b,c/prefix.
func (c *Cluster) URL(prefix string) string {
	scheme := "etcd://"
	if c.CAFile != "" {
		scheme = "etcds://"
	}
	return scheme + strings.Join(c.Endpoints(), ",") + "/" + prefix
}

// Stop kills every member that still runs.
func (c *Cluster) Stop() {
	for _, m := range c.Members {
		m.Kill()
	}
}

func (m *Member) start(state string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cmd := exec.Command(m.bin, "--name", m.Name, "--data-dir", m.dir,
		"--listen-client-urls", m.ClientURL, "--advertise-client-urls", m.ClientURL,
		"--listen-peer-urls", m.PeerURL, "--initial-advertise-peer-urls", m.PeerURL,
		"--initial-cluster", m.cluster, "--initial-cluster-state", state, "--initial-cluster-token", m.token,
		"--log-level", "error")
	cmd.Args = append(append(cmd.Args, m.tls...), m.flags...)
	m.out = &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = m.out, m.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start etcd: %w", err)
	}
	m.cmd = cmd
	m.waitResult = make(chan error, 1)
	go func() { m.waitResult <- cmd.Wait() }()
	return nil
}

// Kill stops the member with SIGKILL, as a crash would.
func (m *Member) Kill() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	<-m.waitResult
	m.cmd = nil
}

// Restart starts a killed member again on its data.
func (m *Member) Restart(tb testing.TB) {
	tb.Helper()
	if err := m.start("existing"); err != nil {
		tb.Fatal(err)
	}
	m.waitHealthy(tb, 30*time.Second)
}

// waitHealthy waits until the member answers /health.
func (m *Member) waitHealthy(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	if err := m.healthy(timeout); err != nil {
		tb.Fatal(err)
	}
}

func (m *Member) healthy(timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	if m.client != nil {
		client = m.client
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(m.ClientURL + "/health"); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if bytes.Contains(body, []byte(`"true"`)) {
				return nil
			}
		}
		select {
		case err := <-m.waitResult:
			m.waitResult <- err
			return fmt.Errorf("etcd member %s exited: %v\n%s", m.Name, err, m.out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("etcd member %s did not become healthy in %v\n%s", m.Name, timeout, m.out.String())
}

// freeAddr is a loopback address with a port nothing listens on now.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// lockedBuffer is the member's output, written by the process and read by
// a failing test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tlsClient is an HTTP client that presents the cluster's client
// certificate and trusts its authority.
func tlsClient(tb testing.TB, c *Cluster) *http.Client {
	tb.Helper()
	cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		tb.Fatal(err)
	}
	pem, err := os.ReadFile(c.CAFile)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}
