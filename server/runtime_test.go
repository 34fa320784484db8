package server_test

import (
	"testing"
)

// TestRuntime: the process's counts are an admin's alone, cleared to the
// highest marking, and are counts: goroutines, the heap live, open
// descriptors.
func TestRuntime(t *testing.T) {
	f := newFixture(t)
	f.addUser("lowadmin", "admin", "RESTRICTED")
	if r := f.do("", "GET", "/api/v1/admin/runtime", nil); r.Code != 401 {
		t.Fatalf("signed out: %d %s", r.Code, r.Body.String())
	}
	// An admin below the highest marking is refused too: the heap grows
	// by the size of a save they may not see.
	for _, u := range []string{"viewer", "officer", "lead", "secretariat", "lowadmin"} {
		if r := f.do(u, "GET", "/api/v1/admin/runtime", nil); r.Code != 403 {
			t.Fatalf("%s: %d %s", u, r.Code, r.Body.String())
		}
	}
	r := f.do("admin", "GET", "/api/v1/admin/runtime", nil)
	if r.Code != 200 {
		t.Fatalf("admin: %d %s", r.Code, r.Body.String())
	}
	var got map[string]any
	r.json(&got)
	for _, k := range []string{"goroutines", "heap_live_bytes", "heap_objects", "gc_cycles", "gave_back", "open_files", "answering"} {
		if _, ok := got[k].(float64); !ok {
			t.Errorf("%s is not a number: %v", k, got)
		}
	}
	if got["goroutines"].(float64) < 1 || got["open_files"].(float64) < 1 || got["answering"].(float64) != 1 {
		t.Errorf("counts: %v", got)
	}
	// With gc=1, after a collection.
	var again map[string]any
	f.do("admin", "GET", "/api/v1/admin/runtime?gc=1", nil).json(&again)
	if again["gc_cycles"].(float64) <= got["gc_cycles"].(float64) {
		t.Errorf("gc=1 collected nothing: %v, then %v", got, again)
	}
}
