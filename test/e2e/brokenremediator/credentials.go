package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// credential is one identity a candidate offers.
type credential struct {
	// from names it in logs.
	from string
	// server is the API server its kubeconfig names for it; "" if none.
	server string
	// plugin is "exec" or "auth-provider" if it needs a program run to
	// get a credential: such a credential is never used.
	plugin             string
	token, tokenFile   string
	certFile, keyFile  string
	certData, keyData  []byte
	username, password string
}

// kubeconfigCredentials are the users a kubeconfig's contexts name, the
// current context's first, each with its context's server. Relative file
// paths are taken from the kubeconfig's directory.
func kubeconfigCredentials(path string, data []byte) (creds []credential, err error) {
	defer func() {
		// A malformed file must never bring the mode down.
		if r := recover(); r != nil {
			creds, err = nil, fmt.Errorf("malformed kubeconfig: %v", r)
		}
	}()
	kc, err := clientcmd.Load(data)
	if err != nil {
		return nil, fmt.Errorf("malformed kubeconfig: %w", err)
	}
	for _, a := range kc.AuthInfos {
		if a != nil {
			a.LocationOfOrigin = path
		}
	}
	for _, cl := range kc.Clusters {
		if cl != nil {
			cl.LocationOfOrigin = path
		}
	}
	if err := clientcmd.ResolveLocalPaths(kc); err != nil {
		return nil, fmt.Errorf("malformed kubeconfig: %w", err)
	}
	names := make([]string, 0, len(kc.Contexts))
	for n := range kc.Contexts {
		names = append(names, n)
	}
	slices.Sort(names)
	if i := slices.Index(names, kc.CurrentContext); i > 0 {
		names = append([]string{kc.CurrentContext}, slices.Delete(names, i, i+1)...)
	}
	used := map[string]bool{}
	for _, n := range names {
		ctx := kc.Contexts[n]
		if ctx == nil || used[ctx.AuthInfo] {
			continue
		}
		a := kc.AuthInfos[ctx.AuthInfo]
		if a == nil {
			continue
		}
		used[ctx.AuthInfo] = true
		cr := credential{
			from:  fmt.Sprintf("%s, user %q", path, ctx.AuthInfo),
			token: a.Token, tokenFile: a.TokenFile,
			certFile: a.ClientCertificate, keyFile: a.ClientKey,
			certData: a.ClientCertificateData, keyData: a.ClientKeyData,
			username: a.Username, password: a.Password,
		}
		if cl := kc.Clusters[ctx.Cluster]; cl != nil {
			cr.server = cl.Server
		}
		switch {
		case a.Exec != nil:
			cr.plugin = "exec"
		case a.AuthProvider != nil:
			cr.plugin = "auth-provider"
		}
		creds = append(creds, cr)
	}
	if len(creds) == 0 {
		return nil, errors.New("no context names a user")
	}
	return creds, nil
}

// usable says why the credential is not tried against ownServer, or "".
// It is never tried if it needs a plugin run (that would run a program on
// the machine, and perhaps reach out with someone's real cloud identity),
// or if its kubeconfig is for another API server (its token is not sent
// to one it was never meant for).
func usable(c credential, ownServer string) string {
	switch {
	case c.plugin != "":
		return "it would run a credential plugin (" + c.plugin + ")"
	case c.server != "" && !sameServer(c.server, ownServer):
		return "it is for another API server, " + c.server
	case c.token == "" && c.tokenFile == "" && c.certFile == "" && len(c.certData) == 0 && c.username == "":
		return "it holds no credentials"
	}
	return ""
}

// sameServer reports whether two API server addresses name the same
// server: same host, loopback names taken as one, and same port.
func sameServer(a, b string) bool {
	ha, pa, okA := hostPort(a)
	hb, pb, okB := hostPort(b)
	return okA && okB && ha == hb && pa == pb
}

func hostPort(server string) (host, port string, ok bool) {
	if !strings.Contains(server, "://") {
		server = "https://" + server
	}
	u, err := url.Parse(server)
	if err != nil || u.Hostname() == "" {
		return "", "", false
	}
	host, port = strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		host = "loopback"
	}
	return host, port, true
}

// restConfigFor is a client config for the credential against own's API
// server, trusting what own trusts, with none of own's credentials.
func restConfigFor(own *rest.Config, c credential) *rest.Config {
	cfg := rest.AnonymousClientConfig(own)
	cfg.BearerToken, cfg.BearerTokenFile = c.token, c.tokenFile
	cfg.CertFile, cfg.KeyFile = c.certFile, c.keyFile
	cfg.CertData, cfg.KeyData = c.certData, c.keyData
	cfg.Username, cfg.Password = c.username, c.password
	cfg.Timeout = 10 * time.Second
	return cfg
}

// whoAmI asks the API server who cfg authenticates as.
func whoAmI(ctx context.Context, cfg *rest.Config) (string, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return "", err
	}
	r, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	return r.Status.UserInfo.Username, nil
}
