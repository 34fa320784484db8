package api

import (
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
)

// Dashboard is what is due for one reader: their topic sheets and deadlines,
// the rounds coming up, sheets still in draft past their drafts-due date,
// and open actions. The same data serves GET /api/v1/dashboard and the page.
type Dashboard struct {
	Today      string      `json:"today"`
	MySheets   []dashSheet `json:"my_sheets"`
	LateDrafts []dashSheet `json:"late_drafts"`
	// ToClear are the submitted sheets waiting for a lead's clearance, the
	// most overdue first: for leads and above, empty for others.
	ToClear     []dashSheet  `json:"to_clear"`
	Upcoming    []dashRound  `json:"upcoming_rounds"`
	OpenActions []dashAction `json:"open_actions"`
	// Marking is the highest marking of what the dashboard shows: its
	// sheets, rounds and actions; the page's banners carry it.
	Marking   string         `json:"-"`
	Dialogues []dashDialogue `json:"-"`
}

type dashDialogue struct {
	ID, Name string
}

type dashSheet struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Owner        string `json:"owner"`
	Status       string `json:"status"`
	Marking      string `json:"marking"`
	RoundID      string `json:"round_id"`
	RoundNumber  int    `json:"round_number"`
	Dialogue     string `json:"dialogue"`
	DraftsDue    string `json:"drafts_due,omitempty"`
	ClearanceDue string `json:"clearance_due,omitempty"`
	// Due is the next deadline the sheet faces, and Overdue whether it has passed.
	Due     string `json:"due,omitempty"`
	Overdue bool   `json:"overdue"`
	// Returned is the comment of the lead who last returned the sheet, while
	// it is still in draft after it.
	Returned string `json:"returned,omitempty"`
}

type dashRound struct {
	ID         string                   `json:"id"`
	DialogueID string                   `json:"dialogue_id"`
	Dialogue   string                   `json:"dialogue"`
	Number     int                      `json:"number"`
	StartsOn   string                   `json:"starts_on"`
	City       string                   `json:"city"`
	Status     string                   `json:"status"`
	Marking    string                   `json:"marking"`
	Milestones []briefing.MilestoneDate `json:"milestones"`
	NotCleared int                      `json:"sheets_not_cleared"`
}

type dashAction struct {
	ID       string `json:"id"`
	Ref      string `json:"ref"`
	Text     string `json:"text"`
	Status   string `json:"status"`
	DueOn    string `json:"due_on,omitempty"`
	Dialogue string `json:"dialogue"`
	Marking  string `json:"marking"`
	Overdue  bool   `json:"overdue"`
}

// registerDashboardRoutes registers GET /api/v1/dashboard.
func (s *API) registerDashboardRoutes() {
	// GET /api/v1/dashboard
	s.route(http.MethodGet, api+"/dashboard", briefing.RoleViewer, func(c echo.Context) error {
		d, err := s.Dashboard(s.view(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, d)
	})
}

// Dashboard gathers the reader's dashboard through their view.
func (s *API) Dashboard(v *view) (*Dashboard, error) {
	today := s.now().UTC().Format(time.DateOnly) // the same day on every server, whatever its zone, as a pack's date is
	out := &Dashboard{Today: today, Marking: s.settings.Lowest(), MySheets: []dashSheet{}, LateDrafts: []dashSheet{}, ToClear: []dashSheet{},
		Upcoming: []dashRound{}, OpenActions: []dashAction{}}
	err := eachPage(func(p briefing.Page) ([]*briefing.Dialogue, string, error) { return v.Dialogues(v.Ctx, p) },
		func(d *briefing.Dialogue) (bool, error) {
			out.Dialogues = append(out.Dialogues, dashDialogue{ID: d.ID, Name: d.Name})
			err := eachPage(func(p briefing.Page) ([]*briefing.Round, string, error) { return v.RoundsPage(d.ID, p) },
				func(r *briefing.Round) (bool, error) {
					ms := briefing.RoundMilestones(d, r)
					due := map[string]string{}
					for _, m := range ms {
						due[m.Kind] = m.Due
					}
					upcoming := upcoming(r, today)
					dr := dashRound{ID: r.ID, DialogueID: d.ID, Dialogue: d.Name, Number: r.Number, StartsOn: r.StartsOn,
						City: r.City, Status: r.Status, Marking: r.Marking, Milestones: ms}
					err := eachPage(func(p briefing.Page) ([]*briefing.Sheet, string, error) { return v.SheetsPage(r.ID, p) },
						func(sh *briefing.Sheet) (bool, error) {
							ds := dashSheet{ID: sh.ID, Title: sh.Title, Owner: sh.Owner, Status: sh.Status, Marking: sh.Marking,
								RoundID: r.ID, RoundNumber: r.Number, Dialogue: d.Name, DraftsDue: due["drafts_due"], ClearanceDue: due["clearance_due"]}
							switch sh.Status {
							case briefing.SheetDraft:
								ds.Due = ds.DraftsDue
							case briefing.SheetSubmitted:
								ds.Due = ds.ClearanceDue
							}
							ds.Overdue = ds.Due != "" && ds.Due < today && upcoming
							if sh.Status != briefing.SheetCleared {
								dr.NotCleared++
							}
							if n := len(sh.Reviews); n > 0 && sh.Status == briefing.SheetDraft && sh.Reviews[n-1].Decision == briefing.ReviewReturn {
								// Its comment is absent to a reader not cleared for it.
								ds.Returned = sh.Reviews[n-1].By
								if c := sh.Reviews[n-1].Comment; c != "" {
									ds.Returned += ": " + c
								}
							}
							if sh.Status == briefing.SheetSubmitted && v.User.Role.AtLeast(briefing.RoleLead) && r.Status != briefing.RoundHeld && r.Status != briefing.RoundCancelled {
								out.ToClear = append(out.ToClear, ds)
								out.Marking = s.settings.Highest(out.Marking, sh.Marking)
							}
							if sh.OwnerID == v.User.UserID {
								out.MySheets = append(out.MySheets, ds)
								out.Marking = s.settings.Highest(out.Marking, sh.Marking)
							}
							if sh.Status == briefing.SheetDraft && ds.DraftsDue != "" && ds.DraftsDue < today && upcoming {
								out.LateDrafts = append(out.LateDrafts, ds)
								out.Marking = s.settings.Highest(out.Marking, sh.Marking)
							}
							return true, nil
						})
					if err != nil {
						return false, err
					}
					if upcoming {
						out.Upcoming = append(out.Upcoming, dr)
						out.Marking = s.settings.Highest(out.Marking, r.Marking)
					}
					return true, nil
				})
			if err != nil {
				return false, err
			}
			return true, eachPage(func(p briefing.Page) ([]*briefing.Action, string, error) { return v.Actions(v.Ctx, d.ID, p) },
				func(a *briefing.Action) (bool, error) {
					if a.Open() {
						out.OpenActions = append(out.OpenActions, dashAction{ID: a.ID, Ref: a.Ref, Text: a.Text, Status: a.Status,
							DueOn: a.DueOn, Dialogue: d.Name, Marking: a.Marking, Overdue: a.DueOn != "" && a.DueOn < today})
						out.Marking = s.settings.Highest(out.Marking, a.Marking)
					}
					return true, nil
				})
		})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out.Upcoming, func(i, j int) bool { return out.Upcoming[i].StartsOn < out.Upcoming[j].StartsOn })
	sort.SliceStable(out.MySheets, func(i, j int) bool { return out.MySheets[i].Due < out.MySheets[j].Due })
	sort.SliceStable(out.ToClear, func(i, j int) bool { return out.ToClear[i].Due < out.ToClear[j].Due })
	return out, nil
}

// upcoming reports whether a round is still to be held: it starts today
// or later, and is neither held nor cancelled.
func upcoming(r *briefing.Round, today string) bool {
	return r.StartsOn >= today && r.Status != briefing.RoundCancelled && r.Status != briefing.RoundHeld
}
