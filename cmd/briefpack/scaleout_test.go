package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"briefpack/internal/etcdtest"
)

// TestScaleOut runs two briefpack servers, the real binary, on a
// three-member etcd cluster on loopback, as a ministry would behind a load
// balancer: a session made on one is honoured by the other; what one writes
// the other reads at once; the same version written through both is one 200
// and one 412; a pack built through one shows an edit made through the
// other at once; a sign-out through one ends the session on both; with an
// etcd member killed, saves go on; with a server killed, its sessions go on
// on the other; and no acknowledged save is lost.
func TestScaleOut(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and the real binary")
	}
	cluster := etcdtest.Start(t, 3)
	bin := buildBinary(t)
	db := cluster.URL("scaleout")
	const pw = "scale out test password"
	addUser(t, bin, db, "sec", "secretariat", "SECRET", pw)
	a, b := startServer(t, bin, db), startServer(t, bin, db)
	defer func() { a.kill(); b.kill() }()

	ca := signInAs(t, a.url, "sec", pw)
	cb := &client{t: t, url: b.url, token: ca.token} // the same session, through the other server
	if code, _, body := cb.do("GET", "/api/v1/dialogues", nil); code != 200 {
		t.Fatalf("a session made on one server, on the other: %d %s", code, body)
	}

	// What one writes the other reads at once.
	_, _, body := ca.do("POST", "/api/v1/dialogues", map[string]any{"name": "Australia–New Zealand National Security Dialogue",
		"partner": "Australia", "established": "2016-10-01", "cadence_months": 12})
	var d struct{ ID string }
	json.Unmarshal(body, &d)
	code, _, body := cb.do("POST", "/api/v1/dialogues/"+d.ID+"/rounds", map[string]any{"number": 1, "host": "home"})
	var r struct{ ID string }
	json.Unmarshal(body, &r)
	if code != 201 {
		t.Fatalf("round through the other server: %d %s", code, body)
	}
	code, _, body = ca.do("POST", "/api/v1/rounds/"+r.ID+"/sheets", map[string]any{"title": "Cyber security cooperation"})
	var sh struct{ ID string }
	json.Unmarshal(body, &sh)
	if code != 201 {
		t.Fatalf("sheet: %d %s", code, body)
	}
	if code, _, _ := cb.do("GET", "/api/v1/sheets/"+sh.ID, nil); code != 200 {
		t.Fatalf("a sheet written through one server, read through the other: %d", code)
	}
	save := func(c *client, version int, text string) int {
		body := map[string]any{"title": "Cyber security cooperation", "sections": []map[string]any{{"kind": "situation",
			"paragraphs": []map[string]string{{"text": text, "marking": "RESTRICTED"}}}}}
		code, _, _ := c.do("PUT", "/api/v1/sheets/"+sh.ID, body, "If-Match", fmt.Sprintf(`"%d"`, version))
		return code
	}

	// The same version through both: one 200, one 412.
	codes := []int{save(ca, 1, "Cyber incidents against the public sector rose through the year."),
		save(cb, 1, "A different account of the same year, written on the other server.")}
	if codes[0] != 200 || codes[1] != 412 {
		t.Fatalf("version 1 written through both servers: %v", codes)
	}

	// A pack built through one shows an edit made through the other at once.
	pack := func(c *client) []byte {
		code, _, body := c.do("GET", "/api/v1/rounds/"+r.ID+"/pack?format=html", nil)
		if code != 200 {
			t.Fatalf("pack: %d", code)
		}
		return body
	}
	if !bytes.Contains(pack(ca), []byte("public sector rose")) {
		t.Fatal("the pack lacks the saved paragraph")
	}
	if code := save(cb, 2, "Ransomware now leads the incidents reported by agencies."); code != 200 {
		t.Fatalf("save through the other server: %d", code)
	}
	if p := pack(ca); !bytes.Contains(p, []byte("Ransomware now leads")) || bytes.Contains(p, []byte("public sector rose")) {
		t.Fatal("a pack built through one server missed an edit made through the other")
	}

	// A sign-out through one server ends the session on both.
	other := signInAs(t, b.url, "sec", pw)
	if code, _, _ := (&client{t: t, url: a.url, token: other.token}).do("POST", "/api/v1/logout", nil); code != 204 {
		t.Fatalf("logout: %d", code)
	}
	if code, _, _ := other.do("GET", "/api/v1/dialogues", nil); code != 401 {
		t.Fatalf("a session signed out on one server still works on the other: %d", code)
	}

	// Saves through both servers go on while an etcd member is down, and
	// while one server is killed; every acknowledged one is there.
	version := 3
	var mu sync.Mutex
	acked := map[int]string{}
	writer := func(c *client, n int, who string) {
		for i := 0; i < n; i++ {
			mu.Lock()
			v := version
			mu.Unlock()
			text := fmt.Sprintf("Save %d by %s at version %d: %s", i, who, v, strings.Repeat("assessment ", 1+i%7))
			switch save(c, v, text) {
			case 200:
				mu.Lock()
				if v == version {
					version = v + 1
					acked[v+1] = text
				}
				mu.Unlock()
			case 412, 0:
				// The other writer took the version, or the server is gone.
			default:
				t.Errorf("save during the failures: unexpected status")
				return
			}
		}
	}
	cluster.Members[2].Kill()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); writer(ca, 30, "a") }()
	go func() { defer wg.Done(); writer(cb, 30, "b") }()
	wg.Wait()
	if len(acked) < 20 {
		t.Fatalf("with an etcd member down, only %d saves were acknowledged", len(acked))
	}
	cluster.Members[2].Restart(t)
	a.kill()
	writer(cb, 10, "b")
	code, _, _ = cb.do("GET", "/api/v1/sheets/"+sh.ID+"/versions", nil)
	if code != 200 {
		t.Fatalf("the session made on the killed server, on the other: %d", code)
	}
	have := versionsOf(func(path string) []byte { _, _, b := cb.do("GET", path, nil); return b }, sh.ID)
	for v, text := range acked {
		if !have[v] {
			t.Fatalf("acknowledged version %d is missing", v)
		}
		code, _, body := cb.do("GET", fmt.Sprintf("/api/v1/sheets/%s/versions/%d", sh.ID, v), nil)
		if code != 200 || !bytes.Contains(body, []byte(text[:30])) {
			t.Fatalf("acknowledged version %d lost its text", v)
		}
	}
	t.Logf("%d saves acknowledged through two servers with an etcd member and a server killed, all present", len(acked))
}
