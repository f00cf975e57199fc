package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/promote"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/safetycases"
	"github.com/interlock-dev/interlock/scenarios"
)

// ladder is a history directory and the Automations on the shared cluster
// that promote and demote act on: ladder-uw, unhealthy-workload at alert,
// and ladder-certs, certificate-expiry at supervised.
type ladder struct {
	fixture
	dir string
	uw  *v1alpha1.SafetyCase
	// promoted is the record of the first promotion, to supervised.
	promoted history.Promotion
}

// record appends a nightly run of every shipped scenario that exercises
// typ, started ago before now, built from a scorecard as a run makes it;
// edit changes the scorecard of the scenario named only (all if empty).
func (l *ladder) record(t *testing.T, typ v1alpha1.AutomationType, ago time.Duration, provider, only string, edit func(*scorecard.Scorecard)) []string {
	t.Helper()
	all, err := scenarios.All()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range all {
		if !slices.ContainsFunc(s.Spec.Automations, func(a scenarios.Automation) bool { return a.Type == typ }) {
			continue
		}
		if only != "" && s.Name() != only {
			continue
		}
		ids = append(ids, l.recordRun(t, s, typ, ago, provider, edit))
	}
	if len(ids) == 0 {
		t.Fatalf("no shipped scenario exercises %s", typ)
	}
	return ids
}

// recordRun appends a nightly run of s, passing every assertion a
// promotion of its automations of type typ needs, and returns its ID.
func (l *ladder) recordRun(t *testing.T, s *scenarios.Scenario, typ v1alpha1.AutomationType, ago time.Duration, provider string, edit func(*scorecard.Scorecard)) string {
	t.Helper()
	sc := &scorecard.Scorecard{
		Scenario: s.Name(), Description: s.Spec.Description, Remediator: history.BuiltInRemediator, Provider: provider,
		Identity: "system:serviceaccount:interlock-system:remediator", StartedAt: time.Now().Add(-ago), DurationSeconds: 100,
		Assertions: passedAssertions(s, typ),
	}
	if edit != nil {
		edit(sc)
	}
	sc.Finalize()
	r, err := history.FromScorecard(sc, history.Meta{Scenario: s, Commit: history.GitCommit(context.Background(), ""), Suite: history.SuiteNightly})
	if err != nil {
		t.Fatal(err)
	}
	if err := history.NewDir(l.dir).Append(r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// passedAssertions are the assertions of a run of s that passed all a
// promotion to unsupervised needs graded (promote.RequiredAssertions), for
// each of its automations of type typ, or once for the run; budget-held
// ("5 actions in 10m") comes first.
func passedAssertions(s *scenarios.Scenario, typ v1alpha1.AutomationType) []scorecard.Assertion {
	needs := promote.RequiredAssertions[v1alpha1.RungUnsupervised]
	needs = append([]string{assert.BudgetHeld}, slices.DeleteFunc(slices.Clone(needs), func(n string) bool { return n == assert.BudgetHeld })...)
	var out []scorecard.Assertion
	for _, need := range needs {
		for _, a := range s.Spec.Automations {
			if a.Type != typ {
				continue
			}
			owner := a.Name
			if need == assert.NoUnattributedWrites || need == assert.WithinRBAC {
				owner = "" // graded once per run
			}
			out = append(out, scorecard.Assertion{Name: need, Automation: owner, Verdict: scorecard.VerdictPass, Measured: "held", Limit: "held"})
			if owner == "" {
				break
			}
		}
	}
	out[0].Measured, out[0].Limit = "5 actions in 10m", "at most 5 actions in 10m"
	return out
}

// run runs promote or demote against the shared cluster.
func (l *ladder) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLI(t, append(args, "--kubeconfig", shared.Kubeconfig, "--history", l.dir)...)
}

// promoteUW promotes ladder-uw, owned by alice, to the rung to.
func (l *ladder) promoteUW(t *testing.T, to string) (string, string, int) {
	t.Helper()
	return l.run(t, "promote", "unhealthy-workload", "--object", "ladder-uw", "--to", to, "--owner", "alice")
}

func (l *ladder) moves(t *testing.T) []history.Promotion {
	t.Helper()
	ps, err := history.NewDir(l.dir).Promotions("")
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// expectRung checks the Automation's rung and the record its annotation names.
func (l *ladder) expectRung(t *testing.T, name string, rung v1alpha1.Rung, record string) {
	t.Helper()
	var a v1alpha1.Automation
	if err := l.admin.Get(context.Background(), client.ObjectKey{Namespace: remNS, Name: name}, &a); err != nil {
		t.Fatal(err)
	}
	if a.Spec.Rung != string(rung) {
		t.Errorf("Automation %s is at %s, want %s", name, a.Spec.Rung, rung)
	}
	if got := a.Annotations["interlock.dev/promotion"]; got != record {
		t.Errorf("Automation %s is annotated with record %q, want %q", name, got, record)
	}
}

// promoteOnCluster takes an Automation on a real API server up the ladder
// on recorded nightly runs, and checks every refusal leaves it be.
func promoteOnCluster() features.Feature {
	l := &ladder{}
	return features.New("promote and demote on a cluster").WithLabel("tier", scenarios.TierPR).
		Setup(l.setup).
		Assess("supervised on three passing nightly runs of every scenario", l.toSupervised).
		Assess("unsupervised is refused on embedded runs only", l.embeddedOnly).
		Assess("unsupervised is refused on a failing run, which is named", l.failingRun).
		Assess("certificate-expiry never goes unsupervised", l.posture).
		Assess("bad input changes nothing", l.badInput).
		Assess("demotion needs only an owner and a reason", l.demote).
		Teardown(l.teardown).
		Feature()
}

func (l *ladder) setup(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	l.init(t)
	l.dir = t.TempDir()
	var err error
	if l.uw, err = safetycases.Get("unhealthy-workload"); err != nil {
		t.Fatal(err)
	}
	certs, err := safetycases.Get("certificate-expiry")
	if err != nil {
		t.Fatal(err)
	}
	l.automation(t, "ladder-uw", v1alpha1.UnhealthyWorkload, "alert", []string{"ladder-none"}, &l.uw.Spec)
	l.automation(t, "ladder-certs", v1alpha1.CertificateExpiry, "supervised", []string{"ladder-none"}, &certs.Spec)
	return ctx
}

// toSupervised: three passing nightly runs of every scenario: supervised
// is allowed, on the latest night's (K is 1 at supervised).
func (l *ladder) toSupervised(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	var evidence []string
	for h := 3; h >= 1; h-- {
		evidence = l.record(t, v1alpha1.UnhealthyWorkload, time.Duration(h)*time.Hour, history.ProviderEmbedded, "", nil)
	}
	out, errOut, code := l.promoteUW(t, "supervised")
	if code != 0 {
		t.Fatalf("promote to supervised: exit %d\n%s\n%s", code, out, errOut)
	}
	moves := l.moves(t)
	if len(moves) != 1 {
		t.Fatalf("%d ladder records, want 1", len(moves))
	}
	p := moves[0]
	l.promoted = p
	if p.From != v1alpha1.RungAlert || p.To != v1alpha1.RungSupervised || p.Owner != "alice" || p.Object != remNS+"/ladder-uw" ||
		p.APIUser == "" || p.SafetyCaseDigest != history.Digest(l.uw.Spec) || p.RunsRequired != 1 {
		t.Errorf("promotion record = %+v", p)
	}
	if !slices.Equal(slices.Sorted(slices.Values(p.Evidence)), slices.Sorted(slices.Values(evidence))) {
		t.Errorf("evidence = %v\nwant %v", p.Evidence, evidence)
	}
	l.expectRung(t, "ladder-uw", v1alpha1.RungSupervised, p.ID)
	if !strings.Contains(out, "patched:  Automation "+remNS+"/ladder-uw spec.rung=supervised") {
		t.Errorf("stdout:\n%s", out)
	}
	return ctx
}

// embeddedOnly: five passing runs of every scenario, all on the embedded
// cluster: unsupervised needs kind.
func (l *ladder) embeddedOnly(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	for h := 5; h >= 4; h-- {
		l.record(t, v1alpha1.UnhealthyWorkload, time.Duration(h)*time.Hour, history.ProviderEmbedded, "", nil)
	}
	out, _, code := l.promoteUW(t, "unsupervised")
	if code != 1 || !strings.Contains(out, "real-cluster") || !strings.Contains(out, "needs at least one of its last 5 nightly run(s) on kind") || strings.Contains(out, "only 5 of") {
		t.Errorf("promote to unsupervised on embedded runs: exit %d, want 1 naming kind\n%s", code, out)
	}
	l.expectRung(t, "ladder-uw", v1alpha1.RungSupervised, l.promoted.ID)
	return ctx
}

// failingRun: a kind run of every scenario, then a failing one of storm.
func (l *ladder) failingRun(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	l.record(t, v1alpha1.UnhealthyWorkload, 30*time.Minute, history.ProviderKind, "", nil)
	failing := l.record(t, v1alpha1.UnhealthyWorkload, 10*time.Minute, history.ProviderKind, "storm", func(sc *scorecard.Scorecard) {
		sc.Assertions[0].Verdict, sc.Assertions[0].Measured = scorecard.VerdictFail, "9 actions in 10m"
	})[0]
	out, _, code := l.promoteUW(t, "unsupervised")
	if code != 1 || !strings.Contains(out, "passed        scenario storm: nightly run "+failing+" failed (budget-held fail)") {
		t.Errorf("promote after a failing run: exit %d, want 1 naming run %s\n%s", code, failing, out)
	}
	if strings.Contains(out, "real-cluster") || strings.Contains(out, "  runs  ") {
		t.Errorf("only the failing run should stand in the way:\n%s", out)
	}
	l.expectRung(t, "ladder-uw", v1alpha1.RungSupervised, l.promoted.ID)
	return ctx
}

// posture: certificate-expiry rotates credentials: its class never goes
// unsupervised.
func (l *ladder) posture(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	out, _, code := l.run(t, "promote", "certificate-expiry", "--object", "ladder-certs", "--to", "unsupervised", "--owner", "alice")
	if code != 1 || !strings.Contains(out, `posture       rung "unsupervised" exceeds the posture of class "destructive" (highest allowed: "supervised")`) {
		t.Errorf("promote certificate-expiry to unsupervised: exit %d, want 1 naming its posture\n%s", code, out)
	}
	l.expectRung(t, "ladder-certs", v1alpha1.RungSupervised, "")
	return ctx
}

func (l *ladder) badInput(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	_, errOut, code := l.run(t, "promote", "unhealthy-workload", "--object", "ladder-certs", "--to", "unsupervised", "--owner", "alice")
	if code != 2 || !strings.Contains(errOut, "is of type certificate-expiry, not unhealthy-workload") {
		t.Errorf("promote the wrong object: exit %d, %s", code, errOut)
	}
	_, errOut, code = l.run(t, "promote", "unhealthy-workload", "--object", "ladder-missing", "--to", "unsupervised", "--owner", "alice")
	if code != 2 || !strings.Contains(errOut, "no Automation interlock-system/ladder-missing in the cluster") {
		t.Errorf("promote a missing object: exit %d, %s", code, errOut)
	}
	return ctx
}

// demote: demotion needs no evidence, only an owner and a reason.
func (l *ladder) demote(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	out, errOut, code := l.run(t, "demote", "unhealthy-workload", "--object", "ladder-uw", "--to", "runbook", "--owner", "bob", "--reason", "budget exhausted twice this week")
	if code != 0 {
		t.Fatalf("demote: exit %d\n%s\n%s", code, out, errOut)
	}
	moves := l.moves(t)
	if len(moves) != 2 || moves[1].Action != history.Demote || moves[1].From != v1alpha1.RungSupervised || moves[1].To != v1alpha1.RungRunbook ||
		moves[1].Reason != "budget exhausted twice this week" || moves[1].Object != remNS+"/ladder-uw" {
		t.Fatalf("ladder records after demotion = %+v", moves)
	}
	l.expectRung(t, "ladder-uw", v1alpha1.RungRunbook, moves[1].ID)
	return ctx
}
