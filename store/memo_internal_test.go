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
		if e, ok := sheets.memo.cache.Get(sheets.kind + "\x00" + string(key)); ok && e.sum == sumOf(raw) {
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

// TestMemo_OtherBytesDecodedAfresh: the memo answers from what it kept
// only for the very bytes that were decoded: bytes of the same length, one
// byte apart, under the same key, are decoded afresh.
func TestMemo_OtherBytesDecodedAfresh(t *testing.T) {
	m := newMemo(1<<20, func(s *string) *string { c := *s; return &c }, func(*string, string) {})
	decoded := 0
	unmarshal := func(raw []byte) (*string, error) {
		decoded++
		s := string(raw)
		return &s, nil
	}
	for i, raw := range []string{"SECRET: the first", "SECRET: the first", "SECRET: the firsT", "SECRET: the first"} {
		got, err := m.decode("sheet", []byte("k"), []byte(raw), unmarshal, i%2 == 0)
		must(t, err)
		if *got != raw {
			t.Fatalf("read %d: %q for %q", i, *got, raw)
		}
	}
	if decoded != 3 {
		t.Fatalf("%d decodes, want 3: the same bytes again are answered from the memo, any others decoded", decoded)
	}
}
