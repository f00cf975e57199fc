package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/internal/cli"
)

// --rbac is checked before any cluster comes up: these runs fail at once.
func TestScenarioRunRBACFlag(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules:\n- apiGroups: [\"\"]\n  resources: [pods/eviction]\n  verb: [create]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		args    []string
		wantErr []string
	}{
		"without an external remediator": {
			args:    []string{"scenario", "run", "storm", "--rbac", bad},
			wantErr: []string{"--rbac is for an external remediator: set --remediator-cmd too"},
		},
		"an invalid file": {
			args: []string{"scenario", "run", "storm", "--remediator-cmd", "true", "--rbac", bad},
			wantErr: []string{
				bad + ": rules[0].verb: Forbidden: unknown field",
				bad + ": rules[0].verbs: Required value: name the verbs the rule grants",
			},
		},
		"a missing file": {
			args:    []string{"scenario", "run", "storm", "--remediator-cmd", "true", "--rbac", filepath.Join(dir, "none.yaml")},
			wantErr: []string{"failed to read RBAC rules", filepath.Join(dir, "none.yaml")},
		},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := cli.Run(t.Context(), tc.args, cli.Streams{Out: &out, Err: &errOut})
			if code != cli.ExitError {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, cli.ExitError, errOut.String())
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr %q does not contain %q", errOut.String(), w)
				}
			}
		})
	}
}
