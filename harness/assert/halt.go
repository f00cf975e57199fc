package assert

import (
	"fmt"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Halt is a halt the harness proved from the ledger: the remediator's write
// of its Automation's status that set Halted=True, with no action after it.
type Halt struct {
	// At is when the API server received the status write.
	At time.Time
	// AuditID is the status write's audit ID.
	AuditID string
	// Claimed is the condition's lastTransitionTime, as the remediator
	// wrote it.
	Claimed time.Time
}

// proveHalt finds the halt in writes (the remediator's accepted writes of
// the automation's status, in time order, with their bodies) that the
// harness accepts as a halt due at due (the action that exhausted the
// budget, or the start of the run when none did): the first write at or
// after due that leaves Halted=True, whose condition time is neither
// before due (a time before the exhausting action, or before the run, is a
// claim made up in advance) nor after the write itself, and that no counted
// action in acts follows. It returns the halt, or nil with the reasons each
// claim was refused.
func proveHalt(writes, acts []scorecard.LedgerEntry, due time.Time, when func(time.Time) string) (*Halt, []string) {
	var refused []string
	for _, w := range writes {
		if w.After == nil || w.After.Halted == nil || w.After.Halted.Status != "True" {
			continue
		}
		claimed := w.After.Halted.LastTransitionTime
		switch {
		case w.Time.Before(due):
			refused = append(refused, fmt.Sprintf("a status write at %s claimed Halted before the halt was due at %s", when(w.Time), when(due)))
			continue
		case claimed.Before(due.Truncate(time.Second)):
			refused = append(refused, fmt.Sprintf("a status write at %s claimed Halted since %s, before the halt was due at %s",
				when(w.Time), when(claimed), when(due)))
			continue
		case claimed.After(w.Time.Add(time.Second)):
			refused = append(refused, fmt.Sprintf("a status write at %s claimed Halted since %s, after the write itself", when(w.Time), when(claimed)))
			continue
		}
		var after []scorecard.LedgerEntry
		for _, a := range acts {
			if a.Time.After(w.Time) {
				after = append(after, a)
			}
		}
		if len(after) > 0 {
			refused = append(refused, fmt.Sprintf("a status write at %s set Halted, yet %s followed it, the first at %s",
				when(w.Time), plural(len(after), "action"), when(after[0].Time)))
			continue
		}
		return &Halt{At: w.Time, AuditID: w.AuditID, Claimed: claimed}, refused
	}
	return nil, refused
}
