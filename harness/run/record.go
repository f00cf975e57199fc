package run

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// observer reads the remediator's /metrics through the run.
type observer struct {
	scraper *observe.Scraper
	mu      sync.Mutex
	scrapes []assert.Scrape
}

func (o *observer) scrape(ctx context.Context) {
	snap, err := o.scraper.Scrape(ctx)
	s := assert.Scrape{At: time.Now(), Snapshot: snap}
	if err != nil {
		s.Err = err.Error()
	}
	o.mu.Lock()
	o.scrapes = append(o.scrapes, s)
	o.mu.Unlock()
}

// canaryPrefix names the ConfigMaps the harness writes at the start and at
// the end of a run, to prove the ledger saw the whole run.
const canaryPrefix = "interlock-canary-"

// writeCanary creates a canary ConfigMap in the remediator's namespace and
// returns its name.
func (r *runner) writeCanary(ctx context.Context, when string) (string, error) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := canaryPrefix + when + "-" + hex.EncodeToString(b)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: contract.Namespace},
		Data: map[string]string{"written": time.Now().UTC().Format(time.RFC3339Nano)}}
	if err := r.admin.Create(ctx, cm); err != nil {
		return "", fmt.Errorf("failed to write the ledger's %s canary: %w", when, err)
	}
	return name, nil
}

// settleLedger waits until the audit log holds the end canary, written
// after the remediator stopped: the API server logs requests as they
// complete, so every request of the run is in the log before it. It
// returns what the ledger holds.
func (r *runner) settleLedger(ctx context.Context, led *ledger.Ledger, canary string) []scorecard.LedgerEntry {
	seen := func(es []scorecard.LedgerEntry) bool {
		return slices.ContainsFunc(es, func(e scorecard.LedgerEntry) bool { return e.Resource == "configmaps" && e.Name == canary })
	}
	_ = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 20*time.Second, true, func(context.Context) (bool, error) {
		return seen(led.Entries()), nil
	})
	return led.Entries()
}

// whoAmI asks the API server who cfg authenticates as.
func whoAmI(ctx context.Context, cfg *rest.Config) (string, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return "", fmt.Errorf("failed to create client: %w", err)
	}
	res, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("failed to learn the admin identity: %w", err)
	}
	return res.Status.UserInfo.Username, nil
}

// actionCounter counts the remediator's accepted actions in the ledger as
// it grows, for the progress line, with the classification grading uses;
// each entry is read once.
type actionCounter struct {
	classifier *ledger.Classifier
	identity   string
	read, n    int
}

func newActionCounter(s *scenarios.Scenario, identity string) *actionCounter {
	return &actionCounter{classifier: ledger.NewClassifier(ledger.Scope{Automations: automationNames(s)}), identity: identity}
}

// count reads what arrived in led since the last call and returns the
// actions so far.
func (c *actionCounter) count(led *ledger.Ledger) int {
	entries, n := led.Arrived(c.read)
	c.read = n
	for _, e := range entries {
		cl := c.classifier.Classify(e)
		if e.User == c.identity && !e.Rejected() && cl.IsAction() {
			c.n++
		}
	}
	return c.n
}

func automationNames(s *scenarios.Scenario) []string {
	var out []string
	for _, a := range s.Spec.Automations {
		out = append(out, a.Name)
	}
	return out
}

// capacityOf is what the fixture promised each of its workloads.
func capacityOf(s *scenarios.Scenario) map[string]observe.Capacity {
	out := map[string]observe.Capacity{}
	for _, w := range s.Spec.Fixture.Expand() {
		c := observe.Capacity{Replicas: int(w.Replicas)}
		if w.Autoscale != nil {
			c.Autoscaled, c.MinReplicas = true, int(w.Autoscale.MinReplicas)
		}
		out[w.Namespace+"/"+w.Name] = c
	}
	return out
}

// record gathers what the run observed into the grader's Record.
func (r *runner) record(entries []scorecard.LedgerEntry, ledgerErr error, canaries []string, active []*injected, snaps []observe.Sample, end time.Time) assert.Record {
	s := r.opts.Scenario
	rec := assert.Record{
		Origin: r.sc.StartedAt, Start: r.start, End: end,
		Actors:       r.actors,
		Namespace:    contract.Namespace,
		Ledger:       entries,
		Canaries:     canaries,
		Expect:       s.Spec.Expect,
		NoRemediator: r.opts.NoRemediator,
		Capacity:     capacityOf(s),
		Pages:        r.sc.Pages,
		Faults:       r.sc.Faults,
		Scrapes:      r.ob.scrapes,
		Samples:      snaps,
	}
	if ledgerErr != nil {
		rec.LedgerError = ledgerErr.Error()
	}
	if b := r.opts.Baseline; b != nil {
		v := b.Truth.MeanAvailability
		rec.BaselineAvailability = &v
	}
	for _, a := range s.Spec.Automations {
		at := assert.AutomationUnderTest{Name: a.Name, Type: a.Type, Rung: a.Rung}
		if spec, err := s.SafetyCaseOf(a); err != nil {
			at.SafetyCaseError = err.Error()
		} else {
			at.SafetyCase = spec
		}
		rec.Automations = append(rec.Automations, at)
	}
	for _, in := range active {
		rec.Effects = append(rec.Effects, in.effect)
	}
	return rec
}

// remediatorEvents adds the Events the remediator recorded about its
// automations (its decisions, refusals and halts, in its own words) to the
// timeline.
func (r *runner) remediatorEvents(ctx context.Context) {
	var list eventsv1.EventList
	if err := r.admin.List(ctx, &list, client.InNamespace(contract.Namespace)); err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range list.Items {
		if e.Regarding.Kind != "Automation" {
			continue
		}
		at := e.EventTime.Time
		if at.IsZero() {
			at = e.DeprecatedLastTimestamp.Time
		}
		if at.IsZero() {
			at = e.CreationTimestamp.Time
		}
		r.sc.Timeline = append(r.sc.Timeline, scorecard.Event{Time: at, Kind: scorecard.EventDecision,
			Message: fmt.Sprintf("Automation %s (in its own words): %s: %s", e.Regarding.Name, e.Reason, strings.TrimSpace(e.Note))})
	}
}
