package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
	"github.com/interlock-dev/interlock/safetycases"
)

func init() { register(newSafetyCaseCommand) }

func newSafetyCaseCommand(streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "safetycase",
		Aliases: []string{"safetycases"},
		Short:   "Lint safety cases and list the ones shipped with the built-in automations",
		Long: `A safety case is the one-page argument that an automation is safe to run:
its trigger and the trigger's known false-positive and false-negative modes,
its action, action class and worst-case blast radius, how the action is
reversed and how long that takes, its action budget, the telemetry that would
show the remediator itself going wrong, and its accountable owner. If it cannot
be written, the automation is not ready: the remediator runs an automation
above the alert rung only when its safety case is complete.`,
		Example: `  interlock safetycase lint my-safety-cases.yaml
  interlock safetycase lint --shipped
  interlock safetycase list
  interlock safetycase show unhealthy-workload`,
	}
	cmd.AddCommand(newSafetyCaseLintCommand(streams), newSafetyCaseListCommand(streams), newSafetyCaseShowCommand(streams))
	return cmd
}

// lintReport is what `safetycase lint -o json` prints.
type lintReport struct {
	// Files are the files linted.
	Files []string `json:"files"`
	// Findings are the problems found, in file order.
	Findings []validation.Finding `json:"findings"`
	// Clean is true when there are no findings.
	Clean bool `json:"clean"`
}

const safetyCaseLintLong = `Check files of SafetyCase and Automation documents (apiVersion
interlock.dev/v1alpha1; a file may hold several, separated by "---" lines) and
print every problem as

  FILE: FIELD: MESSAGE

A SafetyCase must be complete. An Automation must carry its safety case inline
(spec.safetyCase) or reference one (spec.safetyCaseRef), not both; its rung must
not exceed the posture of its action class; and above the alert rung its safety
case must be complete. A reference is looked up among the SafetyCases in all
the files given, in the Automation's namespace. Decoding is strict: unknown and
duplicated fields are problems too. A directory stands for the .yaml and .yml
files directly in it.

Exits 0 when every file is clean, 1 when there are problems, and 2 when a file
cannot be read or is not valid YAML.`

const safetyCaseLintExample = `  # Lint safety cases together with the Automations that reference them
  interlock safetycase lint safety-cases.yaml automations.yaml

  # Lint every .yaml and .yml file in a directory
  interlock safetycase lint ./deploy/safety-cases/

  # Lint the safety cases shipped with the built-in automations
  interlock safetycase lint --shipped

  # Findings as JSON, for CI annotations
  interlock safetycase lint -o json safety-cases.yaml`

func newSafetyCaseLintCommand(streams Streams) *cobra.Command {
	var shipped bool
	out := dataOutput()
	cmd := &cobra.Command{
		Use:     "lint [FILE|DIR]...",
		Short:   "Check safety-case files for missing or invalid parts",
		Long:    safetyCaseLintLong,
		Example: safetyCaseLintExample,
		RunE: func(_ *cobra.Command, args []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			files, findings, err := lintTargets(shipped, args)
			if err != nil {
				return err
			}
			if err := printLint(streams.Out, &out, files, findings); err != nil {
				return err
			}
			if n := fatalFiles(findings); n > 0 {
				return fmt.Errorf("failed to lint %d of %d file(s): unreadable or not valid YAML", n, len(files))
			}
			if len(findings) > 0 {
				return failed(fmt.Errorf("safety-case lint found %d problem(s)", len(findings)))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&shipped, "shipped", false, "lint the safety cases shipped with the built-in automations")
	out.register(cmd)
	return cmd
}

// lintTargets lints the shipped safety cases, or the files and directories
// args name, and returns the files linted with the findings.
func lintTargets(shipped bool, args []string) ([]string, []validation.Finding, error) {
	switch {
	case shipped && len(args) > 0:
		return nil, nil, errors.New("--shipped lints the embedded safety cases and takes no files")
	case shipped:
		embedded := safetycases.Files()
		var files []string
		for name := range embedded {
			files = append(files, name)
		}
		sort.Strings(files)
		return files, validation.LintFiles(embedded), nil
	case len(args) == 0:
		return nil, nil, errors.New("nothing to lint: give at least one FILE or DIR, or --shipped")
	}
	files, err := expandLintArgs(args)
	if err != nil {
		return nil, nil, err
	}
	return files, validation.Lint(files...), nil
}

// printLint prints the findings, one a line with a summary in text, or as
// a lintReport.
func printLint(w io.Writer, out *outputFlag, files []string, findings []validation.Finding) error {
	if !out.structured() {
		for _, f := range findings {
			fmt.Fprintln(w, f.String())
		}
		fmt.Fprintln(w, lintSummary(files, findings))
		return nil
	}
	report := lintReport{Files: files, Findings: findings, Clean: len(findings) == 0}
	if report.Findings == nil {
		report.Findings = []validation.Finding{}
	}
	return out.print(w, report)
}

// expandLintArgs replaces each directory with the .yaml and .yml files
// directly in it, sorted; other arguments are kept as they are.
func expandLintArgs(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil || !info.IsDir() {
			files = append(files, arg) // Lint reports a file it cannot read
			continue
		}
		var found []string
		for _, pattern := range []string{"*.yaml", "*.yml"} {
			matches, err := filepath.Glob(filepath.Join(arg, pattern))
			if err != nil {
				return nil, fmt.Errorf("failed to list %s: %w", arg, err)
			}
			found = append(found, matches...)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no .yaml or .yml files in directory %s", arg)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

// lintSummary is the line printed after the findings.
func lintSummary(files []string, findings []validation.Finding) string {
	if len(findings) == 0 {
		return fmt.Sprintf("%d file(s) checked: no problems", len(files))
	}
	withProblems := map[string]bool{}
	for _, f := range findings {
		withProblems[f.File] = true
	}
	return fmt.Sprintf("%d problem(s) in %d of %d file(s)", len(findings), len(withProblems), len(files))
}

// fatalFiles counts the files that could not be read or parsed.
func fatalFiles(findings []validation.Finding) int {
	files := map[string]bool{}
	for _, f := range findings {
		if f.Fatal {
			files[f.File] = true
		}
	}
	return len(files)
}

func newSafetyCaseListCommand(streams Streams) *cobra.Command {
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the safety cases shipped with the built-in automations",
		Long: `List the safety cases shipped with the built-in automations, one per
automation type, with each action's class and the highest rung that class
allows. With -o yaml, print the SafetyCases in full, one YAML document each,
ready to edit, lint and apply; with -o json, print them as a JSON list.`,
		Example: `  interlock safetycase list
  interlock safetycase list -o yaml > safety-cases.yaml`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			var cases []*v1alpha1.SafetyCase
			for _, name := range safetycases.Names() {
				sc, err := safetycases.Get(name)
				if err != nil {
					return err
				}
				cases = append(cases, sc)
			}
			switch out.value {
			case "json":
				return out.print(streams.Out, cases)
			case "yaml":
				// One document per SafetyCase, so that the output can be
				// edited, linted and applied as it is.
				for _, sc := range cases {
					data, err := yaml.Marshal(sc)
					if err != nil {
						return fmt.Errorf("failed to encode safety case %s: %w", sc.Name, err)
					}
					fmt.Fprintf(streams.Out, "---\n%s", data)
				}
				return nil
			}
			tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCLASS\tHIGHEST-RUNG\tOWNER\tBUDGET\tBLAST-RADIUS")
			for _, sc := range cases {
				s := &sc.Spec
				rung := "?"
				if p, ok := v1alpha1.PostureOf(v1alpha1.ActionClass(s.Action.Class)); ok {
					rung = string(p.MaxRung)
				}
				budget := fmt.Sprintf("%d in %s", s.Budget.MaxActions, shortDuration(s.Budget.Window.Duration))
				if s.Budget.PerTarget != nil {
					budget += fmt.Sprintf(", %d per target", *s.Budget.PerTarget)
				}
				blast := fmt.Sprintf("%d at once, %d%%", s.BlastRadius.MaxInFlight, s.BlastRadius.MaxUnavailablePercent)
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", sc.Name, s.Action.Class, rung, s.Owner, budget, blast)
			}
			return tw.Flush()
		},
	}
	out.register(cmd)
	return cmd
}

// shortDuration formats d without zero trailing units: 10m, 1h, 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
