package api

import (
	"briefpack/briefing"
)

// registerAgencyRoutes registers /api/v1/agencies.
func (s *API) registerAgencyRoutes() {
	r := &resource[*briefing.Agency]{
		kind:  briefing.KindAgency,
		path:  func(id string) string { return api + "/agencies/" + id },
		fresh: func() *briefing.Agency { return &briefing.Agency{} },
		get:   func(v *view, id string) (*briefing.Agency, error) { return v.Agency(v.Ctx, id) },
		list: func(v *view, _ string, p briefing.Page) ([]*briefing.Agency, string, error) {
			return v.Agencies(v.Ctx, p)
		},
		prepare: func(v *view, a, _ *briefing.Agency) error { return a.Validate() },
		create:  func(v *view, a *briefing.Agency) error { return v.St.CreateAgency(v.Ctx, a, v.User.Actor()) },
		update:  func(v *view, a *briefing.Agency) error { return v.St.UpdateAgency(v.Ctx, a, v.User.Actor()) },
		delete: func(v *view, id string, ver int) error {
			return v.St.DeleteAgency(v.Ctx, id, ver, v.User.Actor())
		},
	}
	// GET, POST /api/v1/agencies · GET, PUT, DELETE /api/v1/agencies/:id
	r.register(s, api+"/agencies", api+"/agencies/:id", briefing.RoleViewer, briefing.RoleSecretariat)
}

// registerPersonRoutes registers /api/v1/people.
func (s *API) registerPersonRoutes() {
	r := &resource[*briefing.Person]{
		kind:  briefing.KindPerson,
		path:  func(id string) string { return api + "/people/" + id },
		fresh: func() *briefing.Person { return &briefing.Person{} },
		get:   func(v *view, id string) (*briefing.Person, error) { return v.PersonByID(id) },
		list: func(v *view, _ string, p briefing.Page) ([]*briefing.Person, string, error) {
			return v.PeoplePage(p)
		},
		unsent: keepPerson,
		prepare: func(v *view, p, old *briefing.Person) error {
			if p.Marking == "" {
				p.Marking = v.Set.Lowest()
			}
			if err := p.ValidateOver(v.Set, old); err != nil {
				return err
			}
			if err := v.RefAgency("agency_id", p.AgencyID); err != nil {
				return err
			}
			return v.MarkingWithin("marking", p.Marking)
		},
		create: func(v *view, p *briefing.Person) error { return v.St.CreatePerson(v.Ctx, p, v.User.Actor()) },
		update: func(v *view, p *briefing.Person) error { return v.St.UpdatePerson(v.Ctx, p, v.User.Actor()) },
		delete: func(v *view, id string, ver int) error {
			return v.St.DeletePerson(v.Ctx, id, ver, v.User.Actor())
		},
	}
	// GET, POST /api/v1/people · GET, PUT, DELETE /api/v1/people/:id
	r.register(s, api+"/people", api+"/people/:id", briefing.RoleViewer, briefing.RoleSecretariat)
}

// registerDialogueRoutes registers /api/v1/dialogues.
func (s *API) registerDialogueRoutes() {
	r := &resource[*briefing.Dialogue]{
		kind:  briefing.KindDialogue,
		path:  func(id string) string { return api + "/dialogues/" + id },
		fresh: func() *briefing.Dialogue { return &briefing.Dialogue{} },
		get:   func(v *view, id string) (*briefing.Dialogue, error) { return v.Dialogue(v.Ctx, id) },
		list: func(v *view, _ string, p briefing.Page) ([]*briefing.Dialogue, string, error) {
			return v.Dialogues(v.Ctx, p)
		},
		prepare: func(v *view, d, _ *briefing.Dialogue) error {
			if d.Home == "" {
				d.Home = v.Set.Home
			}
			return d.Validate()
		},
		create: func(v *view, d *briefing.Dialogue) error { return v.St.CreateDialogue(v.Ctx, d, v.User.Actor()) },
		update: func(v *view, d *briefing.Dialogue) error { return v.St.UpdateDialogue(v.Ctx, d, v.User.Actor()) },
		delete: func(v *view, id string, ver int) error {
			return refusedForHidden(v, briefing.KindDialogue, id, v.St.DeleteDialogue(v.Ctx, id, ver, v.User.Actor()),
				dependentsSeen{"rounds", func(p briefing.Page) (int, error) { r, _, err := v.Rounds(v.Ctx, id, p); return len(r), err }},
				dependentsSeen{"actions", func(p briefing.Page) (int, error) { a, _, err := v.Actions(v.Ctx, id, p); return len(a), err }})
		},
	}
	// GET, POST /api/v1/dialogues · GET, PUT, DELETE /api/v1/dialogues/:id
	r.register(s, api+"/dialogues", api+"/dialogues/:id", briefing.RoleViewer, briefing.RoleSecretariat)
}

// registerActionRoutes registers /api/v1/dialogues/:id/actions and /api/v1/actions/:id.
func (s *API) registerActionRoutes() {
	r := &resource[*briefing.Action]{
		kind:  briefing.KindAction,
		path:  func(id string) string { return api + "/actions/" + id },
		fresh: func() *briefing.Action { return &briefing.Action{} },
		get:   func(v *view, id string) (*briefing.Action, error) { return v.Action(v.Ctx, id) },
		list: func(v *view, parent string, p briefing.Page) ([]*briefing.Action, string, error) {
			if _, err := v.DialogueByID(parent); err != nil {
				return nil, "", err
			}
			return v.Actions(v.Ctx, parent, p)
		},
		output: func(v *view, a *briefing.Action) (*briefing.Action, error) {
			out, ok, err := v.FilterAction(v.Ctx, a)
			if err == nil && !ok {
				err = briefing.Errorf(briefing.ENOTFOUND, "action %s not found", a.ID)
			}
			return out, err
		},
		prepare:  func(v *view, a, old *briefing.Action) error { return s.CheckAction(v, a, old) },
		create:   func(v *view, a *briefing.Action) error { return v.St.CreateAction(v.Ctx, a, v.User.Actor()) },
		update:   func(v *view, a *briefing.Action) error { return v.St.UpdateAction(v.Ctx, a, v.User.Actor()) },
		delete:   func(v *view, id string, ver int) error { return v.St.DeleteAction(v.Ctx, id, ver, v.User.Actor()) },
		parent:   func(a *briefing.Action, id string) { a.DialogueID = id },
		parentOf: func(a *briefing.Action) string { return a.DialogueID },
	}
	// GET, POST /api/v1/dialogues/:id/actions
	s.route("GET", api+"/dialogues/:id/actions", briefing.RoleViewer, r.handleList(s, "id"))
	s.route("POST", api+"/dialogues/:id/actions", briefing.RoleSecretariat, r.handleCreate(s, "id"))
	// GET, PUT, DELETE /api/v1/actions/:id
	r.registerItem(s, api+"/actions/:id", briefing.RoleViewer, briefing.RoleSecretariat, briefing.RoleSecretariat, nil)
}

// CheckAction validates an action and its references. A round the writer
// may not see is answered as one that does not exist, and kept when their
// copy lacked it. An action sent without a marking takes that of its round
// as the writer sees it (the lowest for a round hidden from them, or none),
// and on update never less than the marking they read: a hidden round's
// marking is neither used nor named ("you cannot save content marked
// SECRET"), so an action raised in one is answered as one raised in none,
// and leaving the field out never lowers a marking. The marking is never
// above the writer.
func (s *API) CheckAction(v *view, a, old *briefing.Action) error {
	var seen *briefing.Round // the round it was raised in, when the writer sees it
	if old != nil && a.RaisedInRoundID == "" {
		// The reader's copy lacked a round they may not see: it stays.
		stored, err := v.St.Action(v.Ctx, old.ID)
		if err != nil {
			return err
		}
		if stored.RaisedInRoundID != "" {
			if ok, err := v.SeesRef(briefing.KindRound, stored.RaisedInRoundID); err != nil {
				return err
			} else if !ok {
				a.RaisedInRoundID = stored.RaisedInRoundID
			}
		}
	} else if a.RaisedInRoundID != "" {
		r, err := v.RoundByID(a.RaisedInRoundID)
		if err != nil && briefing.ErrorCode(err) != briefing.ENOTFOUND {
			return err
		}
		if err != nil || r.DialogueID != a.DialogueID {
			return fieldError("raised_in_round_id", "must be the id of a round of this dialogue")
		}
		seen = r
	}
	if a.Marking == "" {
		a.Marking = v.Set.Lowest()
		if seen != nil {
			a.Marking = seen.Marking
		}
		if old != nil {
			a.Marking = v.Set.Highest(a.Marking, old.Marking)
		}
	}
	if err := a.Validate(v.Set); err != nil {
		return err
	}
	if _, err := v.DialogueByID(a.DialogueID); err != nil {
		return err
	}
	if err := v.RefAgency("owner_agency_id", a.OwnerAgencyID); err != nil {
		return err
	}
	return v.MarkingWithin("marking", a.Marking)
}

// dependentsSeen lists one kind of an object's dependents as the reader
// sees them: what names the kind as the store's refusal does.
type dependentsSeen struct {
	what string
	list func(briefing.Page) (int, error)
}

// refusedForHidden words a refusal to delete an object that still has
// dependents (ECONFLICT from the store) by what the reader sees of them,
// in the store's order. The store names the first kind it finds, which may
// be one hidden from them ("still has topic sheets" for a sheet above
// them): they are told of the first kind they see instead. One who sees
// none is told, as for a sheet holding paragraphs above them, that it holds
// content they may not delete; "still has rounds" would tell them of rounds
// above their clearance.
func refusedForHidden(v *view, kind, id string, err error, seen ...dependentsSeen) error {
	if briefing.ErrorCode(err) != briefing.ECONFLICT {
		return err
	}
	for _, d := range seen {
		n, lerr := d.list(briefing.Page{Limit: 1})
		if lerr != nil {
			return lerr
		}
		if n > 0 {
			return &briefing.Error{Code: briefing.ECONFLICT, Message: briefing.StillHas(kind, id, d.what)}
		}
	}
	return briefing.Errorf(briefing.EFORBIDDEN, "this %s holds content above your clearance; it cannot be deleted by you", kind)
}
