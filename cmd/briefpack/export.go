package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"briefpack/briefing"
	"briefpack/briefing/htmlpack"
	"briefpack/briefing/xlsxpack"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", "Writes a round's briefing pack to a file, as the API serves it, for a reader\n"+
		"cleared to the ceiling (default: the highest marking, everything). The server must be\n"+
		"stopped, or use GET /api/v1/rounds/{id}/pack instead. The database is never written: one an\n"+
		"older briefpack wrote is read through a private copy migrated to this briefpack's schema (in the\n"+
		"temporary directory), and stays as it was.", stdout)
	db := fs.String("db", "briefpack.db", dbHelpExisting)
	ef := addEtcdFlags(fs)
	round := fs.String("round", "", "id of the round")
	format := fs.String("format", "html", "html or xlsx")
	edition := fs.String("edition", "full", "full, or release for the redacted release edition")
	ceiling := fs.String("ceiling", "", "the highest marking the full pack may hold, e.g. RESTRICTED (not for the release edition,\n"+
		"which is always made from the whole round)")
	out := fs.String("out", "", "file to write; must not exist")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "round", "out"); err != nil {
		return err
	}
	if *format = oneOf(*format, "html", "xlsx"); *format == "" {
		return usageError{"export: --format must be html or xlsx"}
	}
	if *edition = oneOf(*edition, briefing.EditionFull, briefing.EditionRelease); *edition == "" {
		return usageError{"export: --edition must be full or release"}
	}
	if *edition == briefing.EditionRelease && *ceiling != "" {
		return usageError{"export: --ceiling does not apply to the release edition, which is made from the whole round"}
	}
	if err := mustExist(*db); err != nil {
		return err
	}
	st, err := ef.openCurrent(*db, stdout)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := st.Settings(ctx)
	if err != nil {
		return err
	}
	// The ceiling is a marking of the database's scheme, taken in any case
	// as the import takes markings.
	if *ceiling != "" {
		m := s.NormalizeMarking(*ceiling)
		if m == "" {
			return usageError{"export: --ceiling must be one of " + strings.Join(s.Markings, ", ")}
		}
		*ceiling = m
	}
	// The command line reads as a reader cleared to everything, through the
	// same view as the server's readers, lowered to the ceiling if given.
	reader := briefing.Reader{Name: "briefpack export", Role: briefing.RoleAdmin, Clearance: s.Top()}
	v, err := briefing.NewView(st, s, reader).Ceiling(*ceiling)
	if err != nil {
		return err
	}
	var pack *briefing.Pack
	if *edition == briefing.EditionRelease {
		pack, err = briefing.ReleaseEdition(ctx, v, *round, time.Now())
	} else {
		pack, err = briefing.Assemble(ctx, v, *round, time.Now())
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if *format == "html" {
		err = htmlpack.Render(&buf, pack)
	} else {
		err = xlsxpack.Render(&buf, pack)
	}
	if err != nil {
		return err
	}
	n, err := writeNew(*out, func(w io.Writer) (int64, error) { return buf.WriteTo(w) }, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote the %s pack of round %s (%s edition, marked %s) to %s (%d bytes)\n", *format, *round, *edition, markingOf(pack), *out, n)
	return nil
}

func markingOf(p *briefing.Pack) string {
	if p.Edition == briefing.EditionRelease {
		return "for release"
	}
	return p.Marking
}
