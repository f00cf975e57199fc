package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/catalog"
	"github.com/interlock-dev/interlock/scenarios"
)

func init() { register(newCatalogCommand) }

// scenarioPatterns maps every shipped scenario to the patterns it declares
// it reproduces.
var scenarioPatterns = scenarios.Patterns

func newCatalogCommand(streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Browse the failure catalog: patterns, the incidents behind them, their scenarios",
		Long: `The failure catalog lists the ways automation has gone wrong in public
incidents: remediation storms, lying health checks, feedback loops, unsafe
failovers and more. Each pattern cites incidents with links to their public
accounts, names the safety-case fields that defend against it, and lists the
scenarios that reproduce it.`,
		Example: `  interlock catalog list
  interlock catalog show remediation-storm
  interlock catalog coverage`,
	}
	cmd.AddCommand(newCatalogListCommand(streams), newCatalogShowCommand(streams), newCatalogCoverageCommand(streams))
	return cmd
}

func newCatalogListCommand(streams Streams) *cobra.Command {
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the failure patterns",
		Example: `  interlock catalog list
  interlock catalog list -o json`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			patterns, err := catalog.All()
			if err != nil {
				return err
			}
			if out.structured() {
				return out.print(streams.Out, patterns)
			}
			tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTITLE\tINCIDENTS\tSCENARIOS")
			for _, p := range patterns {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", p.Name(), p.Spec.Title, len(p.Spec.Incidents), orNone(strings.Join(p.Spec.Scenarios, ", ")))
			}
			return tw.Flush()
		},
	}
	out.register(cmd)
	return cmd
}

func newCatalogShowCommand(streams Streams) *cobra.Command {
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one failure pattern: how it arises, defenses, incidents, scenarios",
		Example: `  interlock catalog show remediation-storm
  interlock catalog show unsafe-failover -o yaml`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			patterns, err := catalog.All()
			if err != nil {
				return nil, cobra.ShellCompDirectiveError
			}
			names := make([]cobra.Completion, 0, len(patterns))
			for _, p := range patterns {
				names = append(names, cobra.CompletionWithDesc(p.Name(), p.Spec.Title))
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			p, err := getPattern(args[0])
			if err != nil {
				return err
			}
			if out.structured() {
				return out.print(streams.Out, p)
			}
			writePattern(streams.Out, &p)
			return nil
		},
	}
	out.register(cmd)
	return cmd
}

// writePattern prints a pattern as a page for people.
func writePattern(w io.Writer, p *catalog.FailurePattern) {
	const width = 80
	s := &p.Spec
	fmt.Fprintf(w, "%s: %s\n\n", p.Name(), s.Title)
	fmt.Fprint(w, wrap(s.Description, "", width))
	fmt.Fprint(w, "\nHow it arises\n")
	fmt.Fprint(w, wrap("Trigger: "+s.Arises.Trigger, "  ", width))
	fmt.Fprint(w, wrap("Sustained by: "+s.Arises.SustainingEffect, "  ", width))
	fmt.Fprint(w, "\nDefenses (safety-case fields)\n")
	for _, d := range s.Defenses {
		fmt.Fprintf(w, "  %s\n", d.Path)
		fmt.Fprint(w, wrap(d.Why, "      ", width))
	}
	fmt.Fprint(w, "\nIncidents\n")
	for _, inc := range s.Incidents {
		year := fmt.Sprint(inc.Year)
		if inc.YearBasis == catalog.YearOfPublication {
			year += " (source published; incident undated)"
		}
		fmt.Fprintf(w, "  %s  %s\n", year, inc.Organization)
		fmt.Fprint(w, wrap(inc.Summary, "      ", width))
		fmt.Fprintf(w, "      %s\n", inc.Source)
	}
	fmt.Fprint(w, "\nScenarios\n")
	fmt.Fprintf(w, "  %s\n", orNone(strings.Join(s.Scenarios, ", ")))
}

func newCatalogCoverageCommand(streams Streams) *cobra.Command {
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "coverage",
		Short: "Report which patterns have scenarios and which scenarios have patterns",
		Long: `Report how the scenarios cover the catalog: for each pattern, the scenarios
that reproduce it and whether they exist; for each scenario, the patterns and
incidents it stands for; and the gaps: patterns no existing scenario
reproduces, scenarios a pattern lists that do not exist, scenarios that
reproduce no pattern, and patterns a scenario declares that are not in the
catalog. Exits 1 when there are gaps.`,
		Example: `  interlock catalog coverage
  interlock catalog coverage -o json`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			patterns, err := catalog.All()
			if err != nil {
				return err
			}
			shipped, err := scenarioPatterns()
			if err != nil {
				return fmt.Errorf("failed to list scenarios: %w", err)
			}
			report := catalog.Coverage(patterns, shipped)
			gaps := report.Gaps()
			if out.structured() {
				if err := out.print(streams.Out, report); err != nil {
					return err
				}
			} else {
				writeCoverage(streams.Out, report, gaps)
			}
			if len(gaps) > 0 {
				return failed(fmt.Errorf("catalog coverage has %d gap(s)", len(gaps)))
			}
			return nil
		},
	}
	out.register(cmd)
	return cmd
}

// writeCoverage prints a coverage report as tables for people.
func writeCoverage(w io.Writer, r catalog.Report, gaps []string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PATTERN\tINCIDENTS\tSCENARIOS")
	for _, p := range r.Patterns {
		var names []string
		for _, s := range p.Scenarios {
			n := s.Name
			if !s.Exists {
				n += " (missing)"
			}
			names = append(names, n)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", p.Name, p.Incidents, orNone(strings.Join(names, ", ")))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tPATTERNS\tINCIDENTS")
	for _, s := range r.Scenarios {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", s.Name, orNone(strings.Join(s.Patterns, ", ")), len(s.Incidents))
	}
	tw.Flush()
	fmt.Fprintln(w)
	if len(gaps) == 0 {
		fmt.Fprintln(w, "No gaps.")
		return
	}
	fmt.Fprintf(w, "Gaps (%d):\n", len(gaps))
	for _, g := range gaps {
		fmt.Fprintf(w, "  - %s\n", g)
	}
}

// orNone returns s, or "(none)" when s is empty.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// wrap fills text into lines of at most width columns, each starting with
// indent; a word longer than a line stays whole.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, word := range strings.Fields(text) {
		if line != indent && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	if line != indent {
		b.WriteString(line + "\n")
	}
	return b.String()
}
