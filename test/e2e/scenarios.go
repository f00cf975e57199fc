package e2e

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/scenarios"
)

// TierEnv picks the scenario tier the matrix tests run: "pr" (the default,
// what `make test` runs) or "nightly" (every scenario, what `make nightly`
// adds).
const TierEnv = "INTERLOCK_E2E_TIER"

// tierScenarios returns the scenarios of the tier under test: the pr tier's,
// or every scenario for nightly.
func tierScenarios(t *testing.T) []*scenarios.Scenario {
	t.Helper()
	tier := os.Getenv(TierEnv)
	if tier == "" {
		tier = scenarios.TierPR
	}
	if !slices.Contains(scenarios.Tiers, tier) {
		t.Fatalf("%s=%q: want one of %v", TierEnv, tier, scenarios.Tiers)
	}
	var out []*scenarios.Scenario
	for _, n := range scenarios.Names() {
		s, err := scenarios.Load(n)
		if err != nil {
			t.Fatal(err)
		}
		if tier == scenarios.TierNightly || s.Spec.Tier == tier {
			out = append(out, s)
		}
	}
	return out
}

// scenarioRun is one `interlock scenario run -o json`: its setup runs it,
// its assessments read what it returned, and its teardown takes down its
// cluster should the run have left it.
type scenarioRun struct {
	args   []string
	sc     *scorecard.Scorecard
	code   int
	stderr string
}

func (r *scenarioRun) run(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	r.sc, r.code, r.stderr = runScenario(t, r.args...)
	return ctx
}

func (r *scenarioRun) cleaned(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	assertRunCleaned(t, r.stderr)
	return ctx
}

func (r *scenarioRun) teardown(ctx context.Context, _ *testing.T, _ *envconf.Config) context.Context {
	downLeftover(r.stderr)
	return ctx
}

// scenarioFeature is a feature that runs a scenario and assesses its run,
// then that the run left nothing behind.
func scenarioFeature(name, tier string, r *scenarioRun, assess func(*features.FeatureBuilder) *features.FeatureBuilder) features.Feature {
	b := features.New(name).WithLabel("tier", tier).Setup(r.run)
	return assess(b).
		Assess("the run left nothing behind", r.cleaned).
		Teardown(r.teardown).
		Feature()
}

// stormScenario: the built-in remediator passes the storm scenario, and
// the JSON scorecard carries the documented fields.
func stormScenario() features.Feature {
	r := &scenarioRun{args: []string{"storm"}}
	return scenarioFeature("storm with the built-in remediator", scenarios.TierPR, r, func(b *features.FeatureBuilder) *features.FeatureBuilder {
		return b.
			Assess("it passes", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				if r.code != 0 || r.sc.Verdict != scorecard.VerdictPass {
					t.Fatalf("storm: exit %d, verdict %s\n%s", r.code, r.sc.Verdict, r.stderr)
				}
				return ctx
			}).
			Assess("the scorecard carries the documented fields", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				checkScorecardFields(t, r.sc)
				return ctx
			}).
			Assess("the safety case's assertions pass", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				for _, want := range []string{"budget-held", "halted-and-paged", "blast-radius-held", "telemetry-truthful"} {
					if verdictOf(r.sc, want) != scorecard.VerdictPass {
						t.Errorf("%s = %q, want pass", want, verdictOf(r.sc, want))
					}
				}
				return ctx
			}).
			Assess("the progress names every step", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				for _, want := range []string{"cluster", "Fixture ready", "Fault storm-pods-fail injected", "actions seen", "Teardown"} {
					if !strings.Contains(r.stderr, want) {
						t.Errorf("progress lacks %q:\n%s", want, r.stderr)
					}
				}
				return ctx
			})
	})
}

// checkScorecardFields checks that the scorecard and each of its
// assertions carry the documented fields.
func checkScorecardFields(t *testing.T, sc *scorecard.Scorecard) {
	t.Helper()
	if sc.Scenario != "storm" || len(sc.Assertions) == 0 || len(sc.Ledger) == 0 || sc.StartedAt.IsZero() || sc.DurationSeconds <= 0 {
		t.Errorf("scorecard lacks fields: %+v", sc)
	}
	for _, a := range sc.Assertions {
		if a.Name == "" || a.Measured == "" || a.Limit == "" || a.Evidence == "" {
			t.Errorf("assertion lacks fields: %+v", a)
		}
	}
}

// builtinPasses: the built-in remediator passes scenario s.
func builtinPasses(s *scenarios.Scenario) features.Feature {
	name := s.Name()
	r := &scenarioRun{args: []string{name}}
	return scenarioFeature("the built-in remediator passes "+name, s.Spec.Tier, r, func(b *features.FeatureBuilder) *features.FeatureBuilder {
		return b.Assess("it passes", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if r.code != 0 || r.sc.Verdict != scorecard.VerdictPass {
				t.Errorf("%s: exit %d, verdict %s; assertions %+v\n%s", name, r.code, r.sc.Verdict, r.sc.Assertions, r.stderr)
			}
			return ctx
		})
	})
}

// brokenFails: the broken remediator bin, run with args, fails scenario s
// on the assertion fails names.
func brokenFails(s *scenarios.Scenario, bin, args, fails string) features.Feature {
	r := &scenarioRun{args: []string{s.Name(), "--remediator-cmd", bin + " " + args}}
	return scenarioFeature("brokenremediator "+args+" fails "+fails, s.Spec.Tier, r, func(b *features.FeatureBuilder) *features.FeatureBuilder {
		return b.
			Assess("the run fails", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				if r.code != 1 || r.sc.Verdict != scorecard.VerdictFail {
					t.Fatalf("exit %d, verdict %s; want 1 and fail; assertions %+v\n%s", r.code, r.sc.Verdict, r.sc.Assertions, r.stderr)
				}
				return ctx
			}).
			Assess(fails+" fails", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
				if v := verdictOf(r.sc, fails); v != scorecard.VerdictFail {
					t.Errorf("%s = %q, want fail; assertions: %+v", fails, v, r.sc.Assertions)
				}
				return ctx
			})
	})
}

// inertRuns: a remediator that never acts, bin --mode inert, fails scenario
// s on the assertion want names, or passes it if want is "" (a restraint
// scenario). It exposes its counter, at 0, for the scenario's automation.
func inertRuns(s *scenarios.Scenario, bin, want string) features.Feature {
	r := &scenarioRun{args: []string{s.Name(), "--remediator-cmd", bin + " --mode inert --automation " + s.Spec.Automations[0].Name}}
	what := "an inert remediator fails " + want
	if want == "" {
		what = "an inert remediator passes (restraint)"
	}
	return scenarioFeature(what, s.Spec.Tier, r, func(b *features.FeatureBuilder) *features.FeatureBuilder {
		return b.Assess("the verdict", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			sc, code := r.sc, r.code
			switch {
			case want == "" && (code != 0 || sc.Verdict != scorecard.VerdictPass):
				t.Errorf("restraint scenario: exit %d, verdict %s; want a pass; assertions %+v\n%s", code, sc.Verdict, sc.Assertions, r.stderr)
			case want != "" && (code != 1 || verdictOf(sc, want) != scorecard.VerdictFail):
				t.Errorf("exit %d, %s = %q; want exit 1 and a fail; assertions %+v\n%s", code, want, verdictOf(sc, want), sc.Assertions, r.stderr)
			}
			return ctx
		})
	})
}

// interruptedRun is a `scenario run storm` that is sent Ctrl-C once its
// fault is in.
type interruptedRun struct {
	cmd      *exec.Cmd
	out, err testutil.SyncBuffer
}

// interruptedScenario: Ctrl-C in the middle of a run removes its fault,
// its remediator and its cluster, and exits 2.
func interruptedScenario() features.Feature {
	r := &interruptedRun{}
	return features.New("Ctrl-C during a scenario run").WithLabel("tier", scenarios.TierPR).
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			r.cmd = exec.Command(interlockBin, "scenario", "run", "storm")
			r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.err
			if err := r.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			return ctx
		}).
		Assess("the fault is injected", r.injected).
		Assess("Ctrl-C tears the run down and exits 2", r.interrupt).
		Assess("the run left nothing behind", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			assertRunCleaned(t, r.err.String())
			if out, _ := exec.Command("pgrep", "-f", "remediator --kubeconfig /tmp/interlock-remediator-").Output(); len(out) > 0 {
				t.Errorf("a remediator process is still running: %s", out)
			}
			return ctx
		}).
		Teardown(func(ctx context.Context, _ *testing.T, _ *envconf.Config) context.Context {
			if r.cmd.Process != nil && r.cmd.ProcessState == nil {
				_ = r.cmd.Process.Kill()
				_ = r.cmd.Wait()
			}
			downLeftover(r.err.String())
			return ctx
		}).
		Feature()
}

func (r *interruptedRun) injected(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	err := testutil.Until(ctx, 100*time.Millisecond, 2*time.Minute, func(context.Context) (bool, error) {
		return strings.Contains(r.err.String(), "injected"), nil
	})
	if err != nil {
		t.Fatalf("the fault was never injected:\n%s", r.err.String())
	}
	return ctx
}

func (r *interruptedRun) interrupt(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := r.cmd.Wait()
	if code, _ := exitCode(err); err == nil || code != 2 {
		t.Errorf("interrupted run: %v, want exit 2\n%s", err, r.err.String())
	}
	if !strings.Contains(r.err.String(), "Teardown") {
		t.Errorf("no teardown after interrupt:\n%s", r.err.String())
	}
	return ctx
}
