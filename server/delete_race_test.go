package server_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"briefpack/briefing"
)

// raisedAndLowered has user save the object at path again and again,
// raising it above RESTRICTED and lowering it by turns (toggle changes the
// object read and says whether it raised it), until stop. It returns, as
// they are saved, whether each version was raised, and waits until the
// saves are under way.
func raisedAndLowered(f *fixture, user, path string, toggle func(obj map[string]any) bool, stop *atomic.Bool) (raised func(version int) bool, wait func()) {
	var mu sync.Mutex
	up := map[int]bool{}
	var wg sync.WaitGroup
	going := make(chan struct{})
	var once sync.Once
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer once.Do(func() { close(going) })
		for i := 0; i < 400 && !stop.Load(); i++ {
			r := f.do(user, "GET", path, nil)
			if r.Code == 404 {
				return
			}
			var obj map[string]any
			r.json(&obj)
			raise := toggle(obj)
			if p := f.do(user, "PUT", path, obj, "If-Match", r.Header().Get("ETag")); p.Code == 200 {
				v, _ := strconv.Atoi(strings.Trim(p.Header().Get("ETag"), `"`))
				mu.Lock()
				up[v] = raise
				mu.Unlock()
				if v >= 3 {
					once.Do(func() { close(going) })
				}
			}
		}
	}()
	<-going
	return func(v int) bool { mu.Lock(); defer mu.Unlock(); return up[v] }, wg.Wait
}

// secretParagraph adds a SECRET paragraph to a sheet read, or takes it out
// again, and says whether it added it.
func secretParagraph(sh map[string]any) bool {
	sec := sh["sections"].([]any)[0].(map[string]any)
	paras := sec["paragraphs"].([]any)
	if len(paras) == 1 {
		sec["paragraphs"] = append(paras, para("Secret words.", "SECRET", ""))
		return true
	}
	sec["paragraphs"] = paras[:1]
	return false
}

// TestWrites_HeldToWhatWasChecked: a write that judges the stored sheet
// before it writes — a delete (refused while the sheet holds a paragraph
// above the writer) or a review (refused the same way) — is made against
// the version it judged. A SECRET officer saves a sheet again and again,
// adding a SECRET paragraph and taking it out, while a RESTRICTED officer
// deletes it or submits it: the delete must never remove a version that
// holds the paragraph, nor the review write over one. Before, a delete
// without If-Match (or with *) removed whatever was stored when it wrote,
// and one with If-Match, or a review, naming the next version was made
// against the save that landed between its check and its write: some of
// each dozen did.
func TestWrites_HeldToWhatWasChecked(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	next := func(id string) string { // the version after the one stored, as a hand-made request might name it
		r := f.do("lowofficer", "GET", "/api/v1/sheets/"+id, nil)
		v, _ := strconv.Atoi(strings.Trim(r.Header().Get("ETag"), `"`))
		return strconv.Itoa(v + 1)
	}
	for _, c := range []struct {
		name string
		try  func(id string) int // the RESTRICTED officer's attempt: its status
	}{
		{"Delete", func(id string) int { return f.do("lowofficer", "DELETE", "/api/v1/sheets/"+id, nil).Code }},
		{"DeleteAny", func(id string) int {
			return f.do("lowofficer", "DELETE", "/api/v1/sheets/"+id, nil, "If-Match", "*").Code
		}},
		{"DeleteAhead", func(id string) int {
			return f.do("lowofficer", "DELETE", "/api/v1/sheets/"+id, nil, "If-Match", `"`+next(id)+`"`).Code
		}},
		{"DeleteForm", func(id string) int { return deleteByForm(f, id, "") }},
		{"DeleteFormAhead", func(id string) int { return deleteByForm(f, id, next(id)) }},
		{"ReviewAhead", func(id string) int {
			return f.do("lowofficer", "POST", "/api/v1/sheets/"+id+"/review", map[string]string{"decision": "submit"}, "If-Match", `"`+next(id)+`"`).Code
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			violations, done := 0, 0
			for trial := range 12 {
				id := f.create("lowofficer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody(fmt.Sprintf("%s %d", c.name, trial), para("Open words.", "RESTRICTED", "")))
				var stop atomic.Bool
				holds, wait := raisedAndLowered(f, "officer", "/api/v1/sheets/"+id, secretParagraph, &stop)
				for i := 0; i < 400; i++ {
					if code := c.try(id); code == 200 || code == 204 || code == 404 {
						break
					}
				}
				stop.Store(true)
				wait()
				recs, _, err := f.db.Audit(context.Background(), briefing.Page{Limit: 5000})
				if err != nil {
					t.Fatal(err)
				}
				for _, rec := range recs {
					if rec.ObjectID != id || rec.UserName != "lowofficer" || rec.Op == "create" {
						continue
					}
					done++
					if holds(rec.FromVersion) {
						violations++
						t.Errorf("trial %d: the RESTRICTED officer's %s was made over version %d, which holds the SECRET paragraph", trial, rec.Op, rec.FromVersion)
					}
				}
			}
			// The writes are made, once the sheet holds nothing above the
			// writer: a write refused every time would pass the check above.
			if done < 6 {
				t.Fatalf("only %d of 12 writes made", done)
			}
			t.Logf("%d of 12 writes made by the RESTRICTED officer, none over the SECRET paragraph", done)
		})
	}
}

// deleteByForm deletes a sheet through its page's form, sent with version:
// 204 when it is gone, 409 when it is not.
func deleteByForm(f *fixture, id, version string) int {
	f.do("lowofficer", "POST", "/sheets/"+id+"/delete", "version="+version, "Content-Type", "application/x-www-form-urlencoded")
	if f.do("lowofficer", "GET", "/api/v1/sheets/"+id, nil).Code == 404 {
		return 204
	}
	return 409
}
