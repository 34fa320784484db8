package server_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"briefpack/briefing"
)

// TestForms_HeldToWhatWasChecked: the web forms for a person, an
// action and a round check the stored object through the writer's view
// (404 when it is above them) and write at the version they judged, not at
// the one the form names. A RESTRICTED secretariat sends the next version
// while a SECRET secretariat raises the object to SECRET and lowers it
// again: no form is written over a SECRET version. Written at the form's
// version, a review of these forms saw one land in each of 12 trials.
func TestForms_HeldToWhatWasChecked(t *testing.T) {
	f := newFixture(t)
	w := f.world()
	f.addUser("lowsec", "secretariat", "RESTRICTED")
	type kase struct {
		name string
		path func(id string) string
		make func() string
		// toggle returns the body with the object raised (secret) or lowered.
		toggle func(obj map[string]any, secret bool)
		form   func(id string, version int) url.Values
	}
	cases := []kase{
		{"Person", func(id string) string { return "/api/v1/people/" + id },
			func() string {
				return f.create("secretariat", "/api/v1/people", map[string]any{"name": "Open Person", "country": "Australia", "bio": "open", "marking": "RESTRICTED"})
			},
			func(o map[string]any, s bool) {
				if s {
					o["marking"], o["bio"] = "SECRET", "Kilimanjaro secret bio"
				} else {
					o["marking"], o["bio"] = "RESTRICTED", "open"
				}
			},
			func(id string, v int) url.Values {
				return url.Values{"name": {"Open Person"}, "country": {"Australia"}, "bio": {"low edit"}, "marking": {"RESTRICTED"}, "version": {strconv.Itoa(v)}}
			}},
		{"Action", func(id string) string { return "/api/v1/actions/" + id },
			func() string {
				return f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/actions", map[string]any{"ref": "9.01", "text": "open", "owner_agency_id": w.agency, "due_on": "2019-01-31", "status": "on_track", "marking": "RESTRICTED"})
			},
			func(o map[string]any, s bool) {
				if s {
					o["marking"], o["text"] = "SECRET", "Kilimanjaro secret action"
				} else {
					o["marking"], o["text"] = "RESTRICTED", "open"
				}
			},
			func(id string, v int) url.Values {
				return url.Values{"status": {"at_risk"}, "version": {strconv.Itoa(v)}}
			}},
		{"Round", func(id string) string { return "/api/v1/rounds/" + id },
			func() string {
				return f.create("secretariat", "/api/v1/dialogues/"+w.dialogue+"/rounds", map[string]any{"starts_on": "2030-05-10", "city": "Auckland", "host": "home", "status": "proposed", "marking": "RESTRICTED", "outcomes": "open"})
			},
			func(o map[string]any, s bool) {
				if s {
					o["marking"], o["outcomes"] = "SECRET", "Kilimanjaro secret outcomes"
				} else {
					o["marking"], o["outcomes"] = "RESTRICTED", "open"
				}
			},
			func(id string, v int) url.Values {
				return url.Values{"op": {"postpone"}, "version": {strconv.Itoa(v)}}
			}},
	}
	formPath := map[string]func(string) string{
		"Person": func(id string) string { return "/people/" + id },
		"Action": func(id string) string { return "/actions/" + id },
		"Round":  func(id string) string { return "/rounds/" + id },
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			violations, made := 0, 0
			for trial := 0; trial < 12; trial++ {
				id := c.make()
				var stop atomic.Bool
				raised, wait := raisedAndLowered(f, "secretariat", c.path(id), func(o map[string]any) bool {
					raise := o["marking"] != "SECRET"
					c.toggle(o, raise)
					return raise
				}, &stop)
				for i := 0; i < 400; i++ {
					r := f.do("lowsec", "GET", c.path(id), nil)
					if r.Code != 200 {
						continue // SECRET now: hidden
					}
					v, _ := strconv.Atoi(strings.Trim(r.Header().Get("ETag"), `"`))
					f.do("lowsec", "POST", formPath[c.name](id), c.form(id, v+1).Encode(), "Content-Type", "application/x-www-form-urlencoded")
					recs, _, _ := f.db.Audit(context.Background(), briefing.Page{Limit: 2000})
					done := false
					for _, rec := range recs {
						if rec.ObjectID == id && rec.UserName == "lowsec" {
							done = true
						}
					}
					if done {
						break
					}
				}
				stop.Store(true)
				wait()
				recs, _, _ := f.db.Audit(context.Background(), briefing.Page{Limit: 5000})
				for _, rec := range recs {
					if rec.ObjectID != id || rec.UserName != "lowsec" {
						continue
					}
					made++
					if raised(rec.FromVersion) {
						violations++
						t.Errorf("trial %d: the RESTRICTED secretariat's %s form was written over version %d, marked SECRET (%s %s %d->%d at %v)", trial, c.name, rec.FromVersion, rec.Op, rec.Kind, rec.FromVersion, rec.ToVersion, rec.At)
					}
				}
			}
			t.Logf("%s: %d writes by the RESTRICTED secretariat, %d over a SECRET version", c.name, made, violations)
		})
	}
}
