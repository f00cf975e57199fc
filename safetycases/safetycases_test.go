package safetycases_test

import (
	"encoding/json"
	"errors"
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/safetycases"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestLintClean checks that every shipped safety case is complete.
func TestLintClean(t *testing.T) {
	for _, f := range validation.LintFiles(safetycases.Files()) {
		t.Errorf("%s", f)
	}
}

// TestGolden compares each shipped safety case, as decoded, with its golden
// JSON in testdata. Run with -update to rewrite the golden files.
func TestGolden(t *testing.T) {
	for _, name := range safetycases.Names() {
		t.Run(name, func(t *testing.T) {
			sc, err := safetycases.Get(name)
			if err != nil {
				t.Fatalf("Get(%q) failed: %v", name, err)
			}
			got, err := json.MarshalIndent(sc, "", "  ")
			if err != nil {
				t.Fatalf("failed to encode: %v", err)
			}
			got = append(got, '\n')
			testutil.Golden(t, filepath.Join("testdata", name+".json"), got, *update)
		})
	}
}

// TestGoldenFilesHaveCases checks that no golden file outlives its safety case.
func TestGoldenFilesHaveCases(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		if !slices.Contains(safetycases.Names(), name) {
			t.Errorf("%s has no shipped safety case %q", p, name)
		}
	}
}

// remediatorMetrics are the remediator's own metrics that a safety case may name.
var remediatorMetrics = []string{
	contract.MetricActionsTotal,
	contract.MetricDecisionsTotal,
	contract.MetricBudgetRemaining,
	contract.MetricHalted,
	contract.MetricProposalsPending,
	contract.MetricPagesSentTotal,
	contract.MetricTriggerToActionSeconds,
	contract.MetricReconcileErrorsTotal,
}

func TestShipped(t *testing.T) {
	tests := map[v1alpha1.AutomationType]struct {
		class      v1alpha1.ActionClass
		healthGate bool
	}{
		v1alpha1.UnhealthyWorkload: {class: v1alpha1.ClassRestart},
		v1alpha1.NodeLoss:          {class: v1alpha1.ClassRestart},
		v1alpha1.DiskPressure:      {class: v1alpha1.ClassRestart},
		v1alpha1.CertificateExpiry: {class: v1alpha1.ClassDestructive},
		v1alpha1.BadDeploy:         {class: v1alpha1.ClassRollback, healthGate: true},
	}
	var want []string
	for typ := range tests {
		want = append(want, string(typ))
	}
	slices.Sort(want)
	if got := safetycases.Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want one per built-in automation: %v", got, want)
	}
	for typ, tc := range tests {
		t.Run(string(typ), func(t *testing.T) {
			sc, err := safetycases.Get(string(typ))
			if err != nil {
				t.Fatalf("Get failed: %v", err)
			}
			if sc.Name != string(typ) {
				t.Errorf("metadata.name = %q, want %q", sc.Name, typ)
			}
			if got := v1alpha1.ActionClass(sc.Spec.Action.Class); got != tc.class {
				t.Errorf("class = %q, want %q", got, tc.class)
			}
			if got := sc.Spec.HealthGate != nil; got != tc.healthGate {
				t.Errorf("has health gate = %t, want %t", got, tc.healthGate)
			}
			for i, s := range sc.Spec.Telemetry {
				if !slices.Contains(remediatorMetrics, s.Metric) {
					t.Errorf("telemetry[%d].metric %q is not one of the remediator's metrics %v", i, s.Metric, remediatorMetrics)
				}
				if s.Alert != "" && !strings.HasPrefix(s.Alert, "InterlockRemediator") {
					t.Errorf("telemetry[%d].alert %q does not start with InterlockRemediator", i, s.Alert)
				}
			}
			if !hasSignal(sc.Spec.Telemetry, contract.MetricBudgetRemaining, "InterlockRemediatorBudgetExhausted") {
				t.Errorf("telemetry does not alert on budget exhaustion")
			}
			if !hasSignal(sc.Spec.Telemetry, contract.MetricHalted, "") {
				t.Errorf("telemetry does not name the halted metric")
			}

			// The automation validates at its class's highest rung and
			// not one rung above it.
			posture, _ := v1alpha1.PostureOf(tc.class)
			a := &v1alpha1.Automation{
				ObjectMeta: metav1.ObjectMeta{Name: string(typ)},
				Spec:       v1alpha1.AutomationSpec{Type: typ, Rung: string(posture.MaxRung), SafetyCase: &sc.Spec},
			}
			if errs := validation.ValidateAutomation(a, nil); len(errs) > 0 {
				t.Errorf("at rung %s: %v", posture.MaxRung, errs)
			}
			if next := posture.MaxRung.Level() + 1; next < len(v1alpha1.Rungs) {
				a.Spec.Rung = string(v1alpha1.Rungs[next])
				if errs := validation.ValidateAutomation(a, nil); len(errs) == 0 {
					t.Errorf("at rung %s, above the posture of %s: no error", a.Spec.Rung, tc.class)
				}
			}
		})
	}
}

func hasSignal(signals []v1alpha1.TelemetrySignal, metric, alert string) bool {
	for _, s := range signals {
		if s.Metric == metric && (alert == "" || s.Alert == alert) {
			return true
		}
	}
	return false
}

func TestGet(t *testing.T) {
	tests := map[string]struct {
		name    string
		wantErr string
	}{
		"shipped": {
			name: "node-loss",
		},
		"unknown": {
			name:    "reboot-everything",
			wantErr: `no such safety case "reboot-everything"; known safety cases: bad-deploy, certificate-expiry, disk-pressure, node-loss, unhealthy-workload`,
		},
		"not a plain name": {
			name:    "../node-loss",
			wantErr: `no such safety case "../node-loss"`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			sc, err := safetycases.Get(tc.name)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Get failed: %v", err)
			case tc.wantErr == "" && sc.Name != tc.name:
				t.Errorf("Get(%q).Name = %q", tc.name, sc.Name)
			case tc.wantErr != "" && (!errors.Is(err, safetycases.ErrNotFound) || !strings.HasPrefix(err.Error(), tc.wantErr)):
				t.Errorf("error = %v, want ErrNotFound, starting %q", err, tc.wantErr)
			}
		})
	}
}

// TestGetReturnsCopies checks that callers cannot change the shipped cases.
func TestGetReturnsCopies(t *testing.T) {
	a, err := safetycases.Get("node-loss")
	if err != nil {
		t.Fatal(err)
	}
	a.Spec.Owner = "someone-else"
	b, err := safetycases.Get("node-loss")
	if err != nil {
		t.Fatal(err)
	}
	if b.Spec.Owner == "someone-else" {
		t.Error("a change to one Get result shows in the next")
	}
}
