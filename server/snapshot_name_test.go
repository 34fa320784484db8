package server_test

import (
	"strings"
	"testing"
)

// TestSnapshot_NamedAsTheDialogueIsNow: a frozen file's download is named
// from its dialogue as it is now, whether or not the server kept its bytes
// from an earlier download (it kept the name with them, so servers that had
// served it before a rename named it the old way, the others the new).
func TestSnapshot_NamedAsTheDialogueIsNow(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	r := f.do("lead", "POST", "/api/v1/rounds/"+w.round+"/packs", map[string]bool{"force": true})
	var sn struct{ ID string }
	r.json(&sn)
	if r.Code != 201 {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	name := func() string {
		t.Helper()
		r := f.do("lead", "GET", "/api/v1/packs/"+sn.ID+"?format=html", nil)
		if r.Code != 200 {
			t.Fatalf("download: %d", r.Code)
		}
		return r.Header().Get("Content-Disposition")
	}
	if before := name(); !strings.Contains(before, "australia-new-zealand") {
		t.Fatalf("named %s", before)
	}
	f.update("secretariat", "/api/v1/dialogues/"+w.dialogue, func(d map[string]any) { d["name"] = "Trans-Tasman Security Dialogue" })
	if after := name(); !strings.Contains(after, "trans-tasman") {
		t.Errorf("after the dialogue was renamed, named %s", after)
	}
}
