package store

import (
	"testing"
	"time"
)

// TestMemo_WrittenDecodedAhead: a sheet written is decoded into the memo
// in the background, with the bytes stored, so its next reader does not
// decode it; the copy kept is the stored one, its digest recorded.
func TestMemo_WrittenDecodedAhead(t *testing.T) {
	db, sh := oneSheetDB(t)
	key, ok := parseKey(sh.ID)
	if !ok {
		t.Fatalf("sheet id %q", sh.ID)
	}
	tx, err := db.begin(t.Context(), false)
	must(t, err)
	raw := append([]byte(nil), tx.Bucket(sheetBucket).Get(key)...)
	must(t, tx.Rollback())
	for deadline := time.Now().Add(10 * time.Second); ; {
		if e, ok := sheets.memo.cache.Get(sheets.kind + "\x00" + string(key)); ok && string(e.raw) == string(raw) {
			if e.obj.ID != sh.ID || e.obj.Title != "Cyber" || e.obj.Stored == "" {
				t.Fatalf("the sheet decoded ahead is not the one stored: %+v", e.obj)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the sheet written was not decoded ahead into the memo")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
