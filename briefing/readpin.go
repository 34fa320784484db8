package briefing

import (
	"context"
	"sync"
)

// A ReadPin lets a store answer every read of one request as of one
// moment, the first read's: the request sees one consistent state of the
// database, and a replicated store asks its cluster for the latest
// revision once per request rather than once per read. A write made in
// the request moves the pin to it, so the request reads its own writes. A
// store that has no use for it (one file, one writer) ignores it.
type ReadPin struct {
	mu     sync.Mutex
	set    bool
	at, by int64
}

type readPinKey struct{}

// WithReadPin returns ctx carrying a new, unset pin.
func WithReadPin(ctx context.Context) context.Context {
	return context.WithValue(ctx, readPinKey{}, &ReadPin{})
}

// ReadPinOf returns ctx's pin, or nil.
func ReadPinOf(ctx context.Context) *ReadPin {
	p, _ := ctx.Value(readPinKey{}).(*ReadPin)
	return p
}

// Get returns the pinned position, as the store set it.
func (p *ReadPin) Get() (at, by int64, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.at, p.by, p.set
}

// Set pins the position.
func (p *ReadPin) Set(at, by int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at, p.by, p.set = at, by, true
}

// Clear unpins: the next read finds the latest position again.
func (p *ReadPin) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.set = false
}
