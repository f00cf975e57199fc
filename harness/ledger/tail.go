package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// DefaultPollInterval is how often a Ledger checks its audit log for new
// lines unless Options say otherwise.
const DefaultPollInterval = 100 * time.Millisecond

// maxErrors bounds how many distinct problems a Ledger remembers for Err.
const maxErrors = 10

// Options tune a Ledger.
type Options struct {
	// PollInterval is how often the audit log is checked for new lines.
	// Defaults to DefaultPollInterval.
	PollInterval time.Duration
	// Since drops requests the API server received before it, such as those
	// of an earlier run against the same cluster. Defaults to zero: every
	// request in the log is kept.
	Since time.Time
}

func (o *Options) setDefaults() {
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
}

// Ledger follows an API server's audit log while a run goes on and keeps
// every mutating request one identity made (see Parse for which requests).
// It reads the file from its start and follows it as it grows. It waits for
// a file that does not exist yet, holds back a last line until its newline
// is written, and starts over on a file that was truncated or replaced by a
// new one (log rotation), after reading the old one to its end.
//
// A Ledger is safe for concurrent use.
type Ledger struct {
	path string
	sel  selector
	opts Options

	mu      sync.Mutex
	entries []scorecard.LedgerEntry
	seen    map[string]bool
	errs    []error
	dropped int

	cancel context.CancelFunc
	done   chan struct{}

	// Only the tailing goroutine touches these.
	f       *os.File
	info    fs.FileInfo
	partial []byte
	line    int
}

// Start starts following the audit log at path, keeping the mutating
// requests made by user (for example
// "system:serviceaccount:interlock-system:remediator"), with default
// Options. See StartWithOptions.
func Start(ctx context.Context, path, user string) (*Ledger, error) {
	return StartWithOptions(ctx, path, user, Options{})
}

// StartWithOptions starts following the audit log at path in the background
// until Stop is called or ctx ends. An empty user keeps every user's
// requests. The file need not exist yet. It is an error if path is empty or
// names a directory.
func StartWithOptions(ctx context.Context, path, user string, opts Options) (*Ledger, error) {
	if path == "" {
		return nil, errors.New("failed to start ledger: no audit log path")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("failed to start ledger: audit log %s is a directory", path)
	}
	opts.setDefaults()
	ctx, cancel := context.WithCancel(ctx)
	l := &Ledger{
		path:   path,
		sel:    selector{user: user, since: opts.Since},
		opts:   opts,
		seen:   map[string]bool{},
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go l.run(ctx)
	return l, nil
}

// Entries returns a copy of the entries kept so far, sorted by the time the
// API server received each request (the log is in order of completion).
func (l *Ledger) Entries() []scorecard.LedgerEntry {
	l.mu.Lock()
	out := slices.Clone(l.entries)
	l.mu.Unlock()
	slices.SortStableFunc(out, func(a, b scorecard.LedgerEntry) int { return a.Time.Compare(b.Time) })
	return out
}

// Arrived returns a copy of the entries kept from the from-th on, in the
// order they arrived (the order the API server completed them), and how
// many have arrived in all: a caller that follows the ledger as it grows
// passes the count back next time and reads each entry once.
func (l *Ledger) Arrived(from int) ([]scorecard.LedgerEntry, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.entries)
	if from >= n {
		return nil, n
	}
	return slices.Clone(l.entries[max(from, 0):]), n
}

// Stop reads what the audit log holds now, including a last line that has
// no newline yet but is a whole event, then stops following it. Entries
// stays available. Stop may be called more than once.
func (l *Ledger) Stop() {
	l.cancel()
	<-l.done
}

// Err reports the problems met while following the log: lines that are not
// audit events and files that could not be read. It is nil if there were
// none. Problems do not stop the Ledger; the lines at fault are skipped.
func (l *Ledger) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	errs := slices.Clone(l.errs)
	if l.dropped > 0 {
		errs = append(errs, fmt.Errorf("and %d more problems", l.dropped))
	}
	return errors.Join(errs...)
}

func (l *Ledger) run(ctx context.Context) {
	defer close(l.done)
	t := time.NewTicker(l.opts.PollInterval)
	defer t.Stop()
	for {
		l.poll()
		select {
		case <-ctx.Done():
			l.poll()
			l.flushPartial()
			if l.f != nil {
				_ = l.f.Close()
			}
			return
		case <-t.C:
		}
	}
}

// poll reads whatever the log holds beyond what was read, and notices a
// truncated or replaced file.
func (l *Ledger) poll() {
	if l.f == nil && !l.open() {
		return
	}
	l.readToEOF()

	// Truncated in place: start over.
	if fi, err := l.f.Stat(); err == nil {
		if off, _ := l.f.Seek(0, io.SeekCurrent); fi.Size() < off {
			_, _ = l.f.Seek(0, io.SeekStart)
			l.partial, l.line = nil, 0
			l.readToEOF()
		}
	}
	// Replaced by a new file (rotation): read the old one to its end once
	// more, for lines written to it since the read above and before the
	// rename, then follow the new one from its start.
	if fi, err := os.Stat(l.path); err == nil && !os.SameFile(fi, l.info) {
		l.readToEOF()
		l.flushPartial()
		_ = l.f.Close()
		l.f, l.info, l.line = nil, nil, 0
		if l.open() {
			l.readToEOF()
		}
	}
}

// open opens the log; false if it does not exist yet or cannot be opened.
func (l *Ledger) open() bool {
	f, err := os.Open(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		l.problem(fmt.Errorf("failed to open audit log: %w", err))
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		l.problem(fmt.Errorf("failed to stat audit log: %w", err))
		return false
	}
	l.f, l.info, l.partial = f, fi, nil
	return true
}

func (l *Ledger) readToEOF() {
	buf := make([]byte, 64<<10)
	for {
		n, err := l.f.Read(buf)
		if n > 0 {
			l.consume(buf[:n])
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				l.problem(fmt.Errorf("failed to read audit log: %w", err))
			}
			return
		}
	}
}

// consume splits data into lines, holding back an unfinished last line.
func (l *Ledger) consume(data []byte) {
	l.partial = append(l.partial, data...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.line++
		l.handle(l.partial[:i], true)
		l.partial = l.partial[i+1:]
	}
	// Keep the unfinished line in its own buffer so the one read into can
	// be reused and the consumed prefix freed.
	l.partial = bytes.Clone(l.partial)
}

// flushPartial takes in a last line with no newline if it is a whole event;
// an unfinished write is dropped without complaint.
func (l *Ledger) flushPartial() {
	if len(bytes.TrimSpace(l.partial)) > 0 {
		l.line++
		l.handle(l.partial, false)
	}
	l.partial = nil
}

func (l *Ledger) handle(line []byte, complete bool) {
	ev, err := decodeLine(line)
	if err != nil {
		if complete {
			l.problem(fmt.Errorf("failed to parse audit log line %d: %w", l.line, err))
		}
		return
	}
	if ev == nil {
		return
	}
	e, ok := l.sel.entry(ev)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.AuditID != "" {
		if l.seen[e.AuditID] {
			return
		}
		l.seen[e.AuditID] = true
	}
	l.entries = append(l.entries, e)
}

func (l *Ledger) problem(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.errs {
		if e.Error() == err.Error() {
			return
		}
	}
	if len(l.errs) >= maxErrors {
		l.dropped++
		return
	}
	l.errs = append(l.errs, err)
}
