package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/api/v1alpha1"
)

func newSafetyCaseShowCommand(streams Streams) *cobra.Command {
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one shipped safety case as a page: trigger, action, reversal, budget, blast radius, telemetry",
		Long: `Show the safety case shipped with a built-in automation, named after the
automation type, as a page for people. With -o yaml it prints the SafetyCase
document, ready to copy, edit, lint and pass to scenario run --safety-case.`,
		Example: `  interlock safetycase show unhealthy-workload
  interlock safetycase show node-loss -o yaml > my-node-loss.yaml`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeAutomationArg,
		RunE: func(_ *cobra.Command, args []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			sc, err := getSafetyCase(args[0])
			if err != nil {
				return err
			}
			if out.structured() {
				return out.print(streams.Out, sc)
			}
			writeSafetyCase(streams.Out, sc)
			return nil
		},
	}
	out.register(cmd)
	return cmd
}

// writeSafetyCase prints a safety case as a page for people.
func writeSafetyCase(w io.Writer, sc *v1alpha1.SafetyCase) {
	const width = 80
	s := &sc.Spec
	fmt.Fprintf(w, "%s (owner: %s)\n\n", sc.Name, s.Owner)
	fmt.Fprintf(w, "Trigger, held for %s\n", shortDuration(s.Trigger.For.Duration))
	fmt.Fprint(w, wrap(s.Trigger.Condition, "  ", width))
	writeModes(w, "False positives (it fires, but acting is wrong)", s.Trigger.FalsePositiveModes)
	writeModes(w, "False negatives (something is wrong, it does not fire)", s.Trigger.FalseNegativeModes)
	rung := "none: unknown class"
	if p, ok := v1alpha1.PostureOf(v1alpha1.ActionClass(s.Action.Class)); ok {
		rung = string(p.MaxRung)
	}
	fmt.Fprintf(w, "\nAction, class %s (highest rung: %s)\n", s.Action.Class, rung)
	fmt.Fprint(w, wrap(s.Action.Description, "  ", width))
	fmt.Fprint(w, wrap("Worst case: "+s.Action.WorstCaseBlastRadius, "  ", width))
	fmt.Fprintf(w, "\nReversal, within %s\n", shortDuration(s.Reversal.TimeToReverse.Duration))
	fmt.Fprint(w, wrap(s.Reversal.Procedure, "  ", width))
	fmt.Fprintln(w, "\nBudget")
	budget := fmt.Sprintf("  at most %d action(s) in %s", s.Budget.MaxActions, shortDuration(s.Budget.Window.Duration))
	if s.Budget.PerTarget != nil {
		budget += fmt.Sprintf(", %d per target", *s.Budget.PerTarget)
	}
	fmt.Fprintf(w, "%s; then halt, and page within %s\n", budget, shortDuration(s.Budget.PageWithin.Duration))
	fmt.Fprintln(w, "\nBlast radius")
	fmt.Fprintf(w, "  at most %d target(s) at once, and %d%% of a workload or of the nodes\n", s.BlastRadius.MaxInFlight, s.BlastRadius.MaxUnavailablePercent)
	if g := s.HealthGate; g != nil {
		fmt.Fprintln(w, "\nHealth gate")
		fmt.Fprintf(w, "  %d%% available within %s\n", g.MinAvailablePercent, shortDuration(g.ProgressDeadline.Duration))
	}
	fmt.Fprintln(w, "\nTelemetry that shows the remediator going wrong")
	for _, t := range s.Telemetry {
		fmt.Fprintf(w, "  %s", t.Metric)
		if t.Alert != "" {
			fmt.Fprintf(w, " (alert %s)", t.Alert)
		}
		fmt.Fprintln(w)
		fmt.Fprint(w, wrap(t.Meaning, "      ", width))
	}
}

// writeModes prints a titled list of trigger modes, or nothing.
func writeModes(w io.Writer, title string, modes []string) {
	if len(modes) == 0 {
		return
	}
	fmt.Fprintf(w, "  %s:\n", title)
	for _, m := range modes {
		fmt.Fprint(w, strings.Replace(wrap(m, "      ", 80), "      ", "    - ", 1))
	}
}
