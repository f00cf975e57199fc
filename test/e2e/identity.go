package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/remediator"
	"github.com/interlock-dev/interlock/safetycases"
	"github.com/interlock-dev/interlock/scenarios"
)

// rbacCheckNS is the namespace whose Secret "keep" the remediator may not
// delete.
const rbacCheckNS = "rbac-check"

// forbidden are requests the remediator's role does not grant, each made
// with its own clientset.
var forbidden = map[string]func(ctx context.Context, cs kubernetes.Interface) error{
	"delete a secret": func(ctx context.Context, cs kubernetes.Interface) error {
		return cs.CoreV1().Secrets(rbacCheckNS).Delete(ctx, "keep", metav1.DeleteOptions{})
	},
	"delete a namespace": func(ctx context.Context, cs kubernetes.Interface) error {
		return cs.CoreV1().Namespaces().Delete(ctx, rbacCheckNS, metav1.DeleteOptions{})
	},
	"delete a node": func(ctx context.Context, cs kubernetes.Interface) error {
		return cs.CoreV1().Nodes().Delete(ctx, "kwok-node-0", metav1.DeleteOptions{})
	},
	"scale a deployment": func(ctx context.Context, cs kubernetes.Interface) error {
		_, err := cs.AppsV1().Deployments(rbacCheckNS).UpdateScale(ctx, "x", nil, metav1.UpdateOptions{})
		return err
	},
	"create a pod": func(ctx context.Context, cs kubernetes.Interface) error {
		_, err := cs.CoreV1().Pods(rbacCheckNS).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}, metav1.CreateOptions{})
		return err
	},
}

// leastPrivilege: the remediator's own identity is denied what its role
// does not grant.
func leastPrivilege() features.Feature {
	f := &fixture{}
	var (
		cfg *rest.Config
		cs  kubernetes.Interface
	)
	return features.New("the remediator's identity is least privilege").WithLabel("tier", scenarios.TierPR).
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			f.init(t)
			var err error
			if cfg, err = clientcmd.RESTConfigFromKubeConfig(f.identity.Kubeconfig); err != nil {
				t.Fatal(err)
			}
			cs = kubernetes.NewForConfigOrDie(cfg)
			f.namespace(t, rbacCheckNS)
			if err := f.admin.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "keep", Namespace: rbacCheckNS}}); err != nil {
				t.Fatal(err)
			}
			return ctx
		}).
		Assess("what its role does not grant is forbidden", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			for name, do := range forbidden {
				t.Run(name, func(t *testing.T) {
					if err := do(ctx, cs); !apierrors.IsForbidden(err) {
						t.Errorf("got %v, want Forbidden", err)
					}
				})
			}
			return ctx
		}).
		Assess("what its role grants works, as its ServiceAccount", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if _, err := cs.CoreV1().Pods(rbacCheckNS).List(ctx, metav1.ListOptions{}); err != nil {
				t.Errorf("list pods: %v", err)
			}
			if who, err := remediator.WhoAmI(ctx, cfg); err != nil || who != f.identity.Username {
				t.Errorf("WhoAmI = %q, %v; want %q", who, err, f.identity.Username)
			}
			if !strings.HasPrefix(f.identity.Username, "system:serviceaccount:") {
				t.Errorf("identity %q", f.identity.Username)
			}
			return ctx
		}).
		Teardown(f.teardown).
		Feature()
}

// unfitCases are the unfit automations unfitAutomation creates, and the
// Ready condition each must have.
var unfitCases = map[string]struct {
	automation string
	reason     string
	mentions   []string
}{
	"incomplete safety case": {"incomplete-case", v1alpha1.ReasonSafetyCaseIncomplete, []string{"spec.safetyCase.owner", "spec.safetyCase.reversal.timeToReverse"}},
	"rung above posture":     {"cert-unsupervised", v1alpha1.ReasonRungExceedsPosture, []string{`"unsupervised" exceeds the posture of class "destructive"`}},
}

// unfitAutomation: an automation whose safety case is incomplete, or whose
// rung is above its class's posture, is not Ready, and its condition says
// exactly why.
func unfitAutomation() features.Feature {
	f := &fixture{}
	return features.New("an unfit automation only alerts").WithLabel("tier", scenarios.TierPR).
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			f.init(t)
			incomplete := unhealthyCase(t, 3)
			incomplete.Owner = ""
			incomplete.Reversal.TimeToReverse = metav1.Duration{}
			f.automation(t, "incomplete-case", v1alpha1.UnhealthyWorkload, "unsupervised", []string{"nowhere"}, incomplete)
			sc, err := safetycases.Get("certificate-expiry")
			if err != nil {
				t.Fatal(err)
			}
			// Written straight to the API: the CRD does not know postures, the remediator does.
			f.automation(t, "cert-unsupervised", v1alpha1.CertificateExpiry, "unsupervised", []string{"nowhere"}, sc.Spec.DeepCopy())
			f.startRemediator(t, "http://127.0.0.1:1/")
			return ctx
		}).
		Assess("each is not Ready, and says why", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			for name, tc := range unfitCases {
				t.Run(name, func(t *testing.T) { checkUnfit(t, f, tc.automation, tc.reason, tc.mentions) })
			}
			return ctx
		}).
		Teardown(f.teardown).
		Feature()
}

// checkUnfit checks that the automation's Ready condition comes to be
// False with reason, and that its message mentions each of mentions.
func checkUnfit(t *testing.T, f *fixture, automation, reason string, mentions []string) {
	t.Helper()
	var cond *metav1.Condition
	err := testutil.Until(t.Context(), testutil.Interval, 30*time.Second, func(context.Context) (bool, error) {
		cond = meta.FindStatusCondition(f.getAutomation(t, automation).Status.Conditions, v1alpha1.ConditionReady)
		return cond != nil && cond.Reason == reason, nil
	})
	if err != nil {
		t.Fatalf("Ready condition %+v, want reason %s", cond, reason)
	}
	if cond.Status != metav1.ConditionFalse {
		t.Errorf("Ready = %s, want False", cond.Status)
	}
	for _, m := range mentions {
		if !strings.Contains(cond.Message, m) {
			t.Errorf("message %q does not mention %q", cond.Message, m)
		}
	}
}
