package api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/briefing/xlsxpack"
	"briefpack/internal/parallel"
)

// Pack formats and their media types.
var packTypes = map[string]string{
	"html": "text/html; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// packCSP lets a pack shown in the browser use its own inline styles, and nothing else.
const packCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

// registerPackRoutes registers the pack downloads and snapshots.
func (s *API) registerPackRoutes() {
	// GET /api/v1/rounds/:id/pack?format=html|xlsx&edition=full|release&ceiling=LEVEL
	s.route(http.MethodGet, api+"/rounds/:id/pack", briefing.RoleLead, s.handlePack)
	// GET /api/v1/rounds/:id/release-check
	s.route(http.MethodGet, api+"/rounds/:id/release-check", briefing.RoleLead, s.handleReleaseCheck)
	// POST /api/v1/rounds/:id/packs
	s.route(http.MethodPost, api+"/rounds/:id/packs", briefing.RoleLead, s.handleFreeze)
	// GET /api/v1/rounds/:id/packs
	s.route(http.MethodGet, api+"/rounds/:id/packs", briefing.RoleViewer, s.handleSnapshots)
	// GET /api/v1/packs/:id?format=html|xlsx&edition=full|release
	s.route(http.MethodGet, api+"/packs/:id", briefing.RoleViewer, s.handleSnapshot)
}

// packRequest is what a pack is built from.
type packRequest struct {
	roundID, format, edition, ceiling string
}

func packParams(c echo.Context, needFormat bool) (packRequest, error) {
	p := packRequest{roundID: c.Param("id"), format: c.QueryParam("format"), edition: c.QueryParam("edition"), ceiling: c.QueryParam("ceiling")}
	if p.format == "" {
		p.format = "html"
	}
	if p.edition == "" {
		p.edition = briefing.EditionFull
	}
	fields := map[string]string{}
	if _, ok := packTypes[p.format]; !ok && needFormat {
		fields["format"] = "must be html or xlsx"
	}
	if p.edition != briefing.EditionFull && p.edition != briefing.EditionRelease {
		fields["edition"] = "must be full or release"
	}
	if len(fields) > 0 {
		return p, &briefing.Error{Code: codeBadRequest, Message: "bad pack parameters", Fields: fields}
	}
	return p, nil
}

// assemble builds the pack for the reader through their view: the full
// edition at their clearance or the lower ceiling, or the release edition,
// which only a reader who sees the whole round may have (a ceiling does not
// apply to it).
func (s *API) assemble(c echo.Context, p packRequest) (*briefing.Pack, error) {
	return s.assembleIn(s.view(c), p)
}

// assembleIn is assemble through a view whose context may not be its
// request's (see inTurn).
func (s *API) assembleIn(v *view, p packRequest) (*briefing.Pack, error) {
	if p.edition == briefing.EditionRelease {
		return briefing.ReleaseEdition(v.Ctx, v.View, p.roundID, s.now())
	}
	cv, err := v.Ceiling(p.ceiling)
	if err != nil {
		return nil, err
	}
	return briefing.Assemble(v.Ctx, cv, p.roundID, s.now())
}

// render makes a pack in one format, as the pieces of its file: an HTML
// pack is its sheets' kept sections with the rest of the pack between
// them, never copied into one buffer; a workbook is one piece.
func render(pack *briefing.Pack, format string) (pieces, error) {
	var parts pieces
	var err error
	switch format {
	case "html":
		parts, err = htmlpack.Parts(pack)
	case "xlsx":
		var ps [][]byte
		ps, err = xlsxpack.Pieces(pack)
		parts = pieces(ps)
	default:
		return nil, errorf(codeBadRequest, "format must be html or xlsx")
	}
	if err != nil {
		return nil, fmt.Errorf("render %s pack: %w", format, err)
	}
	return parts, nil
}

// packCacheBytes and snapshotCacheBytes bound the memory kept for packs.
const (
	packCacheBytes     = 128 << 20
	snapshotCacheBytes = 128 << 20
)

type cachedPack struct {
	// parts are the file's bytes in pieces. Pieces may be shared with
	// other packs (a sheet's kept section), so none is ever changed.
	parts pieces
	// keys are what an HTML pack's pieces are kept by (htmlpack.Keys), for
	// compressing it from the sheets' kept compressed sections.
	keys []string
	etag string
	name string
	// digest is the SHA-256 of the file, in hex, made once when a freeze
	// first asks for it: the file never changes, and hashing the four
	// files of 1,000 sheets again at every freeze of a round made ready
	// took some 40 ms of processor. The file itself is not kept (see
	// stored).
	digestOnce sync.Once
	digest     string
}

// sum returns the SHA-256 of the pack's file, in hex.
func (cp *cachedPack) sum() string {
	cp.digestOnce.Do(func() { cp.digest = cp.parts.sum() })
	return cp.digest
}

// stored returns the pack as a freeze stores it: an HTML pack's sheets'
// sections as kept compressed and the rest compressed anew, in one gzip
// file (sending it gzip-encoded was measured on loopback under load:
// compressing each new pack cost more than the bytes saved); a workbook's
// pieces joined. It is made anew each time, not kept: joining is a copy of
// the kept pieces, some milliseconds, where keeping the four files of a
// round of 1,000 sheets held 26 MB more for as long as the pack was kept.
func (cp *cachedPack) stored(format string) ([]byte, error) {
	if format == "html" {
		return htmlpack.Gzip(cp.parts, cp.keys)
	}
	return cp.parts.bytes(), nil
}

// pieces are a file's bytes in pieces, written one after the other: a
// rendered HTML pack's sections and what lies between them, a workbook's
// kept worksheets and what lies between them, or a frozen file in one
// piece.
type pieces [][]byte

// WriteTo writes the pieces to w.
func (ps pieces) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, b := range ps {
		m, err := w.Write(b)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Len is the file's length.
func (ps pieces) Len() int {
	n := 0
	for _, b := range ps {
		n += len(b)
	}
	return n
}

// sum is the SHA-256 of the file, in hex.
func (ps pieces) sum() string {
	h := sha256.New()
	ps.WriteTo(h)
	return hex.EncodeToString(h.Sum(nil))
}

// bytes is the file in one piece: the piece itself when there is one, a
// copy joining them otherwise.
func (ps pieces) bytes() []byte {
	if len(ps) == 1 {
		return ps[0]
	}
	return bytes.Join(ps, nil)
}

// flight is one pack being rendered, for the requests that wait on it.
type flight struct {
	done chan struct{}
	cp   *cachedPack
	err  error
}

// packKey names a rendered pack by what it was built from: the content of
// the assembled pack (every object it holds as the reader sees it), the day
// it is dated, and the format. Two readers who see the same content share
// it; a write that changes what a pack holds changes its key, on whichever
// server it was made; a write that changes nothing in it — or a sign-in, or
// a refused write — leaves it be.
//
// A sheet read from the store stands in the key for its stored record (its
// digest) with what its reader's copy was made from besides — the pack's
// ceiling and dialogue, which the key holds, and its owner's name — so the
// key costs a few bytes per sheet, not the sheet's text.
func packKey(p *briefing.Pack, format string) (string, error) {
	c := *p
	c.GeneratedAt = c.GeneratedAt.Truncate(24 * time.Hour)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", format)
	if err := c.WriteContent(h); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)) + "." + format, nil
}

// handlePack is GET /api/v1/rounds/:id/pack: the live pack for the caller's
// clearance (or a lower ceiling), with an ETag; an unchanged pack answers 304.
// A lead's look at the full pack also has the other files a freeze would
// make built in the background (warmFreeze).
func (s *API) handlePack(c echo.Context) error {
	p, err := packParams(c, true)
	if err != nil {
		return err
	}
	v := s.view(c)
	cp, err := s.livePack(v, p, true)
	if err != nil {
		return err
	}
	if p.edition == briefing.EditionFull && p.ceiling == "" {
		s.warmFreeze(v.User, p)
	}
	return servePack(c, cp.parts, cp.etag, cp.name, p.format)
}

// livePack returns the live pack a request asks for, through its reader's
// view. A pack already built at the revision the request sees is served as
// it is; otherwise it is assembled through the reader's view, in its line
// of builds (inTurn), and rendered only if its content is new. counted says
// whether a rendering counts among the server's PackRenders (a request's),
// or not (the background's).
func (s *API) livePack(v *view, p packRequest, counted bool) (*cachedPack, error) {
	// First by the store's revision: at the same revision, a reader of the
	// same role and clearance (after the ceiling) is given the same pack,
	// without assembling it again. Requests arriving together share one
	// assembly and one rendering.
	cv, err := v.Ceiling(p.ceiling)
	if err != nil {
		return nil, err
	}
	if p.edition == briefing.EditionRelease {
		// A ceiling does not apply to the release edition: assembleIn makes
		// it from the reader's own view of the whole round, so it is kept
		// and shared as their own clearance's, whatever ceiling was asked
		// for. Kept by the ceiling, a TOP SECRET lead's release edition
		// asked for with ceiling=RESTRICTED was given, at the same revision,
		// to RESTRICTED leads, whom it refuses (403).
		cv = v.View
	}
	rev, err := s.store.Revision(v.Ctx)
	if err != nil {
		return nil, err
	}
	// What the pack is built for, less the revision: the requests that may
	// share one build.
	line := strings.Join([]string{string(v.User.Role), cv.Clearance(), p.roundID, p.format, p.edition,
		s.now().UTC().Format(time.DateOnly)}, "\x00")
	var cp *cachedPack
	key, ok := s.byRevision.Get(strconv.FormatUint(rev, 10) + "\x00" + line)
	if ok {
		cp, ok = s.packs.Get(key)
	}
	// A build is made with the context of the request that started it; if
	// that request went away, the one waiting tries for itself.
	for tries := 0; !ok && tries < 3; tries++ {
		cp, err = s.inTurn(v.Ctx, line, rev, func(ctx context.Context, at uint64) (*cachedPack, error) {
			bv := *v
			bv.Ctx = ctx
			pack, err := s.assembleIn(&bv, p)
			if err != nil {
				return nil, err
			}
			key, err := packKey(pack, p.format)
			if err != nil {
				return nil, err
			}
			cp, err := s.packFor(key, pack, p, counted)
			if err != nil {
				return nil, err
			}
			s.byRevision.Put(strconv.FormatUint(at, 10)+"\x00"+line, key)
			return cp, nil
		})
		switch {
		case err == nil:
			ok = true
		case (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) && v.Ctx.Err() == nil:
			continue
		default:
			return nil, err
		}
	}
	if !ok {
		return nil, err
	}
	return cp, nil
}

// A round's freeze files are made ready once the round has stayed the same
// for warmSettle (see quiet), checked for up to warmPatience after the
// look; none sooner than warmGap after the last for the same round and
// kind of reader.
const (
	warmSettle   = time.Second
	warmPatience = 30
	warmGap      = 5 * time.Second
)

// warming is the state of one round's warming for one role and clearance,
// under flightsMu.
type warming struct {
	due  bool      // a warming is scheduled and has not begun
	last time.Time // when the last began
}

// warmFreeze has the files a freeze by this reader would make — HTML and
// XLSX, full and release — built in the background as live packs, after a
// lead has looked at one of them: a freeze then joins kept sheets rather
// than rendering a thousand from nothing (at 1,000 sheets, each workbook
// built from nothing takes most of a second). Each reader's files are built
// only through a view of their own, as their requests would be; what is
// kept is keyed by what it was built from, as every pack is, so this is
// only ever a head start.
//
// It waits for the round to be quiet: the night before a trip, the lead
// looks at the pack once the sheets are done, and then freezes it. While
// saves to it stream in, whatever it built would be out of date at once, and
// would take the memory and the processors the saves and reads need (two
// workbooks built every few seconds under the load test's saves took the
// server's peak from 210 to 295 MB); then it gives up, and the next look
// tries again. At most one warming is due per round, role and clearance,
// and one runs at a time on the server.
func (s *API) warmFreeze(r briefing.Reader, p packRequest) {
	if !r.Role.AtLeast(briefing.RoleLead) {
		return
	}
	key := strings.Join([]string{string(r.Role), r.Clearance, p.roundID}, "\x00")
	s.flightsMu.Lock()
	w := s.warmings[key]
	if w == nil {
		// The rounds' entries are dropped once they are of no use (none
		// due, the last long enough ago), so they do not grow with rounds.
		for k, o := range s.warmings {
			if !o.due && time.Since(o.last) > warmGap {
				delete(s.warmings, k)
			}
		}
		w = &warming{}
		s.warmings[key] = w
	}
	if w.due {
		s.flightsMu.Unlock()
		return
	}
	w.due = true
	wait := time.Until(w.last.Add(warmGap))
	s.flightsMu.Unlock()
	s.Background(func() {
		time.Sleep(wait)
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(warmPatience)*warmSettle+time.Minute)
		defer cancel()
		if !s.quiet(ctx, r, p.roundID) {
			s.flightsMu.Lock()
			w.due = false
			s.flightsMu.Unlock()
			return
		}
		s.warmTurn.Lock()
		defer s.warmTurn.Unlock()
		s.flightsMu.Lock()
		w.due, w.last = false, time.Now()
		s.flightsMu.Unlock()
		s.warmFiles(ctx, r, p.roundID, nil)
	})
}

// WarmFreeze is warmFreeze for a look at a round's page, where a lead's
// Freeze button is: a lead freezes from there, often without downloading
// the pack first, and the files are then made ready while they read the
// page.
func (s *API) WarmFreeze(r briefing.Reader, roundID string) {
	s.warmFreeze(r, packRequest{roundID: roundID, format: "html", edition: briefing.EditionFull})
}

// warmFiles builds the files a freeze of a round by reader r would make —
// HTML and XLSX, full and release — as live packs, through a view of that
// reader's own, and returns their size. Before each but the first it asks
// same whether the round is still as it was when the making began, and
// stops if not, saying so (false).
func (s *API) warmFiles(ctx context.Context, r briefing.Reader, roundID string, same func() bool) (int64, bool) {
	v := s.ViewFor(ctx, r)
	var made int64
	first := true
	for _, edition := range []string{briefing.EditionFull, briefing.EditionRelease} {
		for _, format := range []string{"html", "xlsx"} {
			if !first && same != nil && !same() {
				return made, false
			}
			first = false
			// A round or a release edition the reader may not have is
			// refused here as it would be to them; nothing is kept of it.
			cp, err := s.livePack(v, packRequest{roundID: roundID, format: format, edition: edition}, false)
			if err != nil {
				continue
			}
			made += int64(cp.parts.Len())
			// An HTML file's sections compressed, as a freeze stores them;
			// a workbook's parts are kept compressed as it is built.
			if format == "html" {
				if err := htmlpack.KeepCompressed(cp.parts, cp.keys); err != nil {
					s.Log().Warn("making a round's files ready", "round", roundID, "err", err)
				}
			}
		}
	}
	return made, true
}

// warmRounds is how many upcoming rounds are kept ready (readyTick): the
// soonest, which a delegation is about to carry.
const warmRounds = 2

// readiness is what the background knows of the upcoming rounds it keeps
// ready (readyTick), between its looks. It is this process's own: what it
// makes ready is kept by what it was built from, so another server's
// readiness, or none, changes only how soon a freeze finds its files.
type readiness struct {
	mu      sync.Mutex
	rev     uint64 // the store's revision at the last look
	waiting bool   // some round was not yet quiet long enough at the last look
	rounds  map[string]*roundReadiness
}

// roundReadiness is one upcoming round's.
type roundReadiness struct {
	content string    // its content as the highest-cleared lead sees it (packKey), at the last look
	since   time.Time // since when it has had that content
	made    string    // the content (and the freezers) its files were last made ready for
	last    time.Time // when they were last made
	parts   string    // the content (and the freezers) its files' parts were last kept ready for (keepParts)
	partsAt time.Time // when they were last kept
}

// WarmUpcoming makes ready, after a start, the files a freeze of each of
// the soonest upcoming rounds would make (readyTick), looking once a second
// until each is ready or has been edited for warmPatience seconds: the
// first freeze after a restart the night before a trip then joins kept
// sheets too.
func (s *API) WarmUpcoming(ctx context.Context) error {
	for tries := 0; ; tries++ {
		waiting, err := s.readyTick(ctx)
		if err != nil || !waiting || tries >= warmPatience {
			return err
		}
		select {
		case <-time.After(warmSettle):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// KeepUpcomingReady goes on doing what WarmUpcoming does for as long as
// the server serves: once a second, when the store has been written, it
// looks at the soonest upcoming rounds again, and makes ready the files of
// any that has changed and then stayed the same for a second, at a moment
// when the server is answering no request (the files are a head start,
// never worth a request's processors). So a lead who freezes the pack a
// few seconds after the last sheet was saved — through the API, an
// import, a review, or a page — finds it made, without having looked at
// it first. While the round is still being written, it keeps ready what
// the files are made of instead (keepParts), while the server answers one
// request at most, so that a freeze right after the last of a stream of
// saves joins kept sheets too. Between writes it costs a read of the
// store's revision a second; while a round is being edited, one assembly
// of its pack a second (at 1,000 sheets some 20–50 ms), and the sheets
// saved since the last look laid out for each clearance that may freeze it.
func (s *API) KeepUpcomingReady(ctx context.Context) error {
	for {
		select {
		case <-time.After(warmSettle):
		case <-ctx.Done():
			return nil
		}
		if _, err := s.readyTick(ctx); err != nil && ctx.Err() == nil {
			// A store that cannot be read now may be readable in a second.
			s.Log().Warn("keeping the upcoming rounds ready", "err", err)
		}
	}
}

// readyTick looks once at the soonest upcoming rounds (warmRounds, by the
// dashboard's rule) and makes ready, for each clearance that some enabled
// user who may freeze one (a lead or above) holds, through that user's
// view, the files a freeze would make — HTML and XLSX, full and release —
// of each round that has stayed the same for warmSettle since it last
// changed, unless they were made for that content already or less than
// warmGap ago, while the server answers no request. A pack is kept by its
// content, so another role of the same clearance finds it. It stops making
// once it has made half of what the pack cache holds (more would only push
// out what it made first), and leaves a round that changes, or a request
// that comes, while its files are made (the next look goes on). A round
// not yet the same for warmSettle has its files' parts kept ready instead,
// once a second at most, while the server answers one request at most
// (keepParts). It says whether a round was left waiting.
//
// A round's content is what its full pack holds as the highest-cleared of
// those users sees it, who sees whatever the others see of it: an edit none
// of them can see changes none of their files.
func (s *API) readyTick(ctx context.Context) (waiting bool, err error) {
	st := &s.ready
	st.mu.Lock()
	defer st.mu.Unlock()
	rev, err := s.store.Revision(ctx)
	if err != nil {
		return false, err
	}
	written := st.rounds == nil || rev != st.rev
	if !written && !st.waiting {
		return false, nil
	}
	rounds, readers, err := s.freezeTargets(ctx)
	if err != nil {
		return false, err
	}
	var sig strings.Builder // who the files are made for
	for _, r := range readers {
		sig.WriteString(r.Clearance + "\x00")
	}
	now := time.Now()
	next := map[string]*roundReadiness{}
	var made int64
	for _, rd := range rounds {
		rr := st.rounds[rd.ID]
		if rr == nil {
			rr = &roundReadiness{}
		}
		next[rd.ID] = rr
		var pack *briefing.Pack // as readers[0] sees it, when assembled now
		if written || rr.content == "" {
			p, content, err := s.packOf(ctx, readers[0], rd.ID)
			if err != nil {
				continue // not one a lead may freeze (or gone): nothing to make
			}
			pack = p
			if content != rr.content {
				rr.content, rr.since = content, now
			}
		}
		if rr.made == rr.content+sig.String() {
			continue
		}
		if made >= packCacheBytes/2 {
			continue // no room for more: the next write looks again
		}
		// Made once the round has stayed the same for warmSettle, and no
		// sooner than warmGap after the last time: under edits a few seconds
		// apart, a round of 1,000 sheets is not made again after each.
		// And only while the server is answering no request, which it
		// then has the processors for; so too between files, where a
		// round written since the look is also looked at again, and left
		// if it changed.
		if now.Sub(rr.since) < warmSettle || now.Sub(rr.last) < warmGap || s.Answering() > 0 {
			waiting = true
			// Meanwhile, while the round is being written, what its files
			// are made of is kept ready, once a second at most: each
			// sheet's sections, worksheets and Topics rows, built once for
			// what they are built from (keepParts). A freeze right after
			// the last save then lays out only the sheets saved since the
			// last look, and joins the rest: at 1,000 sheets entered one
			// after another through the API, 0.19-0.42 s against
			// 0.57-0.63 s, the sheets entered as quickly. Only while the
			// server is answering one request at most, and building no
			// pack: the work goes on beside one person or script writing,
			// never beside many people reading and writing, whose requests
			// it would slow, nor beside a freeze, which lays out for
			// itself what it finds not kept.
			if rr.parts != rr.content+sig.String() && now.Sub(rr.partsAt) >= warmSettle && s.Answering() <= 1 && !s.building() {
				rr.partsAt = now
				s.warmTurn.Lock()
				complete := true
				for i, r := range readers {
					var p *briefing.Pack
					if i == 0 {
						p = pack
					}
					if !s.keepParts(ctx, r, rd.ID, p) {
						complete = false
						break
					}
				}
				s.warmTurn.Unlock()
				if complete {
					rr.parts = rr.content + sig.String()
					s.CountPartsKept()
				}
			}
			continue
		}
		rr.last = now
		same := func() bool {
			if s.Answering() > 0 {
				return false
			}
			at, err := s.store.Revision(ctx)
			if err == nil && at == rev {
				return true
			}
			content, err := s.contentOf(ctx, readers[0], rd.ID)
			return err == nil && content == rr.content
		}
		s.warmTurn.Lock()
		complete := true
		for _, r := range readers {
			if made >= packCacheBytes/2 || ctx.Err() != nil {
				break
			}
			n, ok := s.warmFiles(ctx, r, rd.ID, same)
			made += n
			if !ok {
				complete = false
				break
			}
		}
		s.warmTurn.Unlock()
		if !complete {
			// Tried again at the next look: what was made is kept, and a
			// round that changed meanwhile waits to stay the same again.
			rr.last, waiting = time.Time{}, true
			continue
		}
		rr.made = rr.content + sig.String()
		s.CountMadeReady()
	}
	st.rev, st.rounds, st.waiting = rev, next, waiting
	return waiting, ctx.Err()
}

// freezeTargets returns the soonest upcoming rounds (warmRounds of them)
// and a reader for each clearance that some enabled user who may freeze a
// pack holds, the highest clearance first; none of either when there are
// none of the other.
func (s *API) freezeTargets(ctx context.Context) ([]*briefing.Round, []briefing.Reader, error) {
	today := s.now().UTC().Format(time.DateOnly) // the same day on every server, whatever its zone, as a pack's date is
	var rounds []*briefing.Round
	err := eachPage(func(p briefing.Page) ([]*briefing.Dialogue, string, error) { return s.store.Dialogues(ctx, p) },
		func(d *briefing.Dialogue) (bool, error) {
			return true, eachPage(func(p briefing.Page) ([]*briefing.Round, string, error) { return s.store.Rounds(ctx, d.ID, p) },
				func(r *briefing.Round) (bool, error) {
					if upcoming(r, today) {
						rounds = append(rounds, r)
					}
					return true, nil
				})
		})
	if err != nil || len(rounds) == 0 {
		return nil, nil, err
	}
	sort.SliceStable(rounds, func(i, j int) bool { return rounds[i].StartsOn < rounds[j].StartsOn })
	rounds = rounds[:min(len(rounds), warmRounds)]
	var readers []briefing.Reader
	seen := map[string]bool{}
	err = eachPage(func(p briefing.Page) ([]*briefing.User, string, error) { return s.store.Users(ctx, p) },
		func(u *briefing.User) (bool, error) {
			if !u.Disabled && u.Role.AtLeast(briefing.RoleLead) && !seen[u.Clearance] {
				seen[u.Clearance] = true
				readers = append(readers, briefing.Reader{UserID: u.ID, Name: u.Name, Role: u.Role, Clearance: u.Clearance})
			}
			return true, nil
		})
	if err != nil || len(readers) == 0 {
		return nil, nil, err
	}
	sort.SliceStable(readers, func(i, j int) bool {
		a, _ := s.settings.Level(readers[i].Clearance)
		b, _ := s.settings.Level(readers[j].Clearance)
		return a > b
	})
	return rounds, readers, nil
}

// contentOf is what a round's full pack holds as reader r sees it: its
// content key (packKey), every sheet, person and action in it.
func (s *API) contentOf(ctx context.Context, r briefing.Reader, roundID string) (string, error) {
	_, content, err := s.packOf(ctx, r, roundID)
	return content, err
}

// packOf is a round's full pack as reader r sees it, and its content
// (contentOf).
func (s *API) packOf(ctx context.Context, r briefing.Reader, roundID string) (*briefing.Pack, string, error) {
	pack, err := s.assembleIn(s.ViewFor(ctx, r), packRequest{roundID: roundID, format: "html", edition: briefing.EditionFull})
	if err != nil {
		return nil, "", err
	}
	content, err := packKey(pack, "html")
	return pack, content, err
}

// keepParts keeps ready what the files a freeze of a round by reader r
// would make are made of — each sheet's HTML section (and compressed),
// its worksheet and its Topics rows, in the full edition and, when r sees
// the whole round, the release edition — through r's own view, without
// making the files (readyTick). pack is the round's full pack as r sees
// it, or nil to assemble it. It stops, saying so (false), when more than
// one request comes to be answered, or a pack comes to be built (a freeze
// right after an import would otherwise lay out each sheet twice, once
// here and once for itself).
func (s *API) keepParts(ctx context.Context, r briefing.Reader, roundID string, pack *briefing.Pack) bool {
	v := s.ViewFor(ctx, r)
	if pack == nil {
		var err error
		if pack, err = s.assembleIn(v, packRequest{roundID: roundID, format: "html", edition: briefing.EditionFull}); err != nil {
			return true // not one r may freeze: nothing to keep
		}
	}
	packs := []*briefing.Pack{pack}
	// The release edition as a freeze has it (see Freeze).
	if release, err := releaseOf(v, pack); err == nil && release != nil {
		packs = append(packs, release)
	}
	for _, p := range packs {
		for _, keep := range []func(*briefing.Pack) error{htmlpack.KeepParts, xlsxpack.KeepParts} {
			if s.Answering() > 1 || s.building() || ctx.Err() != nil {
				return false
			}
			if err := keep(p); err != nil {
				s.Log().Warn("keeping a round's parts ready", "round", roundID, "err", err)
			}
		}
	}
	return true
}

// quiet waits until the round stays the same for warmSettle, as reader r
// sees it — what its full pack holds (packKey: every sheet, person and
// action in it), whatever else in the store is written meanwhile — for up
// to warmPatience tries, and says whether it did. Each try assembles the
// pack: at 1,000 sheets some 20–50 ms a second while the round is edited.
func (s *API) quiet(ctx context.Context, r briefing.Reader, roundID string) bool {
	was, err := s.contentOf(ctx, r, roundID)
	for tries := 0; err == nil && tries < warmPatience; tries++ {
		select {
		case <-time.After(warmSettle):
		case <-ctx.Done():
			return false
		}
		var now string
		if now, err = s.contentOf(ctx, r, roundID); err == nil && now == was {
			return true
		}
		was = now
	}
	return false
}

// A line of builds is the packs built for one round, format, edition,
// reader's role and clearance, and day: one is built at a time, and a
// request that cannot have the one being built waits for the next, which
// every request arriving meanwhile shares. So under a stream of saves a
// pack is built as often as one build takes, not once for each request,
// and each request still has a pack at least as new as the store it saw:
// a build serves a request only when it read the store at or after the
// revision the request saw (at), or starts after the request arrived.
type buildLine struct {
	running   *flight
	runningAt uint64 // the revision the running build read first, 0 before it has
	next      *flight
}

// inTurn has build run in its line's turn, or shares a build of the line
// that will do for a request that saw revision rev. build is given a
// context whose reads are not pinned to the revision its request first
// read (a build may serve requests that arrived after), and the revision it
// read before it began.
func (s *API) inTurn(ctx context.Context, line string, rev uint64, build func(context.Context, uint64) (*cachedPack, error)) (*cachedPack, error) {
	s.flightsMu.Lock()
	l := s.lines[line]
	if l == nil {
		l = &buildLine{}
		s.lines[line] = l
	}
	if l.running != nil && l.runningAt != 0 && l.runningAt >= rev {
		f := l.running
		s.flightsMu.Unlock()
		return f.wait(ctx)
	}
	if l.next != nil {
		f := l.next
		s.flightsMu.Unlock()
		return f.wait(ctx)
	}
	f := &flight{done: make(chan struct{})}
	if prev := l.running; prev != nil {
		l.next = f
		s.flightsMu.Unlock()
		<-prev.done
		s.flightsMu.Lock()
		l.next = nil
	}
	l.running, l.runningAt = f, 0
	s.flightsMu.Unlock()
	defer func() {
		s.flightsMu.Lock()
		if l.running == f {
			l.running = nil
			if l.next == nil {
				delete(s.lines, line)
			}
		}
		s.flightsMu.Unlock()
		close(f.done)
	}()
	bctx := briefing.WithReadPin(ctx)
	at, err := s.store.Revision(bctx)
	if err != nil {
		f.err = err
		return nil, err
	}
	s.flightsMu.Lock()
	l.runningAt = at
	s.flightsMu.Unlock()
	f.cp, f.err = build(bctx, at)
	return f.cp, f.err
}

// wait waits for a build, or for ctx to end.
func (f *flight) wait(ctx context.Context) (*cachedPack, error) {
	select {
	case <-f.done:
		return f.cp, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// building says whether a pack is being built (by a request, a freeze or
// the background): one that keeps a round's parts ready (keepParts) waits
// for it rather than laying out the same sheets beside it, since it keeps
// what it lays out itself.
func (s *API) building() bool {
	s.flightsMu.Lock()
	defer s.flightsMu.Unlock()
	return len(s.flights) > 0
}

// shared runs build unless a request for the same key is running it
// already, in which case it waits for that one and shares its answer.
func (s *API) shared(key string, build func() (*cachedPack, error)) (*cachedPack, error) {
	s.flightsMu.Lock()
	if f, ok := s.flights[key]; ok {
		s.flightsMu.Unlock()
		<-f.done
		return f.cp, f.err
	}
	f := &flight{done: make(chan struct{})}
	s.flights[key] = f
	s.flightsMu.Unlock()
	defer func() {
		s.flightsMu.Lock()
		delete(s.flights, key)
		s.flightsMu.Unlock()
		close(f.done)
	}()
	f.cp, f.err = build()
	return f.cp, f.err
}

// packFor returns the pack kept for key, or renders it, unless a request
// for the same key is rendering it already, in which case it waits for
// that one.
func (s *API) packFor(key string, pack *briefing.Pack, p packRequest, counted bool) (*cachedPack, error) {
	if cp, ok := s.packs.Get(key); ok {
		return cp, nil
	}
	return s.shared(key, func() (*cachedPack, error) {
		if counted {
			s.CountPackRender()
		}
		parts, err := render(pack, p.format)
		if err != nil {
			return nil, err
		}
		// An HTML pack's entity tag names its bytes (htmlpack.Tag), not the
		// key: the key holds each sheet's stored record, hidden paragraphs
		// and all, so a tag made from it moved with an edit the reader
		// cannot see, and a conditional download told them one was made.
		// A workbook's bytes carry each sheet's version (for the import),
		// which counts every save, so its key, which names the content
		// too, is its tag, without reading eleven megabytes through a hash.
		cp := &cachedPack{parts: parts, etag: `"` + strings.TrimSuffix(key, "."+p.format)[:32] + `"`, name: packFileName(pack, p.edition, p.format)}
		if p.format == "html" {
			cp.keys = htmlpack.Keys(pack)
			cp.etag = htmlpack.Tag(parts, cp.keys)
		}
		// A release workbook carries no versions (no Import worksheet),
		// so its tag names its bytes, as an HTML pack's does: an edit to
		// words it withholds leaves it as it was. The digest is the one a
		// freeze stores, made once.
		if p.format == "xlsx" && p.edition == briefing.EditionRelease {
			cp.etag = `"` + cp.sum()[:32] + `"`
		}
		// A newer pack of a round's format, edition and ceiling makes the
		// last one useless: it is dropped then rather than left to age out.
		// The cache keeps the slot with its pack, and forgets it with it.
		slot := strings.Join([]string{pack.Round.ID, p.format, p.edition, pack.Ceiling}, "\x00")
		s.packs.PutLatest(slot, key, cp)
		return cp, nil
	})
}

// servePack writes a pack file as a download, or 304 when the client has
// it. An HTML pack asked for with disposition=inline is shown in place, and
// may be framed by briefpack's own pages (the round page's preview). The
// file goes out piece by piece, from where it is kept.
func servePack(c echo.Context, body pieces, etag, name, format string) error {
	h := c.Response().Header()
	h.Set("ETag", etag)
	disposition := "attachment"
	if format == "html" && c.QueryParam("disposition") == "inline" {
		disposition = "inline"
		h.Set("Content-Security-Policy", strings.Replace(packCSP, "frame-ancestors 'none'", "frame-ancestors 'self'", 1))
		h.Set("X-Frame-Options", "SAMEORIGIN")
	} else {
		h.Set("Content-Security-Policy", packCSP)
	}
	// "*" matches any current file (RFC 9110, 13.1.2), as the tag itself does.
	if inm := strings.TrimSpace(c.Request().Header.Get("If-None-Match")); inm == "*" || (inm != "" && strings.Contains(inm, etag)) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set("Content-Disposition", fmt.Sprintf(`%s; filename="%s"`, disposition, name))
	// A known length lets the file go out as it is, not in chunks.
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	h.Set(echo.HeaderContentType, packTypes[format])
	c.Response().WriteHeader(http.StatusOK)
	// The pieces of an HTML pack (a sheet's section is some 16 KB) go out
	// gathered into writes of sendBuffer bytes: on loopback a write costs
	// about as much whatever its size up to that, and a 5 MB pack in 16 KB
	// writes cost a third more CPU time than in one.
	bw := sendBuffers.Get().(*bufio.Writer)
	bw.Reset(c.Response())
	defer func() { bw.Reset(nil); sendBuffers.Put(bw) }()
	if _, err := body.WriteTo(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// sendBuffer is the size of the writes a pack is sent in.
const sendBuffer = 256 << 10

var sendBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, sendBuffer) }}

// packFileName names a pack file after its dialogue and round.
func packFileName(p *briefing.Pack, edition, format string) string {
	name := fmt.Sprintf("briefing-pack-%s-round-%d", p.Dialogue.Name, p.Round.Number)
	if edition == briefing.EditionRelease {
		name += "-release"
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-") + "." + format
}

// handleReleaseCheck is GET /api/v1/rounds/:id/release-check: what the
// release edition will withhold, per sheet, for a lead to review.
func (s *API) handleReleaseCheck(c echo.Context) error {
	pack, err := s.assemble(c, packRequest{roundID: c.Param("id"), edition: briefing.EditionFull})
	if err != nil {
		return err
	}
	v := s.view(c)
	if ok, err := briefing.SeesWholeRound(v.Ctx, v.View, pack); err != nil {
		return err
	} else if !ok {
		return errorf(briefing.EFORBIDDEN, briefing.ErrNotWholeRound)
	}
	items := briefing.ReleaseCheck(pack)
	withheld := 0
	for _, it := range items {
		if it.Decision == briefing.WithheldInFull {
			withheld++
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "withheld_in_full": withheld, "act": s.settings.Act})
}

// FreezeRequest is the body of POST /api/v1/rounds/:id/packs.
type FreezeRequest struct {
	Force   bool   `json:"force"`
	Ceiling string `json:"ceiling"`
}

// SnapshotJSON is a snapshot as the API shows it.
type SnapshotJSON struct {
	ID string `json:"id"`
	// Version is the snapshot's (its ETag), as every object of the API has
	// one: its files never change, but a raise marks it raised (Raised).
	Version   int       `json:"version"`
	RoundID   string    `json:"round_id"`
	Number    int       `json:"number"`
	CreatedAt time.Time `json:"created_at"`
	FrozenBy  string    `json:"frozen_by"`
	Marking   string    `json:"marking"`
	// Raised is the marking a paragraph the pack may hold was raised to
	// after it was frozen: it is shown only to readers cleared for it too.
	Raised        string            `json:"raised,omitempty"`
	Forced        bool              `json:"forced"`
	SHA256        map[string]string `json:"sha256"`
	ReleaseSHA256 map[string]string `json:"release_sha256"`
}

func ToSnapshotJSON(sn *briefing.Snapshot) SnapshotJSON {
	out := SnapshotJSON{ID: sn.ID, Version: sn.Version, RoundID: sn.RoundID, Number: sn.Number, CreatedAt: sn.CreatedAt, FrozenBy: sn.FrozenBy,
		Marking: sn.Marking, Raised: sn.Raised, Forced: sn.Forced, SHA256: map[string]string{}, ReleaseSHA256: map[string]string{}}
	for k, v := range sn.SHA256 {
		if f, ok := strings.CutPrefix(k, "release."); ok {
			out.ReleaseSHA256[f] = v
		} else {
			out.SHA256[k] = v
		}
	}
	return out
}

// handleFreeze is POST /api/v1/rounds/:id/packs: a snapshot of the pack as
// the lead sees it now, both formats and both editions, kept byte for byte.
// A round not ready to travel (a sheet on its agenda not cleared) needs
// "force": true, and the snapshot records that it was forced.
func (s *API) handleFreeze(c echo.Context) error {
	var req FreezeRequest
	if c.Request().ContentLength != 0 {
		if err := decode(c, &req); err != nil {
			return err
		}
	}
	sn, err := s.Freeze(c, c.Param("id"), req)
	if err != nil {
		return err
	}
	return created(c, api+"/packs/"+sn.ID, sn.Version, ToSnapshotJSON(sn))
}

// Freeze renders and stores a snapshot of a round's pack for the caller.
func (s *API) Freeze(c echo.Context, roundID string, req FreezeRequest) (*briefing.Snapshot, error) {
	p := packRequest{roundID: roundID, edition: briefing.EditionFull, ceiling: req.Ceiling}
	pack, err := s.assemble(c, p)
	if err != nil {
		return nil, err
	}
	notReady := notCleared(pack)
	pack.Forced = len(notReady) > 0 // the snapshot says so on its cover
	if len(notReady) > 0 && !req.Force {
		return nil, &briefing.Error{Code: briefing.ECONFLICT,
			Message: fmt.Sprintf("the round is not ready to travel: %s not cleared; send \"force\": true to freeze it anyway", strings.Join(notReady, ", ")),
			Fields:  map[string]string{"force": "needed while sheets on the agenda are not cleared"}}
	}
	type file struct {
		key    string
		pack   *briefing.Pack
		format string
	}
	todo := []file{{"html", pack, "html"}, {"xlsx", pack, "xlsx"}}
	// The release edition is frozen with the full one only when the freezer
	// sees the whole round and no ceiling lowers the pack: a release of part
	// of a round would misstate what was withheld.
	if req.Ceiling == "" {
		release, err := releaseOf(s.view(c), pack)
		if err != nil {
			return nil, err
		}
		if release != nil {
			todo = append(todo, file{"release.html", release, "html"}, file{"release.xlsx", release, "xlsx"})
		}
	}
	// Each file as the live pack of the same content is, so a pack looked
	// at before it is frozen is not built again (see warmFreeze), each with
	// its digest, two at a time: a workbook built from nothing leaves a
	// processor idle for a third of its time (at 1,000 sheets 0.34 s on one
	// processor, 0.23 s on two). Measured at 1,000 sheets on two
	// processors, in turn with one file after another: with nothing made
	// ready 1.35-1.55 s against 1.57-1.96 s, right after one sheet is saved
	// 0.31 s against 0.43, at the same peak heap (+262-277 MiB against
	// +237-287). Never more than two, whatever the processors: each file
	// holds tens of megabytes while it is built.
	data := make([][]byte, len(todo))
	digests := make([]string, len(todo))
	if err := parallel.Some(2, len(todo), func(i int, _ *struct{}) error {
		f := todo[i]
		key, err := packKey(f.pack, f.format)
		if err != nil {
			return err
		}
		cp, err := s.packFor(key, f.pack, packRequest{roundID: roundID, format: f.format, edition: f.pack.Edition, ceiling: req.Ceiling}, true)
		if err != nil {
			return err
		}
		// An HTML file is stored compressed (the store would compress it
		// otherwise), from its sheets' kept compressed sections; a workbook
		// in one piece, joined from its kept worksheets. The parts of
		// either may have been made when the files were made ready.
		if data[i], err = cp.stored(f.format); err != nil {
			return err
		}
		digests[i] = cp.sum()
		return nil
	}); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	sums := map[string]string{}
	for i, f := range todo {
		files[f.key], sums[f.key] = data[i], digests[i]
	}
	r := mustReader(c)
	sn := &briefing.Snapshot{RoundID: pack.Round.ID, Edition: briefing.EditionFull, Marking: pack.Marking,
		Forced: len(notReady) > 0, FrozenBy: r.Name, SHA256: sums, Clearance: pack.Ceiling}
	if err := s.store.CreateSnapshot(c.Request().Context(), sn, files, r.Actor()); err != nil {
		return nil, err
	}
	s.logger(c).Info("pack frozen", "round", pack.Round.ID, "snapshot", sn.ID, "forced", sn.Forced, "marking", sn.Marking)
	return sn, nil
}

// releaseOf is the release edition a freeze of pack, the full pack as v's
// reader sees it, holds: nil when the reader does not see the whole round.
func releaseOf(v *view, pack *briefing.Pack) (*briefing.Pack, error) {
	whole, err := briefing.SeesWholeRound(v.Ctx, v.View, pack)
	if err != nil || !whole {
		return nil, err
	}
	return briefing.ReleaseView(pack)
}

// notCleared lists the agenda's sheets that are not cleared.
func notCleared(p *briefing.Pack) []string {
	var out []string
	named := map[*briefing.Sheet]bool{}
	for _, it := range p.Agenda {
		if it.Sheet != nil && it.Sheet.Status != briefing.SheetCleared && !named[it.Sheet] {
			named[it.Sheet] = true
			out = append(out, fmt.Sprintf("%q (%s)", it.Sheet.Title, it.Sheet.Status))
		}
	}
	return out
}

// handleSnapshots is GET /api/v1/rounds/:id/packs.
func (s *API) handleSnapshots(c echo.Context) error {
	pg, err := page(c)
	if err != nil {
		return err
	}
	v := s.view(c)
	items, next, err := v.Snapshots(v.Ctx, c.Param("id"), pg)
	if err != nil {
		return err
	}
	out := make([]SnapshotJSON, len(items))
	for i, sn := range items {
		out[i] = ToSnapshotJSON(sn)
	}
	return list(c, out, next)
}

// cachedSnapshot is a frozen file kept in memory: it never changes, so a
// repeated download costs only the clearance check of the snapshot and its round.
type cachedSnapshot struct {
	body []byte
}

// handleSnapshot is GET /api/v1/packs/:id: the frozen bytes, the same every
// time; without a format, the snapshot's record.
func (s *API) handleSnapshot(c echo.Context) error {
	id := c.Param("id")
	v := s.view(c)
	sn, err := v.Snapshot(v.Ctx, id)
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "" && c.QueryParam("edition") == "" {
		return one(c, http.StatusOK, sn.Version, ToSnapshotJSON(sn))
	}
	p, err := packParams(c, true)
	if err != nil {
		return err
	}
	key := p.format
	if p.edition == briefing.EditionRelease {
		key = "release." + p.format
	}
	if _, ok := sn.SHA256[key]; !ok {
		return briefing.Errorf(briefing.ENOTFOUND, "snapshot %s has no %s %s file: it was frozen without the release edition", id, p.edition, p.format)
	}
	// The file's name is made at each download, from the dialogue and
	// round as they are now, on every server alike: kept with the bytes,
	// it stayed as it was on a server that had served it before a rename.
	r, err := v.RoundByID(sn.RoundID)
	if err != nil {
		return err
	}
	d, err := v.DialogueByID(r.DialogueID)
	if err != nil {
		return err
	}
	name := packFileName(&briefing.Pack{Dialogue: d, Round: r}, p.edition, p.format)
	name = strings.TrimSuffix(name, "."+p.format) + fmt.Sprintf("-snapshot-%d.%s", sn.Number, p.format)
	if cs, ok := s.snapshots.Get(id + "\x00" + key); ok {
		return servePack(c, pieces{cs.body}, `"`+sn.SHA256[key]+`"`, name, p.format)
	}
	body, err := v.SnapshotFile(v.Ctx, sn.ID, key)
	if err != nil {
		return err
	}
	s.snapshots.Put(id+"\x00"+key, &cachedSnapshot{body: body})
	return servePack(c, pieces{body}, `"`+sn.SHA256[key]+`"`, name, p.format)
}
