package setup

import (
	"context"
	"fmt"
	"os"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/config"
	"github.com/interlock-dev/interlock/internal/crds"
)

// crdTimeout bounds how long InstallCRDs waits for each CRD to be served.
const crdTimeout = 30 * time.Second

// InstallCRDs creates interlock's CRDs and waits until the API serves them.
func InstallCRDs(ctx context.Context, cfg *rest.Config) error {
	all, err := config.CRDs()
	if err != nil {
		return err
	}
	return crds.Install(ctx, cfg, all, crdTimeout)
}

// Identity is a ServiceAccount's identity and a kubeconfig that acts as it.
type Identity struct {
	// Username is how the API server and its audit log name the account.
	Username string
	// Kubeconfig authenticates with a token only, no client certificate, so
	// that the API server attributes every request to the account.
	Kubeconfig []byte
}

// Remediator creates the namespace, a ServiceAccount, and a ClusterRole with
// rules (the built-in remediator's generated role when rules is nil) bound
// to it, and returns a kubeconfig holding a token for the account.
func Remediator(ctx context.Context, cfg *rest.Config, namespace, name string, rules []rbacv1.PolicyRule, ttl time.Duration) (*Identity, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("failed to create client: %w", err)
	}
	if rules == nil {
		role, err := config.RemediatorRole()
		if err != nil {
			return nil, err
		}
		rules = role.Rules
	}
	roleName := "interlock:" + namespace + ":" + name
	create := func(what string, err error) error {
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("failed to create %s: %w", what, err)
		}
		return nil
	}
	if err := create("namespace", func() error {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{})
		return err
	}()); err != nil {
		return nil, err
	}
	if err := create("service account", func() error {
		_, err := cs.CoreV1().ServiceAccounts(namespace).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		return err
	}()); err != nil {
		return nil, err
	}
	if err := create("cluster role", func() error {
		_, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: roleName}, Rules: rules}, metav1.CreateOptions{})
		return err
	}()); err != nil {
		return nil, err
	}
	if err := create("cluster role binding", func() error {
		_, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: roleName},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: roleName},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}},
		}, metav1.CreateOptions{})
		return err
	}()); err != nil {
		return nil, err
	}
	tr, err := cs.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name, &authnv1.TokenRequest{
		Spec: authnv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(ttl.Seconds()))},
	}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("failed to request a token for %s/%s: %w", namespace, name, err)
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["interlock"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: caData(cfg)}
	kc.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	kc.Contexts["interlock"] = &clientcmdapi.Context{Cluster: "interlock", AuthInfo: name, Namespace: namespace}
	kc.CurrentContext = "interlock"
	data, err := clientcmd.Write(*kc)
	if err != nil {
		return nil, fmt.Errorf("failed to write kubeconfig: %w", err)
	}
	return &Identity{Username: "system:serviceaccount:" + namespace + ":" + name, Kubeconfig: data}, nil
}

func caData(cfg *rest.Config) []byte {
	if len(cfg.CAData) > 0 {
		return cfg.CAData
	}
	if cfg.CAFile != "" {
		if data, err := os.ReadFile(cfg.CAFile); err == nil {
			return data
		}
	}
	return nil
}
