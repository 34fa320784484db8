package xlsxpack

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"briefpack/briefing"
	"briefpack/briefing/packtest"
)

// TestPieces: a workbook given in pieces is the same bytes as the workbook
// whole, and after one sheet changed, the other sheets' worksheets and
// Topics rows of 4 KB or more go out as the kept parts themselves, not as
// copies (archive/zip buffers smaller writes, which are copied).
func TestPieces(t *testing.T) {
	s, err := briefing.SettingsFor("nz")
	if err != nil {
		t.Fatal(err)
	}
	p := packtest.Pack(s, 40)
	for _, sh := range p.Sheets {
		sh.Stored = fmt.Sprintf("stored %s, test %p", sh.ID, p) // as if read from the store: its parts are kept
	}
	if _, err := Bytes(p); err != nil {
		t.Fatal(err)
	}
	p.Sheets[7].Stored += ", changed"
	p.Sheets[7].Title += " (changed)"
	wr, err := build(p)
	if err != nil {
		t.Fatal(err)
	}
	pieces := wr.out.done()
	whole, err := Bytes(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.Join(pieces, nil), whole) {
		t.Fatal("the pieces joined differ from the workbook whole")
	}
	as := map[*byte]bool{}
	for _, pc := range pieces {
		as[&pc[0]] = true
	}
	var big, found int
	look := func(data []byte) {
		if len(data) >= 4096 {
			big++
			if as[&data[0]] {
				found++
			}
		}
	}
	for i := range p.Sheets {
		if i != 7 {
			look(wr.parts[i].data)
			look(wr.topicChunks[i+1].Data)
		}
	}
	if big < 20 || found != big {
		t.Fatalf("%d of %d kept parts of 4 KB or more went out as themselves", found, big)
	}
}

// TestPieces_SavedOver: a sheet's worksheet and Topics rows saved over are
// dropped when the new ones are kept; the other sheets' stay.
func TestPieces_SavedOver(t *testing.T) {
	s, err := briefing.SettingsFor("nz")
	if err != nil {
		t.Fatal(err)
	}
	p := packtest.Pack(s, 3)
	for _, sh := range p.Sheets {
		sh.Stored = fmt.Sprintf("saved over, %s, test %p", sh.ID, p)
	}
	wr, err := build(p)
	if err != nil {
		t.Fatal(err)
	}
	was, other := wr.partKey(p.Sheets[0]), wr.partKey(p.Sheets[1])
	p.Sheets[0].Stored += ", saved again"
	if wr, err = build(p); err != nil {
		t.Fatal(err)
	}
	kept := func(key string) (worksheet, rows bool) {
		_, worksheet = parts.Get(key)
		_, rows = topicRows.Get(key)
		return worksheet, rows
	}
	if w, r := kept(was); w || r {
		t.Errorf("the sheet as it was before its save is still kept: worksheet %v, Topics rows %v", w, r)
	}
	for _, key := range []string{wr.partKey(p.Sheets[0]), other} {
		if w, r := kept(key); !w || !r {
			t.Errorf("a part still of use was dropped: worksheet kept %v, Topics rows kept %v", w, r)
		}
	}
}

// TestKeepParts: the parts KeepParts keeps are the ones a workbook of the
// same pack then takes as kept, and that workbook is the same bytes as one
// built with nothing kept, in both editions.
func TestKeepParts(t *testing.T) {
	s, err := briefing.SettingsFor("nz")
	if err != nil {
		t.Fatal(err)
	}
	full := packtest.Pack(s, 4)
	release, err := briefing.ReleaseView(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*briefing.Pack{full, release} {
		stored := func(tag string) {
			for _, sh := range p.Sheets {
				sh.Stored = fmt.Sprintf("%s, %s, %s, test %p", tag, p.Edition, sh.ID, p)
			}
		}
		stored("built whole")
		want, err := Bytes(p)
		if err != nil {
			t.Fatal(err)
		}
		stored("kept first")
		if err := KeepParts(p); err != nil {
			t.Fatal(err)
		}
		f := excelize.NewFile()
		wr, err := newWriter(f, p)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range p.Sheets {
			key := wr.partKey(sh)
			_, worksheet := parts.Get(key)
			_, rows := topicRows.Get(key)
			if !worksheet || !rows {
				t.Errorf("%s sheet %s: worksheet kept %v, Topics rows kept %v", p.Edition, sh.ID, worksheet, rows)
			}
		}
		got, err := Bytes(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the workbook from the parts kept first differs from one built whole", p.Edition)
		}
	}
}
