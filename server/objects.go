package server

import (
	"fmt"

	"briefpack/briefing"
)

const api = "/api/v1"

// registerAgencyRoutes registers /api/v1/agencies.
func (s *Server) registerAgencyRoutes() {
	r := &resource[*briefing.Agency]{
		kind:  briefing.KindAgency,
		path:  func(id string) string { return api + "/agencies/" + id },
		fresh: func() *briefing.Agency { return &briefing.Agency{} },
		get:   func(v *view, id string) (*briefing.Agency, error) { return v.Agency(v.ctx, id) },
		list: func(v *view, _ string, p briefing.Page) ([]*briefing.Agency, string, error) {
			return v.Agencies(v.ctx, p)
		},
		prepare: func(v *view, a, _ *briefing.Agency) error { return a.Validate() },
		create:  func(v *view, a *briefing.Agency) error { return v.st.CreateAgency(v.ctx, a, v.reader.Actor()) },
		update:  func(v *view, a *briefing.Agency) error { return v.st.UpdateAgency(v.ctx, a, v.reader.Actor()) },
		delete: func(v *view, id string, ver int) error {
			return v.st.DeleteAgency(v.ctx, id, ver, v.reader.Actor())
		},
	}
	// GET, POST /api/v1/agencies · GET, PUT, DELETE /api/v1/agencies/:id
	r.register(s, api+"/agencies", api+"/agencies/:id", briefing.RoleViewer, briefing.RoleSecretariat)
}

// registerPersonRoutes registers /api/v1/people.
func (s *Server) registerPersonRoutes() {
	r := &resource[*briefing.Person]{
		kind:  briefing.KindPerson,
		path:  func(id string) string { return api + "/people/" + id },
		fresh: func() *briefing.Person { return &briefing.Person{} },
		get:   func(v *view, id string) (*briefing.Person, error) { return v.person(id) },
		list: func(v *view, _ string, p briefing.Page) ([]*briefing.Person, string, error) {
			return v.people(p)
		},
		prepare: func(v *view, p, _ *briefing.Person) error {
			if p.Marking == "" {
				p.Marking = v.set.Lowest()
			}
			if err := p.Validate(v.set); err != nil {
				return err
			}
			if err := v.refAgency("agency_id", p.AgencyID); err != nil {
				return err
			}
			return v.markingWithin("marking", p.Marking)
		},
		create: func(v *view, p *briefing.Person) error { return v.st.CreatePerson(v.ctx, p, v.reader.Actor()) },
		update: func(v *view, p *briefing.Person) error { return v.st.UpdatePerson(v.ctx, p, v.reader.Actor()) },
		delete: func(v *view, id string, ver int) error {
			return v.st.DeletePerson(v.ctx, id, ver, v.reader.Actor())
		},
	}
	// GET, POST /api/v1/people · GET, PUT, DELETE /api/v1/people/:id
	r.register(s, api+"/people", api+"/people/:id", briefing.RoleViewer, briefing.RoleSecretariat)
}

// registerDialogueRoutes registers /api/v1/dialogues.
func (s *Server) registerDialogueRoutes() {
	r := &resource[*briefing.Dialogue]{
		kind:  briefing.KindDialogue,
		path:  func(id string) string { return api + "/dialogues/" + id },
		fresh: func() *briefing.Dialogue { return &briefing.Dialogue{} },
		get:   func(v *view, id string) (*briefing.Dialogue, error) { return v.Dialogue(v.ctx, id) },
		list: func(v *view, _ string, p briefing.Page) ([]*briefing.Dialogue, string, error) {
			return v.Dialogues(v.ctx, p)
		},
		prepare: func(v *view, d, _ *briefing.Dialogue) error {
			if d.Home == "" {
				d.Home = v.set.Home
			}
			return d.Validate()
		},
		create: func(v *view, d *briefing.Dialogue) error { return v.st.CreateDialogue(v.ctx, d, v.reader.Actor()) },
		update: func(v *view, d *briefing.Dialogue) error { return v.st.UpdateDialogue(v.ctx, d, v.reader.Actor()) },
		delete: func(v *view, id string, ver int) error {
			return v.st.DeleteDialogue(v.ctx, id, ver, v.reader.Actor())
		},
	}
	// GET, POST /api/v1/dialogues · GET, PUT, DELETE /api/v1/dialogues/:id
	r.register(s, api+"/dialogues", api+"/dialogues/:id", briefing.RoleViewer, briefing.RoleSecretariat)
}

// registerActionRoutes registers /api/v1/dialogues/:id/actions and /api/v1/actions/:id.
func (s *Server) registerActionRoutes() {
	r := &resource[*briefing.Action]{
		kind:  briefing.KindAction,
		path:  func(id string) string { return api + "/actions/" + id },
		fresh: func() *briefing.Action { return &briefing.Action{} },
		get:   func(v *view, id string) (*briefing.Action, error) { return v.Action(v.ctx, id) },
		list: func(v *view, parent string, p briefing.Page) ([]*briefing.Action, string, error) {
			if _, err := v.dialogue(parent); err != nil {
				return nil, "", err
			}
			return v.Actions(v.ctx, parent, p)
		},
		output: func(v *view, a *briefing.Action) (*briefing.Action, error) {
			out, ok, err := v.FilterAction(v.ctx, a)
			if err == nil && !ok {
				err = briefing.Errorf(briefing.ENOTFOUND, "action %s not found", a.ID)
			}
			return out, err
		},
		prepare:  func(v *view, a, old *briefing.Action) error { return s.checkAction(v, a, old) },
		create:   func(v *view, a *briefing.Action) error { return v.st.CreateAction(v.ctx, a, v.reader.Actor()) },
		update:   func(v *view, a *briefing.Action) error { return v.st.UpdateAction(v.ctx, a, v.reader.Actor()) },
		delete:   func(v *view, id string, ver int) error { return v.st.DeleteAction(v.ctx, id, ver, v.reader.Actor()) },
		parent:   func(a *briefing.Action, id string) { a.DialogueID = id },
		parentOf: func(a *briefing.Action) string { return a.DialogueID },
	}
	// GET, POST /api/v1/dialogues/:id/actions
	s.route("GET", api+"/dialogues/:id/actions", briefing.RoleViewer, r.handleList(s, "id"))
	s.route("POST", api+"/dialogues/:id/actions", briefing.RoleSecretariat, r.handleCreate(s, "id"))
	// GET, PUT, DELETE /api/v1/actions/:id
	r.registerItem(s, api+"/actions/:id", briefing.RoleViewer, briefing.RoleSecretariat, briefing.RoleSecretariat, nil)
}

// fieldError is a 422 naming one field.
func fieldError(field, why string) error {
	return &briefing.Error{Code: briefing.EINVALID, Message: fmt.Sprintf("%s %s", field, why), Fields: map[string]string{field: why}}
}

// refAgency checks that an optional agency reference names an agency.
func (v *view) refAgency(field, id string) error {
	if id == "" {
		return nil
	}
	if _, err := v.Agency(v.ctx, id); err != nil {
		if briefing.ErrorCode(err) == briefing.ENOTFOUND {
			return fieldError(field, "must be the id of an agency")
		}
		return err
	}
	return nil
}

// checkAction validates an action and its references. A round the writer
// may not see is answered as one that does not exist; an action's marking
// is by default that of the round it was raised in, and never above the writer.
func (s *Server) checkAction(v *view, a, old *briefing.Action) error {
	if old != nil && a.RaisedInRoundID == "" {
		// The reader's copy lacked a round they may not see: it stays.
		stored, err := v.st.Action(v.ctx, old.ID)
		if err != nil {
			return err
		}
		if stored.RaisedInRoundID != "" {
			if ok, err := v.sees(briefing.KindRound, stored.RaisedInRoundID); err != nil {
				return err
			} else if !ok {
				a.RaisedInRoundID = stored.RaisedInRoundID
			}
		}
	} else if a.RaisedInRoundID != "" {
		r, err := v.round(a.RaisedInRoundID)
		if err != nil && briefing.ErrorCode(err) != briefing.ENOTFOUND {
			return err
		}
		if err != nil || r.DialogueID != a.DialogueID {
			return fieldError("raised_in_round_id", "must be the id of a round of this dialogue")
		}
	}
	if a.Marking == "" {
		m, err := v.ActionMarking(v.ctx, a)
		if err != nil {
			return err
		}
		a.Marking = m
	}
	if err := a.Validate(v.set); err != nil {
		return err
	}
	if _, err := v.dialogue(a.DialogueID); err != nil {
		return err
	}
	if err := v.refAgency("owner_agency_id", a.OwnerAgencyID); err != nil {
		return err
	}
	return v.markingWithin("marking", a.Marking)
}
