package render_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/scorecard/render"
)

// largeRun makes the storm run as long as a run of actions actions: ten
// seconds of run, ten ledger entries (the action and the remediator's
// bookkeeping), twenty truth samples and two timeline events per action.
func largeRun(actions int) func(*scorecard.Scorecard) {
	return func(s *scorecard.Scorecard) {
		stormRun(s)
		s.DurationSeconds = float64(actions) * 10
		s.Actions, s.Ledger, s.Timeline, s.Truth.Samples = nil, nil, nil, nil
		for i := range actions {
			sec := float64(i) * 10
			pod := fmt.Sprintf("shop/api-7d9f4-%05d", i)
			s.Actions = append(s.Actions, scorecard.Action{Time: at(sec), Automation: "restart-crashlooping", Kind: "restart", Class: "restart",
				Target: "pods " + pod, AuditIDs: []string{stormID(10 * i)}, Counted: true, Until: at(sec + 8)})
			s.Ledger = append(s.Ledger, stormEntry(sec, 10*i, "delete", "pods", "", "shop", pod[len("shop/"):], 200, "restart"))
			for j := 1; j < 10; j++ {
				s.Ledger = append(s.Ledger, stormEntry(sec+float64(j)*0.1, 10*i+j, "update", "automations", "status", "interlock-system", "restart-crashlooping", 200, "bookkeeping"))
			}
			s.Timeline = append(s.Timeline,
				scorecard.Event{Time: at(sec), Kind: scorecard.EventAction, Message: "restart " + pod},
				scorecard.Event{Time: at(sec + 0.2), Kind: scorecard.EventDecision, Message: "Acted: delete-pod " + pod + ": container app in CrashLoopBackOff"})
			for j := range 20 {
				s.Truth.Samples = append(s.Truth.Samples, scorecard.AvailabilitySample{Time: at(sec + float64(j)*0.5), Availability: 0.9})
			}
		}
	}
}

// BenchmarkRender measures rendering a scorecard in each format at two
// sizes, a run of 100 and of 1,000 actions, per action: the ratio of the
// two shows how rendering grows.
func BenchmarkRender(b *testing.B) {
	formats := []struct {
		name  string
		write func(io.Writer, *scorecard.Scorecard) error
	}{
		{"json", render.WriteJSON},
		{"markdown", render.WriteMarkdown},
		{"html", render.WriteHTML},
		{"junit", render.WriteJUnit},
	}
	for _, actions := range []int{100, 1_000} {
		s := newScorecard(largeRun(actions))
		for _, f := range formats {
			b.Run(fmt.Sprintf("%s/actions=%d", f.name, actions), func(b *testing.B) {
				for b.Loop() {
					if err := f.write(io.Discard, s); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(actions), "µs/action")
				b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Millisecond), "ms/scorecard")
			})
		}
	}
}
