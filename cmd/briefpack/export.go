package main

import (
	"context"
	"io"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", "Writes a round's briefing pack to a file.", stdout)
	if err := parse(fs, args); err != nil {
		return err
	}
	return usageError{"export: not available yet"}
}
