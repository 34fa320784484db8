package server_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"briefpack/briefing"
)

// TestDelete_HeldToWhatWasChecked: a delete sent without If-Match (or with
// If-Match: *) is held to the version its checks judged. A SECRET officer
// saves a sheet again and again, adding a SECRET paragraph and taking it
// out, while a RESTRICTED officer deletes it, refused (403) while it holds
// the paragraph: the version deleted must never be one that holds it. Made
// with no version, the delete removed whatever was stored when it wrote,
// and a save landing between its check and its write was deleted with the
// paragraph the deleter may not touch.
func TestDelete_HeldToWhatWasChecked(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	violations, deletes := 0, 0
	for trial := range 12 {
		id := f.create("lowofficer", "/api/v1/rounds/"+w.round+"/sheets", sheetBody(fmt.Sprintf("Sheet %d", trial), para("Open words.", "RESTRICTED", "")))
		var mu sync.Mutex
		secret := map[int]bool{} // the versions saved, and whether each holds the SECRET paragraph
		var wg sync.WaitGroup
		going := make(chan struct{}) // the saves have begun
		var once sync.Once
		wg.Add(2)
		go func() { // the SECRET officer
			defer wg.Done()
			defer once.Do(func() { close(going) })
			for i := 0; i < 400; i++ {
				r := f.do("officer", "GET", "/api/v1/sheets/"+id, nil)
				if r.Code == 404 {
					return
				}
				var sh map[string]any
				r.json(&sh)
				sec := sh["sections"].([]any)[0].(map[string]any)
				paras := sec["paragraphs"].([]any)
				add := len(paras) == 1
				if add {
					sec["paragraphs"] = append(paras, para("Secret words.", "SECRET", ""))
				} else {
					sec["paragraphs"] = paras[:1]
				}
				p := f.do("officer", "PUT", "/api/v1/sheets/"+id, sh, "If-Match", r.Header().Get("ETag"))
				if p.Code == 404 {
					return
				}
				if p.Code == 200 {
					v, _ := strconv.Atoi(strings.Trim(p.Header().Get("ETag"), `"`))
					mu.Lock()
					secret[v] = add
					mu.Unlock()
					if v >= 3 {
						once.Do(func() { close(going) })
					}
				}
			}
		}()
		go func() { // the RESTRICTED officer
			defer wg.Done()
			<-going
			for i := 0; i < 400; i++ {
				var headers []string
				if i%2 == 1 {
					headers = []string{"If-Match", "*"}
				}
				if code := f.do("lowofficer", "DELETE", "/api/v1/sheets/"+id, nil, headers...).Code; code == 204 || code == 404 {
					return
				} else if code != 403 {
					t.Errorf("delete: %d", code)
					return
				}
			}
		}()
		wg.Wait()
		recs, _, err := f.db.Audit(context.Background(), briefing.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if rec.ObjectID == id && rec.Op == "delete" {
				deletes++
			}
			if rec.ObjectID == id && rec.Op == "delete" && secret[rec.FromVersion] {
				violations++
				t.Errorf("trial %d: version %d, holding the SECRET paragraph, was deleted by the RESTRICTED officer", trial, rec.FromVersion)
			}
		}
	}
	if violations > 0 {
		t.Fatalf("%d of 12 deletes removed a SECRET paragraph", violations)
	}
	// The deletes are made, once the sheet holds nothing above the deleter:
	// a delete refused every time would pass the check above.
	if deletes < 6 {
		t.Fatalf("only %d of 12 sheets were deleted", deletes)
	}
	t.Logf("%d of 12 sheets deleted by the RESTRICTED officer, none holding the SECRET paragraph", deletes)
}
