package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/rest"
)

const ownServer = "https://localhost:6443"

func kubeconfig(server, user, authInfo string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: %s
    insecure-skip-tls-verify: true
contexts:
- name: main
  context: {cluster: c, user: %s}
current-context: main
users:
- name: %s
  user:
%s
`, server, user, user, authInfo)
}

// A relative client certificate in a kubeconfig is taken from the
// kubeconfig's directory, and the current context's user comes first.
func TestKubeconfigCredentials(t *testing.T) {
	data := `apiVersion: v1
kind: Config
clusters:
- {name: local, cluster: {server: "https://127.0.0.1:6443"}}
- {name: prod, cluster: {server: "https://prod.example.com"}}
contexts:
- {name: a-prod, context: {cluster: prod, user: prod}}
- {name: b-admin, context: {cluster: local, user: admin}}
- {name: c-admin-again, context: {cluster: local, user: admin}}
- {name: d-cloud, context: {cluster: local, user: cloud}}
current-context: b-admin
users:
- {name: admin, user: {client-certificate: pki/admin.crt, client-key: /abs/admin.key}}
- {name: prod, user: {token: t}}
- {name: cloud, user: {auth-provider: {name: gcp}}}
`
	got, err := kubeconfigCredentials("/k/cluster/kubeconfig.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []credential{
		{from: `/k/cluster/kubeconfig.yaml, user "admin"`, server: "https://127.0.0.1:6443", certFile: "/k/cluster/pki/admin.crt", keyFile: "/abs/admin.key"},
		{from: `/k/cluster/kubeconfig.yaml, user "prod"`, server: "https://prod.example.com", token: "t"},
		{from: `/k/cluster/kubeconfig.yaml, user "cloud"`, server: "https://127.0.0.1:6443", plugin: "auth-provider"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(credential{})); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}
}

func TestUsable(t *testing.T) {
	tests := map[string]struct {
		c    credential
		want string // a part of the reason; "" if usable
	}{
		"token for our server":             {credential{server: "https://127.0.0.1:6443", token: "t"}, ""},
		"loopback names are one":           {credential{server: "https://[::1]:6443", token: "t"}, ""},
		"token file":                       {credential{server: ownServer, tokenFile: "/t"}, ""},
		"client certificate, no server":    {credential{certData: []byte("c"), keyData: []byte("k")}, ""},
		"bare token":                       {credential{token: "t"}, ""},
		"another port":                     {credential{server: "https://127.0.0.1:6444", token: "t"}, "another API server"},
		"another host":                     {credential{server: "https://prod.example.com", token: "t"}, "another API server"},
		"default port is not ours":         {credential{server: "https://localhost", token: "t"}, "another API server"},
		"exec plugin":                      {credential{server: ownServer, plugin: "exec"}, "credential plugin"},
		"auth-provider for another server": {credential{server: "https://prod.example.com", plugin: "auth-provider"}, "credential plugin"},
		"nothing in it":                    {credential{server: ownServer}, "no credentials"},
		"unparsable server":                {credential{server: "https://[::1", token: "t"}, "another API server"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := usable(tt.c, ownServer)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("usable = %q, want %q", got, tt.want)
			}
		})
	}
}

// A stolen credential is sent to our own API server, trusting what we
// trust, and carries none of our own credentials.
func TestRestConfigFor(t *testing.T) {
	own := &rest.Config{Host: ownServer, BearerToken: "ours", BearerTokenFile: "/ours",
		TLSClientConfig: rest.TLSClientConfig{CAData: []byte("ca"), ServerName: "kube", CertFile: "/our.crt", KeyFile: "/our.key"}}
	tests := map[string]struct {
		c    credential
		want func(*rest.Config) string
	}{
		"token": {credential{token: "stolen"}, func(c *rest.Config) string {
			if c.BearerToken != "stolen" || c.BearerTokenFile != "" || c.CertFile != "" || c.KeyFile != "" {
				return fmt.Sprintf("credentials %q %q %q %q", c.BearerToken, c.BearerTokenFile, c.CertFile, c.KeyFile)
			}
			return ""
		}},
		"client certificate": {credential{certData: []byte("c"), keyData: []byte("k")}, func(c *rest.Config) string {
			if c.BearerToken != "" || c.BearerTokenFile != "" || string(c.CertData) != "c" || string(c.KeyData) != "k" || c.CertFile != "" {
				return "credentials are not the certificate alone"
			}
			return ""
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := restConfigFor(own, tt.c)
			if got.Host != ownServer || string(got.CAData) != "ca" || got.ServerName != "kube" {
				t.Errorf("host %q, CA %q, server name %q: not our server's", got.Host, got.CAData, got.ServerName)
			}
			if msg := tt.want(got); msg != "" {
				t.Error(msg)
			}
			if own.BearerToken != "ours" {
				t.Error("our own config was changed")
			}
		})
	}
}
