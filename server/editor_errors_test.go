package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// The editor saves through the merge: a refused save shows each reason
// beside what the writer typed, at its place on their page.
func TestEditor_SaveErrorBesideField(t *testing.T) {
	f := newFixture(t)
	id := hiddenWorld(f)
	b := f.pageBrowser("lowofficer")
	page := b.open("/sheets/" + id + "/edit")
	rec := b.act(id, page, "save", map[string]string{"s0.p2.text": "Paragraph C {{s6(a): never ended"})
	body := rec.Body.String()
	if rec.Code != 422 {
		t.Fatalf("save with a bad span: %d", rec.Code)
	}
	// The reason sits right after the textarea of paragraph 3 of section 1, as they see it.
	i := strings.Index(body, `id="s0-p2-err"`)
	if i < 0 || !strings.Contains(body[i:], "section 1, paragraph 3") || strings.Contains(body, "paragraph 5") {
		t.Fatalf("the reason is not beside the paragraph typed: %s", body)
	}
	if !strings.Contains(body, `name="s0.p2.text" class="invalid"`) {
		t.Errorf("the paragraph typed is not marked invalid")
	}
	// A section of more paragraphs than a section holds says so beside it.
	page = b.open("/sheets/" + id + "/edit")
	form := editorForm(page)
	form.Set("s1.n", "201")
	for j := 0; j < 201; j++ {
		p := fmt.Sprintf("s1.p%d", j)
		form.Set(p+".id", "")
		form.Set(p+".text", fmt.Sprintf("Paragraph %d.", j+1))
		form.Set(p+".marking", "RESTRICTED")
		form.Set(p+".withhold", "")
	}
	form.Set("op", "save")
	rec = b.send("POST", "/sheets/"+id+"/edit", form)
	body = rec.Body.String()
	if i := strings.Index(body, `id="s1-err"`); rec.Code != 422 || i < 0 || !strings.Contains(body[i:], "at most 200 paragraphs") {
		t.Fatalf("201 paragraphs in section 2: %d %s", rec.Code, body)
	}
}
