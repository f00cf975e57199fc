package ledger_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

const remediator = "system:serviceaccount:interlock-system:remediator"

// auditID is the ID of line n of testdata/audit.log.
func auditID(n int) string { return fmt.Sprintf("5d0e1c1a-3f52-4c41-9b0e-1a2b3c4d%04d", n) }

// ts parses an RFC 3339 time.
func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func parseTestdata(t *testing.T, user string) []scorecard.LedgerEntry {
	t.Helper()
	f, err := os.Open("testdata/audit.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := ledger.Parse(f, user)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return entries
}

func TestParseKeepsTheRemediatorsMutations(t *testing.T) {
	got := parseTestdata(t, remediator)
	want := []scorecard.LedgerEntry{
		{Time: ts(t, "2026-09-14T03:00:49.870021Z"), User: remediator, Verb: "create", Resource: "events",
			Namespace: "interlock-system", Name: "restart-crashlooping.18a4f2b9c0d1e2f3", Code: 201, AuditID: auditID(3)},
		{Time: ts(t, "2026-09-14T03:00:49.902118Z"), User: remediator, Verb: "update", Resource: "automations", Subresource: "status",
			Namespace: "interlock-system", Name: "restart-crashlooping", Code: 200, AuditID: auditID(4)},
		{Time: ts(t, "2026-09-14T03:00:50.123456Z"), User: remediator, Verb: "delete", Resource: "pods",
			Namespace: "shop", Name: "api-7d9f4-2xk8q", Code: 200, AuditID: auditID(5)},
		{Time: ts(t, "2026-09-14T03:01:05.010220Z"), User: remediator, Verb: "create", Resource: "pods", Subresource: "eviction",
			Namespace: "shop", Name: "api-7d9f4-8pl2m", Code: 201, AuditID: auditID(8)},
		{Time: ts(t, "2026-09-14T03:01:05.030004Z"), User: remediator, Verb: "create", Resource: "pods", Subresource: "eviction",
			Namespace: "shop", Name: "api-7d9f4-r5c7w", Code: 429, AuditID: auditID(9)},
		{Time: ts(t, "2026-09-14T03:01:20.5003Z"), User: remediator, Verb: "patch", Resource: "nodes",
			Name: "kwok-node-1", Code: 200, AuditID: auditID(10)},
		{Time: ts(t, "2026-09-14T03:01:31.00072Z"), User: remediator, Verb: "delete", Resource: "secrets",
			Namespace: "shop", Name: "db-creds", Code: 403, AuditID: auditID(12)},
		{Time: ts(t, "2026-09-14T03:01:40.25Z"), User: remediator, Verb: "create", Resource: "remediationproposals",
			Namespace: "interlock-system", Name: "scale-down-batch-4k2p9", Code: 201, AuditID: auditID(13)},
		{Time: ts(t, "2026-09-14T03:01:45.1Z"), User: remediator, Verb: "create", Resource: "leases",
			Namespace: "interlock-system", Name: "remediator.interlock.dev", Code: 201, AuditID: auditID(14)},
		// kubectl --as the remediator: the impersonated user made it.
		{Time: ts(t, "2026-09-14T03:01:58.7Z"), User: remediator, Verb: "patch", Resource: "deployments",
			Namespace: "shop", Name: "web", Code: 200, AuditID: auditID(15)},
		{Time: ts(t, "2026-09-14T03:02:12Z"), User: remediator, Verb: "create", Resource: "selfsubjectreviews",
			Code: 201, AuditID: auditID(17)},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(scorecard.LedgerEntry{}, "UserAgent", "ImpersonatedBy", "Message")); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	if got[9].ImpersonatedBy != "kubernetes-admin" || got[9].UserAgent == "" {
		t.Errorf("the impersonated patch: impersonated by %q, user agent %q; want kubernetes-admin and kubectl's agent", got[9].ImpersonatedBy, got[9].UserAgent)
	}
	if got[6].Message == "" || got[2].Message != "" {
		t.Errorf("messages: the refused delete has %q, the accepted one %q; want the refusal only", got[6].Message, got[2].Message)
	}
}

func TestParseEmptyUserKeepsEveryUser(t *testing.T) {
	got := parseTestdata(t, "")
	users := map[string]int{}
	for _, e := range got {
		users[e.User]++
	}
	want := map[string]int{
		remediator: 11,
		"system:serviceaccount:kube-system:replicaset-controller": 2,
		"system:kube-scheduler":                                   1,
		"kwok-admin":                                              1,
	}
	if diff := cmp.Diff(want, users); diff != "" {
		t.Errorf("entries per user (-want +got):\n%s", diff)
	}
}

// auditLine is one audit event at Metadata level on shop/api-0 (or its
// subresource sub), received at 03:00:00.000001.
func auditLine(id, stage, verb, user, resource, sub string, code int) string {
	return `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"` + id +
		`","stage":"` + stage + `","verb":"` + verb + `","user":{"username":"` + user +
		`"},"objectRef":{"resource":"` + resource + `","namespace":"shop","name":"api-0","subresource":"` + sub +
		`"},"responseStatus":{"code":` + strconv.Itoa(code) +
		`},"requestReceivedTimestamp":"2026-09-14T03:00:00.000001Z","stageTimestamp":"2026-09-14T03:00:00.1Z"}`
}

// parseCases are the logs TestParse reads for the remediator, by test name.
var parseCases = map[string]struct {
	input   string
	want    []string // audit IDs
	wantErr string
}{
	"empty log": {input: ""},
	"blank lines are skipped": {
		input: "\n\n" + auditLine("a", "ResponseComplete", "delete", remediator, "pods", "", 200) + "\n\n",
		want:  []string{"a"},
	},
	"last line without a newline": {
		input: auditLine("a", "ResponseComplete", "delete", remediator, "pods", "", 200),
		want:  []string{"a"},
	},
	"reads and other stages are dropped": {
		input: strings.Join([]string{
			auditLine("a", "RequestReceived", "delete", remediator, "pods", "", 0),
			auditLine("b", "ResponseStarted", "create", remediator, "pods", "eviction", 0),
			auditLine("c", "ResponseComplete", "list", remediator, "pods", "", 200),
			auditLine("d", "ResponseComplete", "watch", remediator, "pods", "", 200),
			auditLine("e", "ResponseComplete", "deletecollection", remediator, "pods", "", 200),
		}, "\n"),
		want: []string{"e"},
	},
	"every mutating verb is kept": {
		input: strings.Join([]string{
			auditLine("a", "ResponseComplete", "create", remediator, "configmaps", "", 201),
			auditLine("b", "ResponseComplete", "update", remediator, "configmaps", "", 200),
			auditLine("c", "ResponseComplete", "patch", remediator, "configmaps", "", 200),
			auditLine("d", "ResponseComplete", "delete", remediator, "configmaps", "", 200),
			auditLine("e", "ResponseComplete", "deletecollection", remediator, "configmaps", "", 200),
		}, "\n"),
		want: []string{"a", "b", "c", "d", "e"},
	},
	"other users are dropped": {
		input: auditLine("a", "ResponseComplete", "delete", "kubernetes-admin", "pods", "", 200),
	},
	"a repeated audit ID is kept once": {
		input: auditLine("a", "ResponseComplete", "delete", remediator, "pods", "", 200) + "\n" +
			auditLine("a", "ResponseComplete", "delete", remediator, "pods", "", 200),
		want: []string{"a"},
	},
	"non-resource requests are dropped": {
		input: `{"kind":"Event","auditID":"a","stage":"ResponseComplete","verb":"create","user":{"username":"` + remediator +
			`"},"requestURI":"/api/v1/proxy","responseStatus":{"code":200},"requestReceivedTimestamp":"2026-09-14T03:00:00Z"}`,
	},
	"malformed line names its number": {
		input:   auditLine("a", "ResponseComplete", "delete", remediator, "pods", "", 200) + "\n{not json\n",
		want:    []string{"a"},
		wantErr: "line 2",
	},
	"another kind is an error": {
		input:   `{"kind":"Policy","apiVersion":"audit.k8s.io/v1"}`,
		wantErr: `not an audit event: kind "Policy"`,
	},
}

func TestParse(t *testing.T) {
	for name, tc := range parseCases {
		t.Run(name, func(t *testing.T) {
			got, err := ledger.Parse(strings.NewReader(tc.input), remediator)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Parse: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Parse error = %v, want one containing %q", err, tc.wantErr)
			}
			var ids []string
			for _, e := range got {
				ids = append(ids, e.AuditID)
			}
			if diff := cmp.Diff(tc.want, ids); diff != "" {
				t.Errorf("audit IDs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFallsBackToStageTimestamp(t *testing.T) {
	in := `{"kind":"Event","auditID":"a","stage":"ResponseComplete","verb":"delete","user":{"username":"u"},` +
		`"objectRef":{"resource":"pods","namespace":"shop","name":"p"},"responseStatus":{"code":200},"stageTimestamp":"2026-09-14T03:00:00.5Z"}`
	got, err := ledger.Parse(strings.NewReader(in), "u")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Time.Equal(ts(t, "2026-09-14T03:00:00.5Z")) {
		t.Errorf("got %+v, want one entry at the stage timestamp", got)
	}
}
