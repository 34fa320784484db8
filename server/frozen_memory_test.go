package server_test

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
	"briefpack/internal/etcdtest"
)

// TestFrozenReadsMemory freezes a round of 300 sheets of unique text
// (BRIEFPACK_MEM_SHEETS for another number) 22 times (BRIEFPACK_MEM_FREEZES),
// one sheet saved before each, with a response to a request made from it
// each time, and reads every frozen file of each as it is made — the
// snapshot's HTML and XLSX, full and release, and the response's two —
// then every file of every freeze again, one after another, as people
// reading old packs do. After each freeze it reports the heap live after a
// collection, the most in use while the freeze and the reads ran, and the
// process's resident memory (its own and the database file mapped). It
// fails if the heap live grows with the freezes — past the first freeze's
// by more than the bound of the server's cache of frozen files and a
// margin, or by more than the margin once that cache is full — or if the
// files mapped do, by more than the margin: a bbolt file's pages of the
// frozen files read stayed mapped, 12 MiB more a freeze.
// It measures, so it runs only when asked: BRIEFPACK_MEM=1
// (BRIEFPACK_STORE_BACKEND=etcd on a one-member etcd cluster).
func TestFrozenReadsMemory(t *testing.T) {
	if os.Getenv("BRIEFPACK_MEM") == "" {
		t.Skip("set BRIEFPACK_MEM=1 to measure the memory of reading many frozen packs")
	}
	sheets, freezes := 300, 22
	fmt.Sscan(os.Getenv("BRIEFPACK_MEM_SHEETS"), &sheets)
	fmt.Sscan(os.Getenv("BRIEFPACK_MEM_FREEZES"), &freezes)
	var f *fixture
	if os.Getenv("BRIEFPACK_STORE_BACKEND") == "etcd" {
		f = newFixtureOn(t, openEtcd(t, etcdtest.Start(t, 1).URL("mem"), "nz"))
	} else {
		f = newFixture(t)
	}
	round, ids := memRound(t, f, sheets)
	download := downloaderInto(t, f)
	buf := make([]byte, 256<<10) // the client's, made before anything is measured
	get := func(path string) int64 { return download("lead", path, buf) }
	var files []string // every frozen file, in the order made
	var read int64     // bytes of snapshot files read so far
	var first, full memFigures
	fullAt := 0
	for i := range freezes {
		f.update("officer", "/api/v1/sheets/"+ids[i%len(ids)], func(sh map[string]any) {
			editOne(sh, i%5, i%6, fmt.Sprintf("A paragraph changed before freeze %d, SECRET or not.", i+1))
		})
		var made []string
		m := measure(func() {
			r := f.do("lead", "POST", "/api/v1/rounds/"+round+"/packs", map[string]any{"force": true})
			if r.Code != 201 {
				t.Fatalf("freeze %d: %d %s", i+1, r.Code, r.Body.String())
			}
			var sn struct{ ID string }
			r.json(&sn)
			for _, q := range []string{"format=html", "format=xlsx", "format=html&edition=release", "format=xlsx&edition=release"} {
				made = append(made, "/api/v1/packs/"+sn.ID+"?"+q)
			}
			r = f.do("lead", "POST", "/api/v1/rounds/"+round+"/releases", releaseRequest(map[string]any{}))
			if r.Code != 201 {
				t.Fatalf("release %d: %d %s", i+1, r.Code, r.Body.String())
			}
			var rel struct{ ID string }
			r.json(&rel)
			made = append(made, "/api/v1/releases/"+rel.ID+"?format=html", "/api/v1/releases/"+rel.ID+"?format=xlsx")
			for _, path := range made {
				n := get(path)
				if strings.HasPrefix(path, "/api/v1/packs/") {
					read += n
				}
			}
		})
		files = append(files, made...)
		t.Logf("freeze %2d: %s", i+1, m)
		switch {
		case i == 0:
			first = m
		case fullAt == 0 && read > snapshotCacheBytes+read/int64(i+1):
			// Full, with one freeze's files more read than it holds.
			fullAt, full = i+1, m
		}
		if m.live > first.live+snapshotCacheBytes+memMargin {
			t.Errorf("after freeze %d the heap live is %d MiB, %d MiB more than after the first: more than the %d MiB of frozen files kept and a margin of %d MiB",
				i+1, m.live>>20, (m.live-first.live)>>20, snapshotCacheBytes>>20, memMargin>>20)
		}
		if m.rssFile > first.rssFile+memMargin {
			t.Errorf("after freeze %d the process has %d MiB of files mapped resident, %d MiB more than after the first: the frozen files read stay mapped",
				i+1, m.rssFile>>20, (m.rssFile-first.rssFile)>>20)
		}
		if fullAt > 0 && m.live > full.live+memMargin {
			t.Errorf("after freeze %d the heap live is %d MiB, %d MiB more than after freeze %d, when the cache of frozen files was full: more than the margin of %d MiB",
				i+1, m.live>>20, (m.live-full.live)>>20, fullAt, memMargin>>20)
		}
	}
	m := measure(func() {
		for _, path := range files {
			get(path)
		}
	})
	t.Logf("every file of the %d freezes read again, one after another: %s", freezes, m)
	if m.live > first.live+snapshotCacheBytes+memMargin {
		t.Errorf("after every file was read again the heap live is %d MiB, %d MiB more than after the first freeze", m.live>>20, (m.live-first.live)>>20)
	}
	if fullAt == 0 {
		t.Logf("the cache of frozen files was never full: %d MiB read", read>>20)
	}
}

// snapshotCacheBytes is the bound of the server's cache of frozen files.
const snapshotCacheBytes = 128 << 20

// memMargin is how far the heap live may move beyond what the caches hold:
// a collection's timing, sessions, the audit's growth, a sheet's past
// versions dropped from the caches as saves supersede them.
const memMargin = 24 << 20

// memFigures are the memory figures of one step.
type memFigures struct {
	live, peak          uint64 // the heap live after a collection; the most in use while the step ran
	rssAnon, rssFile    uint64 // the process's resident memory: its own, and files mapped
	heapHeld, heapFreed uint64 // the heap's memory not given back, and of it free
}

func (m memFigures) String() string {
	return fmt.Sprintf("heap live after a collection %d MiB, in use at most %d MiB; resident %d MiB of the process's own, %d MiB of files mapped; the heap holds %d MiB, %d MiB of it free",
		m.live>>20, m.peak>>20, m.rssAnon>>20, m.rssFile>>20, m.heapHeld>>20, m.heapFreed>>20)
}

// measure runs fn and returns the memory figures after it, and the peak
// heap in use while it ran (heapPeak).
func measure(fn func()) memFigures {
	var m memFigures
	_, m.peak = heapPeak(fn)
	s := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	m.rssAnon, m.rssFile = procStatusBytes("RssAnon"), procStatusBytes("RssFile")
	runtime.GC()
	metrics.Read(s)
	m.live = s[1].Value.Uint64()
	m.heapFreed = s[0].Value.Uint64()
	m.heapHeld = s[0].Value.Uint64() + s[1].Value.Uint64() + s[2].Value.Uint64()
	return m
}

// procStatusBytes reads a field of this process's /proc status given in
// kB, such as RssAnon, in bytes: 0 where there is none.
func procStatusBytes(field string) uint64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			var kb uint64
			fmt.Sscan(v, &kb)
			return kb << 10
		}
	}
	return 0
}

// memRound fills the fixture's round with n topic sheets of unique text,
// as benchRound does, with some paragraphs SECRET and some withheld, in
// whole or in part, so that the release edition differs from the full.
func memRound(t *testing.T, f *fixture, n int) (string, []string) {
	t.Helper()
	w := f.world()
	s, _ := briefing.SettingsFor("nz")
	ids := make([]string, n)
	for i := range n {
		secs := packtest.Sections(s, i)
		for k, sec := range secs {
			for j, p := range sec["paragraphs"].([]map[string]string) {
				switch (i + 3*k + 5*j) % 11 {
				case 2:
					p["marking"] = "SECRET"
				case 5:
					p["withhold"] = s.Grounds[(i+j)%len(s.Grounds)]
				case 8:
					p["text"] += fmt.Sprintf(" {{%s: Words withheld from sheet %d, paragraph %d.%d.}}", s.Grounds[(k+j)%len(s.Grounds)], i, k, j)
				}
			}
		}
		ids[i] = f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": fmt.Sprintf("Topic %d", i+1), "sections": secs})
	}
	return w.round, ids
}
