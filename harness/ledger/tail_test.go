package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
)

// eventLine is one audit log line (with its newline): a pod deletion by user.
func eventLine(id, user, pod string, at time.Time) string {
	return fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":%q,"stage":"ResponseComplete",`+
		`"requestURI":"/api/v1/namespaces/shop/pods/%s","verb":"delete","user":{"username":%q,"groups":["system:authenticated"]},`+
		`"sourceIPs":["127.0.0.1"],"userAgent":"remediator/v0.1.0","objectRef":{"resource":"pods","namespace":"shop","name":%q,"apiVersion":"v1"},`+
		`"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":%q,"stageTimestamp":%q}`+"\n",
		id, pod, user, pod, at.Format(time.RFC3339Nano), at.Add(5*time.Millisecond).Format(time.RFC3339Nano))
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls l until it holds n entries, or fails the test.
func waitFor(t *testing.T, l *ledger.Ledger, n int) []scorecard.LedgerEntry {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := l.Entries()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("ledger holds %d entries after 5s, want %d: %v", len(got), n, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ids(es []scorecard.LedgerEntry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.AuditID)
	}
	return strings.Join(s, ",")
}

func startLedger(t *testing.T, path string, opts ledger.Options) *ledger.Ledger {
	t.Helper()
	if opts.PollInterval == 0 {
		opts.PollInterval = 5 * time.Millisecond
	}
	l, err := ledger.StartWithOptions(t.Context(), path, remediator, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return l
}

func TestLedgerFollowsAGrowingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	// The file does not exist yet when the ledger starts.
	l := startLedger(t, path, ledger.Options{})
	time.Sleep(20 * time.Millisecond)
	if got := l.Entries(); len(got) != 0 {
		t.Fatalf("entries before the file exists: %v", got)
	}

	appendTo(t, path, eventLine("a", remediator, "api-0", testutil.T0))
	appendTo(t, path, eventLine("x", "system:serviceaccount:kube-system:replicaset-controller", "api-0", testutil.T0.Add(time.Second)))
	waitFor(t, l, 1)

	// A line written in two parts is held back until its newline arrives.
	line := eventLine("b", remediator, "api-1", testutil.T0.Add(2*time.Second))
	appendTo(t, path, line[:40])
	time.Sleep(30 * time.Millisecond)
	if got := l.Entries(); len(got) != 1 {
		t.Fatalf("a partial line was taken in: %v", ids(got))
	}
	appendTo(t, path, line[40:])
	appendTo(t, path, eventLine("c", remediator, "api-2", testutil.T0.Add(3*time.Second)))
	got := waitFor(t, l, 3)

	l.Stop()
	if s := ids(got); s != "a,b,c" {
		t.Errorf("entries = %s, want a,b,c", s)
	}
	if err := l.Err(); err != nil {
		t.Errorf("Err = %v", err)
	}
}

func TestLedgerSortsByReceivedTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	// The log is in order of completion; a slow request completes last.
	appendTo(t, path, eventLine("late", remediator, "api-0", testutil.T0.Add(2*time.Second))+
		eventLine("early", remediator, "api-1", testutil.T0.Add(time.Second)))
	l := startLedger(t, path, ledger.Options{})
	if s := ids(waitFor(t, l, 2)); s != "early,late" {
		t.Errorf("entries = %s, want early,late", s)
	}
}

func TestLedgerStopTakesAWholeLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	appendTo(t, path, eventLine("a", remediator, "api-0", testutil.T0))
	last := strings.TrimSuffix(eventLine("b", remediator, "api-1", testutil.T0.Add(time.Second)), "\n")
	appendTo(t, path, last)
	l := startLedger(t, path, ledger.Options{})
	waitFor(t, l, 1)
	l.Stop()
	l.Stop() // twice is fine
	if s := ids(l.Entries()); s != "a,b" {
		t.Errorf("entries = %s, want a,b", s)
	}
}

func TestLedgerStopDropsAnUnfinishedWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	appendTo(t, path, eventLine("a", remediator, "api-0", testutil.T0))
	appendTo(t, path, eventLine("b", remediator, "api-1", testutil.T0.Add(time.Second))[:60])
	l := startLedger(t, path, ledger.Options{})
	waitFor(t, l, 1)
	l.Stop()
	if s := ids(l.Entries()); s != "a" {
		t.Errorf("entries = %s, want a", s)
	}
	if err := l.Err(); err != nil {
		t.Errorf("Err = %v, want nil for an unfinished write", err)
	}
}

func TestLedgerSkipsMalformedLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	appendTo(t, path, eventLine("a", remediator, "api-0", testutil.T0)+"garbage\n"+eventLine("b", remediator, "api-1", testutil.T0.Add(time.Second)))
	l := startLedger(t, path, ledger.Options{})
	if s := ids(waitFor(t, l, 2)); s != "a,b" {
		t.Errorf("entries = %s, want a,b", s)
	}
	if err := l.Err(); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Err = %v, want one naming line 2", err)
	}
}

func TestLedgerFollowsRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	appendTo(t, path, eventLine("a", remediator, "api-0", testutil.T0))
	l := startLedger(t, path, ledger.Options{})
	waitFor(t, l, 1)

	// The API server renames the full log and starts a new one; a last line
	// lands in the old file just before.
	appendTo(t, path, eventLine("b", remediator, "api-1", testutil.T0.Add(time.Second)))
	if err := os.Rename(path, filepath.Join(dir, "audit-2026-09-14T03-00-01.000.log")); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, eventLine("c", remediator, "api-2", testutil.T0.Add(2*time.Second)))
	if s := ids(waitFor(t, l, 3)); s != "a,b,c" {
		t.Errorf("entries = %s, want a,b,c", s)
	}
}

func TestLedgerFollowsTruncation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	appendTo(t, path, eventLine("a", remediator, "api-0", testutil.T0)+eventLine("b", remediator, "api-1", testutil.T0.Add(time.Second)))
	l := startLedger(t, path, ledger.Options{})
	waitFor(t, l, 2)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, eventLine("c", remediator, "api-2", testutil.T0.Add(2*time.Second)))
	if s := ids(waitFor(t, l, 3)); s != "a,b,c" {
		t.Errorf("entries = %s, want a,b,c", s)
	}
}

func TestLedgerSince(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	appendTo(t, path, eventLine("old", remediator, "api-0", testutil.T0.Add(-time.Hour))+eventLine("new", remediator, "api-1", testutil.T0))
	l := startLedger(t, path, ledger.Options{Since: testutil.T0})
	got := waitFor(t, l, 1)
	l.Stop()
	if s := ids(l.Entries()); s != "new" {
		t.Errorf("entries = %s (first seen %s), want new", s, ids(got))
	}
}

func TestLedgerStopsWithItsContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	ctx, cancel := context.WithCancel(t.Context())
	l, err := ledger.StartWithOptions(ctx, path, remediator, ledger.Options{PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	done := make(chan struct{})
	go func() { l.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return after the context ended")
	}
}

func TestStartErrors(t *testing.T) {
	tests := map[string]struct {
		path string
		want string
	}{
		"no path":     {path: "", want: "no audit log path"},
		"a directory": {path: t.TempDir(), want: "is a directory"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ledger.Start(t.Context(), tc.path, remediator)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Start error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// The testdata log, copied in chunks of odd sizes while the ledger follows
// it, gives the same entries as Parse.
func TestLedgerMatchesParse(t *testing.T) {
	data, err := os.ReadFile("testdata/audit.log")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ledger.Parse(bytes.NewReader(data), remediator)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	l := startLedger(t, path, ledger.Options{PollInterval: time.Millisecond})
	for len(data) > 0 {
		n := min(len(data), 777)
		appendTo(t, path, string(data[:n]))
		data = data[n:]
		time.Sleep(time.Millisecond)
	}
	waitFor(t, l, len(want))
	l.Stop()
	if got, w := ids(l.Entries()), ids(want); got != w {
		t.Errorf("followed entries\n%s\nwant\n%s", got, w)
	}
}

// Arrived hands each entry over once, in the order it arrived.
func TestArrived(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	data, err := os.ReadFile("testdata/audit.log")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Start(t.Context(), path, "")
	if err != nil {
		t.Fatal(err)
	}
	l.Stop()
	all := l.Entries()
	first, n := l.Arrived(0)
	if n != len(all) || len(first) != len(all) {
		t.Fatalf("Arrived(0) = %d entries of %d, want all %d", len(first), n, len(all))
	}
	if more, m := l.Arrived(n); len(more) != 0 || m != n {
		t.Errorf("Arrived(%d) = %d entries, %d in all; want none", n, len(more), m)
	}
	if tail, _ := l.Arrived(n - 2); len(tail) != 2 || tail[1].AuditID != first[n-1].AuditID {
		t.Errorf("Arrived(%d) = %+v, want the last two", n-2, tail)
	}
}
