package suite

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"
)

// eta estimates the time a suite has left from each scenario's estimate:
// the work left (the estimates of the scenarios not started, and what is
// left of those running) shared among the parallel slots, and never less
// than what the longest running scenario has left. It is not safe for
// concurrent use; Run calls it under its lock.
type eta struct {
	estimate []time.Duration // by scenario index; nil without an estimate
	started  []time.Time     // zero until the scenario starts
	finished []bool
	parallel int
}

func newETA(opts Options) *eta {
	e := &eta{started: make([]time.Time, len(opts.Scenarios)), finished: make([]bool, len(opts.Scenarios)), parallel: max(opts.Parallel, 1)}
	if opts.Estimate != nil {
		e.estimate = make([]time.Duration, len(opts.Scenarios))
		for i, s := range opts.Scenarios {
			e.estimate[i] = opts.Estimate(s)
		}
	}
	return e
}

func (e *eta) start(i int, now time.Time) { e.started[i] = now }
func (e *eta) finish(i int)               { e.finished[i] = true }

// left is the time the suite should still take at now; false without
// estimates.
func (e *eta) left(now time.Time) (time.Duration, bool) {
	if e.estimate == nil {
		return 0, false
	}
	var work, longest time.Duration
	left := 0
	for i, est := range e.estimate {
		switch {
		case e.finished[i]:
			continue
		case e.started[i].IsZero():
			work += est
			longest = max(longest, est) // one not started takes at least its own estimate
		default:
			rest := max(est-now.Sub(e.started[i]), 0)
			work += rest
			longest = max(longest, rest)
		}
		left++
	}
	if left == 0 {
		return 0, true
	}
	return max(work/time.Duration(min(e.parallel, left)), longest), true
}

// minutes prints d as m:ss, rounded to the second.
func minutes(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// prefixWriter writes each whole line to w with prefix before it; lines
// from several runs at once stay whole.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		if _, err := fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf[:i]); err != nil {
			return len(b), err
		}
		p.buf = p.buf[i+1:]
	}
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
