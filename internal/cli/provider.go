package cli

import (
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/chaosmesh"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/run"
	"github.com/interlock-dev/interlock/scenarios"
)

// The cluster providers --provider names.
const (
	providerEmbedded = "embedded"
	providerKind     = "kind"
)

// Help of the flags scenario run and nightly share, so that one flag means
// the same on both.
const (
	providerFlagHelp   = "cluster provider: embedded, or kind (needs Docker, kind and helm; faults through Chaos Mesh)"
	safetyCaseFlagHelp = "the external remediator's safety case (a SafetyCase YAML file); its figures replace the scenario's"
)

// addProviderFlag registers --provider, embedded by default, with its completion.
func addProviderFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "provider", providerEmbedded, providerFlagHelp)
	_ = cmd.RegisterFlagCompletionFunc("provider", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{
			cobra.CompletionWithDesc(providerEmbedded, "local processes, kwok nodes; no Docker"),
			cobra.CompletionWithDesc(providerKind, "kind with Chaos Mesh; needs Docker"),
		}, cobra.ShellCompDirectiveNoFileComp
	})
}

// addSafetyCaseFlag registers --safety-case, completed with YAML files.
func addSafetyCaseFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "safety-case", "", safetyCaseFlagHelp)
	_ = cmd.MarkFlagFilename("safety-case", "yaml", "yml")
}

// useSafetyCase gives s the external remediator's safety case in path,
// which needs an external remediator.
func useSafetyCase(s *scenarios.Scenario, path, remediatorCmd string) error {
	if path == "" {
		return nil
	}
	if remediatorCmd == "" {
		return fmt.Errorf("--safety-case is for an external remediator: set --remediator-cmd too")
	}
	if err := s.UseSafetyCaseFile(path); err != nil {
		return fmt.Errorf("scenario %s: %w", s.Name(), err)
	}
	return nil
}

// clusterProvider returns the provider named by --provider and the fault
// injector that works on its clusters: the builtin one on the embedded
// cluster, Chaos Mesh on kind.
func clusterProvider(name string, progress io.Writer) (cluster.Provider, string, error) {
	switch name {
	case providerEmbedded:
		p, err := embeddedProvider(progress)
		return p, run.InjectorBuiltin, err
	case providerKind:
		p, err := cluster.NewKind(cluster.KindOptions{Images: []string{cluster.RemediatorImage}, ChaosMesh: true})
		return p, run.InjectorChaosMesh, err
	}
	return nil, "", fmt.Errorf("invalid --provider %q: must be %s or %s", name, providerEmbedded, providerKind)
}

// chaosMeshRefusals says why a scenario cannot run on kind with the
// chaosmesh injector: faults Chaos Mesh has no kind for, with their field
// paths, or an autoscaler, which needs metrics-server; empty when it can.
func chaosMeshRefusals(s *scenarios.Scenario) string {
	if s.Autoscales() {
		return cluster.ErrNoMetrics.Error()
	}
	inj, ok := experiments.Lookup(chaosmesh.Name)
	if !ok {
		return "the " + chaosmesh.Name + " injector is not registered"
	}
	var errs field.ErrorList
	for i, f := range s.Faults() {
		errs = append(errs, inj.Validate(f, field.NewPath("spec", "faults").Index(i))...)
	}
	if len(errs) == 0 {
		return ""
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}
