package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/catalog"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/safetycases"
	"github.com/interlock-dev/interlock/scenarios"
)

// This file holds the names commands take (scenarios, automations, safety
// cases, rungs, clusters, failure patterns): their lookups, whose errors
// suggest the close names, and their shell completions.

// errUnknownAutomation is wrapped by the error for an automation type that
// is not built in.
var errUnknownAutomation = errors.New("unknown automation")

// rungHelp says what an automation does at each rung, for completion.
var rungHelp = map[v1alpha1.Rung]string{
	v1alpha1.RungAlert:        "only raises an alert",
	v1alpha1.RungRunbook:      "also names the runbook and what it would do",
	v1alpha1.RungSupervised:   "acts once a named human approves its proposal",
	v1alpha1.RungUnsupervised: "acts by itself, within its budget",
}

// isPath reports whether a scenario argument names a file rather than a
// shipped scenario.
func isPath(arg string) bool {
	return strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") || strings.ContainsRune(arg, os.PathSeparator)
}

// loadScenario takes an embedded scenario's name or a file's path. An
// unknown name is an error that suggests the close ones.
func loadScenario(arg string) (*scenarios.Scenario, error) {
	if isPath(arg) {
		return scenarios.LoadFile(arg)
	}
	s, err := scenarios.Load(arg)
	if errors.Is(err, scenarios.ErrNotFound) {
		return nil, unknownName(scenarios.ErrNotFound, arg, "scenarios", scenarios.Names())
	}
	return s, err
}

// checkAutomation fails unless name is a built-in automation type, which
// is also the name of its shipped safety case.
func checkAutomation(name string) error {
	names := safetycases.Names()
	if slices.Contains(names, name) {
		return nil
	}
	return fmt.Errorf("%w %q%s: must be a built-in automation type: %s", errUnknownAutomation, name, didYouMean(name, names), strings.Join(names, ", "))
}

// getSafetyCase returns the shipped safety case of that name; an unknown
// name is an error that suggests the close ones.
func getSafetyCase(name string) (*v1alpha1.SafetyCase, error) {
	sc, err := safetycases.Get(name)
	if errors.Is(err, safetycases.ErrNotFound) {
		return nil, unknownName(safetycases.ErrNotFound, name, "safety cases", safetycases.Names())
	}
	return sc, err
}

// getPattern returns the failure pattern of that name; an unknown name is
// an error that suggests the close ones.
func getPattern(name string) (catalog.FailurePattern, error) {
	p, err := catalog.Get(name)
	if !errors.Is(err, catalog.ErrNotFound) {
		return p, err
	}
	all, lerr := catalog.All()
	if lerr != nil {
		return p, err
	}
	names := make([]string, len(all))
	for i, q := range all {
		names[i] = q.Name()
	}
	return p, unknownName(catalog.ErrNotFound, name, "patterns", names)
}

// withPrefix keeps the completions whose value starts with prefix.
func withPrefix(cs []cobra.Completion, prefix string) []cobra.Completion {
	return slices.DeleteFunc(cs, func(c cobra.Completion) bool {
		return !strings.HasPrefix(string(c), prefix)
	})
}

// scenarioCompletions are the shipped scenarios, each described by its
// pattern and tier.
func scenarioCompletions() []cobra.Completion {
	var out []cobra.Completion
	for _, n := range scenarios.Names() {
		desc := ""
		if s, err := scenarios.Load(n); err == nil {
			desc = s.Spec.Pattern + ", tier " + s.Spec.Tier
		}
		out = append(out, cobra.CompletionWithDesc(n, desc))
	}
	return out
}

// completeScenarioArgs completes every argument with a shipped scenario's
// name, or, once none matches, a file: the commands take NAME|FILE.
func completeScenarioArgs(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if isPath(toComplete) {
		return nil, cobra.ShellCompDirectiveDefault
	}
	return withPrefix(scenarioCompletions(), toComplete), cobra.ShellCompDirectiveDefault
}

// completeScenarioArg completes the one NAME|FILE argument.
func completeScenarioArg(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return completeScenarioArgs(cmd, args, toComplete)
}

// completeScenarioNames completes a flag with a shipped scenario's name.
func completeScenarioNames(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return withPrefix(scenarioCompletions(), toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeAutomations completes with the built-in automation types, each
// described by its action class.
func completeAutomations(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, n := range safetycases.Names() {
		desc := ""
		if sc, err := safetycases.Get(n); err == nil {
			desc = "class " + sc.Spec.Action.Class
		}
		out = append(out, cobra.CompletionWithDesc(n, desc))
	}
	return withPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeAutomationArg completes the one AUTOMATION argument.
func completeAutomationArg(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return completeAutomations(cmd, args, toComplete)
}

// completeRungs completes with the ladder's rungs, lowest first.
func completeRungs(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	out := make([]cobra.Completion, len(v1alpha1.Rungs))
	for i, r := range v1alpha1.Rungs {
		out[i] = cobra.CompletionWithDesc(string(r), rungHelp[r])
	}
	return withPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
}

// completeClusters completes with the embedded clusters the provider
// finds under its home.
func completeClusters(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	p, err := embeddedProvider(nil)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	names, err := p.List(cmd.Context())
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, n := range names {
		out = append(out, cobra.CompletionWithDesc(n, p.Dir(n)))
	}
	return withPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeValues completes with fixed values.
func completeValues(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return withPrefix(slices.Clone(values), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// clusterNotFound adds the close cluster names to a status lookup's
// not-found error.
func clusterNotFound(err error, p *cluster.Embedded, cmd *cobra.Command, name string) error {
	if !errors.Is(err, cluster.ErrNotFound) {
		return err
	}
	names, lerr := p.List(cmd.Context())
	if lerr != nil || len(names) == 0 {
		return fmt.Errorf("%w; there are no clusters (interlock cluster up --name %s)", err, name)
	}
	return fmt.Errorf("%w%s; clusters: %s", err, didYouMean(name, names), strings.Join(names, ", "))
}
