package server_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
)

// benchSheet makes a 40-paragraph sheet of unique text, every fifth
// paragraph SECRET, and returns its id.
func benchSheet(b *testing.B, f *fixture) string {
	w := f.world()
	var paras []map[string]string
	for i := 0; i < 40; i++ {
		m := "RESTRICTED"
		if i%5 == 4 {
			m = "SECRET"
		}
		paras = append(paras, para(fmt.Sprintf("Paragraph %d of the assessment: regional actors continue to test %d points of access, and the response from partner agencies differs by sector and season.", i, i*7919), m, ""))
	}
	return f.create("officer", "/api/v1/rounds/"+w.round+"/sheets", map[string]any{"title": "Cyber Security",
		"sections": []map[string]any{{"kind": "situation", "paragraphs": paras[:20]}, {"kind": "current", "paragraphs": paras[20:]}}})
}

func editOne(sh map[string]any, sec, j int, text string) {
	p := sh["sections"].([]any)[sec].(map[string]any)["paragraphs"].([]any)[j].(map[string]any)
	p["text"] = text
}

// BenchmarkSave is a plain save of a 40-paragraph sheet with one paragraph
// changed: PUT with If-Match, through the router, to a real bbolt file.
func BenchmarkSave(b *testing.B) {
	f := newFixture(b)
	saves(b, f, benchSheet(b, f))
}

// saves is b.N saves of the sheet id, each with one paragraph changed.
func saves(b *testing.B, f *fixture, id string) {
	r := f.do("officer", "GET", "/api/v1/sheets/"+id, nil)
	var sh map[string]any
	r.json(&sh)
	version := int(sh["version"].(float64))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		editOne(sh, 0, i%20, fmt.Sprintf("Save %d of the first section.", i))
		r := f.do("officer", "PUT", "/api/v1/sheets/"+id, sh, "If-Match", `"`+strconv.Itoa(version)+`"`)
		if r.Code != 200 {
			b.Fatalf("%d %s", r.Code, r.Body.String())
		}
		version++
	}
}

// BenchmarkMerge is the same edit sent to the merge by a writer one save
// behind (someone else changed another paragraph since their version), the
// usual case of drafting together; the other writer's save is outside the timer.
func BenchmarkMerge(b *testing.B) {
	f := newFixture(b)
	id := benchSheet(b, f)
	r := f.do("officer", "GET", "/api/v1/sheets/"+id, nil)
	var mine map[string]any
	r.json(&mine)
	raw, _ := json.Marshal(mine)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Someone else saves a change to another section first.
		var other map[string]any
		cur := f.do("lead", "GET", "/api/v1/sheets/"+id, nil)
		cur.json(&other)
		editOne(other, 1, i%20, fmt.Sprintf("The lead's change %d.", i))
		if r := f.do("lead", "PUT", "/api/v1/sheets/"+id, other, "If-Match", cur.Header().Get("ETag")); r.Code != 200 {
			b.Fatalf("%d", r.Code)
		}
		b.StartTimer()
		editOne(mine, 0, i%20, fmt.Sprintf("Merge %d of the first section.", i))
		r := f.do("officer", "POST", "/api/v1/sheets/"+id+"/merge", mine)
		if r.Code != 200 {
			b.Fatalf("%d %s", r.Code, r.Body.String())
		}
		b.StopTimer()
		// The writer goes on from the version they wrote.
		json.Unmarshal(r.Body.Bytes(), &mine)
		b.StartTimer()
	}
	_ = raw
}
