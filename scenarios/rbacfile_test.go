package scenarios_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/interlock-dev/interlock/scenarios"
)

// eviction and pods are rules of the RBAC files below.
var (
	eviction = rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods/eviction"}, Verbs: []string{"create"}}
	pods     = rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}}
)

// rbacFileCases are RBAC files and the rules UseRBACFile takes from each, or
// the lines of its error.
var rbacFileCases = map[string]struct {
	data      string
	wantRules []rbacv1.PolicyRule
	// wantErr are the error's lines, each after "FILE: ".
	wantErr []string
}{
	"a list of rules": {
		data: `# comment
- apiGroups: [""]
  resources: [pods/eviction]
  verbs: [create]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
`,
		wantRules: []rbacv1.PolicyRule{eviction, pods},
	},
	"a ClusterRole": {
		data: `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: descheduler
rules:
- apiGroups: [""]
  resources: [pods/eviction]
  verbs: [create]
`,
		wantRules: []rbacv1.PolicyRule{eviction},
	},
	"a non-resource URL": {
		data:      "- nonResourceURLs: [/healthz]\n  verbs: [get]\n",
		wantRules: []rbacv1.PolicyRule{{NonResourceURLs: []string{"/healthz"}, Verbs: []string{"get"}}},
	},
	"incomplete rules in a list": {
		data: `- apiGroups: [""]
  resources: [pods]
- resources: [deployments]
  verbs: [list]
- verbs: [get]
- nonResourceURLs: [/metrics]
  resources: [pods]
  verbs: [get]
`,
		wantErr: []string{
			"[0].verbs: Required value: name the verbs the rule grants",
			`[1].apiGroups: Required value: name the API groups of the resources ("" for the core group)`,
			"[2].resources: Required value: name the resources the rule grants",
			"[3].nonResourceURLs: Forbidden: a rule grants either resources or non-resource URLs, not both",
		},
	},
	"incomplete rule in a ClusterRole": {
		data: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get]
- apiGroups: [""]
  resources: [pods/eviction]
`,
		wantErr: []string{"rules[1].verbs: Required value: name the verbs the rule grants"},
	},
	"unknown field": {
		data: "- apiGroups: [\"\"]\n  resources: [pods]\n  verb: [get]\n",
		wantErr: []string{
			"[0].verb: Forbidden: unknown field",
			"[0].verbs: Required value: name the verbs the rule grants",
		},
	},
	"wrong type": {
		data:    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules:\n- apiGroups: [\"\"]\n  resources: pods\n  verbs: [get]\n",
		wantErr: []string{`rules[0].resources: Invalid value: "pods": wrong type: got a string, want a list`},
	},
	"a Role": {
		data:    "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules: []\n",
		wantErr: []string{`kind: Unsupported value: unknown kind "Role": must be ClusterRole`},
	},
	"wrong apiVersion": {
		data:    "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: ClusterRole\nrules: []\n",
		wantErr: []string{`apiVersion: Unsupported value: unknown apiVersion "rbac.authorization.k8s.io/v1beta1": must be rbac.authorization.k8s.io/v1`},
	},
	"an aggregated ClusterRole": {
		data:    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {a: b}}]\n",
		wantErr: []string{"aggregationRule: Forbidden: the rules of an aggregated ClusterRole are filled in by the API server: list the rules themselves"},
	},
	"no rules in a ClusterRole": {
		data:    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n",
		wantErr: []string{"rules: Required value: no rules: list what the remediator may do"},
	},
	"an empty list": {
		data:    "[]\n",
		wantErr: []string{"Required value: no rules: list what the remediator may do"},
	},
	"empty file": {
		data:    "# nothing\n",
		wantErr: []string{"Invalid value: no document: want a YAML list of rbac/v1 PolicyRules, or a ClusterRole of apiVersion rbac.authorization.k8s.io/v1 whose rules are taken"},
	},
	"two documents": {
		data:    "- verbs: [get]\n  nonResourceURLs: [/a]\n---\n- verbs: [get]\n  nonResourceURLs: [/b]\n",
		wantErr: []string{"Invalid value: 2 documents: want one, a YAML list of rbac/v1 PolicyRules, or a ClusterRole of apiVersion rbac.authorization.k8s.io/v1 whose rules are taken"},
	},
	"a scalar": {
		data:    "pods\n",
		wantErr: []string{"Invalid value: not a list or a mapping: want a YAML list of rbac/v1 PolicyRules, or a ClusterRole of apiVersion rbac.authorization.k8s.io/v1 whose rules are taken"},
	},
}

func TestUseRBACFile(t *testing.T) {
	for name, tc := range rbacFileCases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rbac.yaml")
			if err := os.WriteFile(path, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := scenarios.Load("storm")
			if err != nil {
				t.Fatal(err)
			}
			err = s.UseRBACFile(path)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("UseRBACFile: %v", err)
				}
				if diff := cmp.Diff(tc.wantRules, s.Spec.RBAC); diff != "" {
					t.Errorf("spec.rbac (-want +got):\n%s", diff)
				}
				if err := scenarios.Validate(s); err != nil {
					t.Errorf("scenario invalid with the rules: %v", err)
				}
				return
			}
			var se *scenarios.Error
			if !errors.As(err, &se) {
				t.Fatalf("UseRBACFile = %v, want a *scenarios.Error", err)
			}
			var want []string
			for _, w := range tc.wantErr {
				want = append(want, path+": "+w)
			}
			if diff := cmp.Diff(want, se.Lines()); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if s.Spec.RBAC != nil {
				t.Errorf("a failed UseRBACFile changed spec.rbac: %+v", s.Spec.RBAC)
			}
		})
	}
}

func TestUseRBACFileMissing(t *testing.T) {
	s, err := scenarios.Load("storm")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "none.yaml")
	if err := s.UseRBACFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("UseRBACFile of a missing file = %v, want an error naming it", err)
	}
}
