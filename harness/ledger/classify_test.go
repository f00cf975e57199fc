package ledger_test

import (
	"strings"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

func node(unschedulable bool, taints ...string) *scorecard.ObjectState {
	return &scorecard.ObjectState{Unschedulable: &unschedulable, Taints: taints}
}

func workload(replicas int32, template string, paused bool) *scorecard.ObjectState {
	return &scorecard.ObjectState{Replicas: &replicas, Template: template, Paused: &paused}
}

func write(verb, resource, sub, ns, name string, after *scorecard.ObjectState) scorecard.LedgerEntry {
	return scorecard.LedgerEntry{Verb: verb, Resource: resource, Subresource: sub, Namespace: ns, Name: name, Code: 200, After: after}
}

// nodeCreate and depCreate create the node n1 and the Deployment shop/api
// that classifierCases write to.
var (
	nodeCreate = write("create", "nodes", "", "", "n1", node(false, "kwok.x-k8s.io/node=fake:NoSchedule"))
	depCreate  = write("create", "deployments", "", "shop", "api", workload(3, "t1", false))
)

// classifierCases are the writes TestClassifier classifies, each after its
// history, by test name.
var classifierCases = map[string]struct {
	history []scorecard.LedgerEntry
	entry   scorecard.LedgerEntry
	kind    string
	class   v1alpha1.ActionClass
	detail  string
}{
	"pod delete":   {entry: write("delete", "pods", "", "shop", "api-1", nil), kind: ledger.KindRestart, class: v1alpha1.ClassRestart},
	"eviction":     {entry: write("create", "pods", "eviction", "shop", "api-1", nil), kind: ledger.KindEvict, class: v1alpha1.ClassRestart},
	"pod relabel":  {entry: write("patch", "pods", "", "shop", "api-1", nil), kind: ledger.KindUpdate, class: ledger.ClassUnknown},
	"pod status":   {entry: write("patch", "pods", "status", "shop", "api-1", nil), kind: ledger.KindUpdate, class: ledger.ClassUnknown},
	"all the pods": {entry: write("deletecollection", "pods", "", "shop", "", nil), kind: ledger.KindDelete, class: ledger.ClassUnknown},
	"cordon": {history: []scorecard.LedgerEntry{nodeCreate}, entry: write("patch", "nodes", "", "", "n1", node(true, "kwok.x-k8s.io/node=fake:NoSchedule")),
		kind: ledger.KindCordon, class: v1alpha1.ClassRestart, detail: "spec.unschedulable true"},
	"uncordon": {history: []scorecard.LedgerEntry{nodeCreate, write("patch", "nodes", "", "", "n1", node(true))},
		entry: write("patch", "nodes", "", "", "n1", node(false)), kind: ledger.KindUncordon, class: v1alpha1.ClassRestart},
	"taint": {history: []scorecard.LedgerEntry{nodeCreate},
		entry: write("patch", "nodes", "", "", "n1", node(false, "kwok.x-k8s.io/node=fake:NoSchedule", "q=api-1:NoExecute")),
		kind:  ledger.KindTaint, class: v1alpha1.ClassRestart, detail: "taint +q=api-1:NoExecute"},
	"untaint": {history: []scorecard.LedgerEntry{nodeCreate, write("patch", "nodes", "", "", "n1", node(false, "q:NoExecute"))},
		entry: write("update", "nodes", "", "", "n1", node(false)), kind: ledger.KindUntaint, class: v1alpha1.ClassRestart},
	"node labels only": {history: []scorecard.LedgerEntry{nodeCreate},
		entry: write("patch", "nodes", "", "", "n1", node(false, "kwok.x-k8s.io/node=fake:NoSchedule")), kind: ledger.KindUpdate, class: ledger.ClassUnknown},
	"node write without a body": {entry: write("patch", "nodes", "", "", "n1", nil), kind: ledger.KindUpdate, class: ledger.ClassUnknown},
	"node delete":               {entry: write("delete", "nodes", "", "", "n1", nil), kind: ledger.KindDelete, class: v1alpha1.ClassIsolate},
	"node status":               {entry: write("patch", "nodes", "status", "", "n1", nil), kind: ledger.KindUpdate, class: ledger.ClassUnknown},
	"scale to zero by patch": {history: []scorecard.LedgerEntry{depCreate},
		entry: write("patch", "deployments", "", "shop", "api", workload(0, "t1", false)),
		kind:  ledger.KindScaleDown, class: v1alpha1.ClassScaleDown, detail: "spec.replicas 3 → 0"},
	"scale down through the scale subresource": {history: []scorecard.LedgerEntry{depCreate},
		entry: write("update", "deployments", "scale", "shop", "api", &scorecard.ObjectState{Replicas: ptr(int32(1))}),
		kind:  ledger.KindScaleDown, class: v1alpha1.ClassScaleDown, detail: "spec.replicas 3 → 1"},
	"scale up": {history: []scorecard.LedgerEntry{depCreate},
		entry: write("patch", "deployments", "", "shop", "api", workload(5, "t1", false)), kind: ledger.KindScaleUp, class: ledger.ClassUnknown},
	"pause": {history: []scorecard.LedgerEntry{depCreate},
		entry: write("patch", "deployments", "", "shop", "api", workload(3, "t1", true)), kind: ledger.KindSuspend, class: v1alpha1.ClassScaleDown},
	"rollback": {history: []scorecard.LedgerEntry{depCreate},
		entry: write("patch", "deployments", "", "shop", "api", workload(3, "t0", false)), kind: ledger.KindRollout, class: v1alpha1.ClassRollback},
	"rollback after a scale write kept the template": {
		history: []scorecard.LedgerEntry{depCreate, write("update", "deployments", "scale", "shop", "api", &scorecard.ObjectState{Replicas: ptr(int32(3))})},
		entry:   write("patch", "deployments", "", "shop", "api", workload(3, "t0", false)), kind: ledger.KindRollout, class: v1alpha1.ClassRollback},
	"deployment annotation": {history: []scorecard.LedgerEntry{depCreate},
		entry: write("patch", "deployments", "", "shop", "api", workload(3, "t1", false)), kind: ledger.KindUpdate, class: ledger.ClassUnknown},
	"deployment delete": {entry: write("delete", "deployments", "", "shop", "api", nil), kind: ledger.KindDelete, class: v1alpha1.ClassDestructive},
	"cronjob suspended": {history: []scorecard.LedgerEntry{write("create", "cronjobs", "", "shop", "c", &scorecard.ObjectState{Paused: ptr(false)})},
		entry: write("patch", "cronjobs", "", "shop", "c", &scorecard.ObjectState{Paused: ptr(true)}), kind: ledger.KindSuspend, class: v1alpha1.ClassScaleDown},
	"secret rewritten":    {entry: write("update", "secrets", "", "shop", "tls", nil), kind: ledger.KindRotateCredential, class: v1alpha1.ClassDestructive},
	"pvc deleted":         {entry: write("delete", "persistentvolumeclaims", "", "shop", "data", nil), kind: ledger.KindDelete, class: v1alpha1.ClassDestructive},
	"network policy":      {entry: write("create", "networkpolicies", "", "shop", "deny", nil), kind: ledger.KindCreate, class: v1alpha1.ClassIsolate},
	"service selector":    {entry: write("patch", "services", "", "shop", "api", nil), kind: ledger.KindUpdate, class: v1alpha1.ClassTrafficShift},
	"configmap":           {entry: write("update", "configmaps", "", "shop", "cfg", nil), kind: ledger.KindUpdate, class: ledger.ClassUnknown},
	"something new":       {entry: write("create", "widgets", "", "shop", "w", nil), kind: ledger.KindCreate, class: ledger.ClassUnknown},
	"own status":          {entry: write("update", "automations", "status", "interlock-system", "restart-crashlooping", nil), kind: ledger.KindBookkeeping},
	"own spec":            {entry: write("patch", "automations", "", "interlock-system", "restart-crashlooping", nil), kind: ledger.KindUpdate, class: ledger.ClassUnknown},
	"self subject review": {entry: write("create", "selfsubjectreviews", "", "", "", nil), kind: ledger.KindReview},
}

// TestClassifier: each write is judged against its object's state before
// it, as earlier writes of any user left it.
func TestClassifier(t *testing.T) {
	for name, tc := range classifierCases {
		t.Run(name, func(t *testing.T) {
			c := ledger.NewClassifier(testScope)
			for _, h := range tc.history {
				c.Classify(h)
			}
			got := c.Classify(tc.entry)
			if got.Kind != tc.kind || got.Class != tc.class {
				t.Errorf("Classify = %s/%s (%s), want %s/%s", got.Kind, got.Class, got.Detail, tc.kind, tc.class)
			}
			if _, known := v1alpha1.PostureOf(got.Class); got.Class != "" && got.Class != ledger.ClassUnknown && !known {
				t.Errorf("class %q is not in the action-class table", got.Class)
			}
			if tc.detail != "" && got.Detail != tc.detail {
				t.Errorf("detail %q, want %q", got.Detail, tc.detail)
			}
			if got.IsAction() != (tc.kind != ledger.KindBookkeeping && tc.kind != ledger.KindReview) {
				t.Errorf("IsAction = %v for kind %s", got.IsAction(), got.Kind)
			}
		})
	}
}

// A refused write changes no state: the next write is judged against the
// state before the refusal.
func TestClassifierIgnoresRefusedWrites(t *testing.T) {
	c := ledger.NewClassifier(testScope)
	c.Classify(write("create", "nodes", "", "", "n1", node(false)))
	refused := write("patch", "nodes", "", "", "n1", node(true))
	refused.Code = 403
	c.Classify(refused)
	if got := c.Classify(write("patch", "nodes", "", "", "n1", node(true))); got.Kind != ledger.KindCordon {
		t.Errorf("after a refused cordon, a cordon is %s, want cordon", got.Kind)
	}
}

func ptr[T any](v T) *T { return &v }

// Bodies recorded at the RequestResponse level give the state a write left
// its object in; refused impersonation is told from its message.
func TestParseReadsBodies(t *testing.T) {
	lines := []string{
		// A node patch: the response is the node as stored.
		`{"kind":"Event","level":"RequestResponse","auditID":"a1","stage":"ResponseComplete","verb":"patch","user":{"username":"r"},"userAgent":"bad/1.0","objectRef":{"resource":"nodes","name":"n1"},"responseStatus":{"code":200},"requestObject":{"spec":{"unschedulable":true}},"responseObject":{"kind":"Node","spec":{"unschedulable":true,"taints":[{"key":"q","value":"p","effect":"NoExecute"}]}},"requestReceivedTimestamp":"2026-12-02T10:00:00Z"}`,
		// A scale update.
		`{"kind":"Event","level":"RequestResponse","auditID":"a2","stage":"ResponseComplete","verb":"update","user":{"username":"r"},"objectRef":{"resource":"deployments","subresource":"scale","namespace":"shop","name":"api"},"responseStatus":{"code":200},"responseObject":{"kind":"Scale","spec":{"replicas":0}},"requestReceivedTimestamp":"2026-12-02T10:00:01Z"}`,
		// A status write carrying a Halted condition.
		`{"kind":"Event","level":"RequestResponse","auditID":"a3","stage":"ResponseComplete","verb":"update","user":{"username":"r"},"objectRef":{"resource":"automations","subresource":"status","namespace":"interlock-system","name":"uw"},"responseStatus":{"code":200},"responseObject":{"kind":"Automation","status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Halted","status":"True","reason":"BudgetExhausted","lastTransitionTime":"2026-12-02T09:00:00Z"}]}},"requestReceivedTimestamp":"2026-12-02T10:00:02Z"}`,
		// Impersonation refused.
		`{"kind":"Event","level":"Metadata","auditID":"a4","stage":"ResponseComplete","verb":"delete","user":{"username":"r"},"objectRef":{"resource":"pods","namespace":"shop","name":"api-1"},"responseStatus":{"code":403,"message":"users \"kwok-admin\" is forbidden: User \"r\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"},"requestReceivedTimestamp":"2026-12-02T10:00:03Z"}`,
		// A status write with no Halted condition.
		`{"kind":"Event","level":"RequestResponse","auditID":"a5","stage":"ResponseComplete","verb":"update","user":{"username":"r"},"objectRef":{"resource":"automations","subresource":"status","namespace":"interlock-system","name":"uw"},"responseStatus":{"code":200},"responseObject":{"kind":"Automation","status":{}},"requestReceivedTimestamp":"2026-12-02T10:00:04Z"}`,
	}
	got, err := ledger.Parse(strings.NewReader(strings.Join(lines, "\n")), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("got %d entries, want 5", len(got))
	}
	n := got[0]
	if n.After == nil || n.After.Unschedulable == nil || !*n.After.Unschedulable || len(n.After.Taints) != 1 || n.After.Taints[0] != "q=p:NoExecute" || n.UserAgent != "bad/1.0" {
		t.Errorf("node patch: %+v, after %+v", n, n.After)
	}
	if s := got[1].After; s == nil || s.Replicas == nil || *s.Replicas != 0 {
		t.Errorf("scale: after %+v, want replicas 0", s)
	}
	h := got[2].After
	want := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	if h == nil || h.Halted == nil || h.Halted.Status != "True" || h.Halted.Reason != "BudgetExhausted" || !h.Halted.LastTransitionTime.Equal(want) {
		t.Errorf("status: after %+v", h)
	}
	if !ledger.TriedImpersonation(got[3]) || ledger.TriedImpersonation(got[0]) {
		t.Errorf("TriedImpersonation: refused %v, node patch %v", ledger.TriedImpersonation(got[3]), ledger.TriedImpersonation(got[0]))
	}
	if got[3].After != nil {
		t.Errorf("a refused write has a state: %+v", got[3].After)
	}
	if s := got[4].After; s == nil || s.Halted != nil {
		t.Errorf("status without a Halted condition: %+v", s)
	}
}
