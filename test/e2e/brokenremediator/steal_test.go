package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// file is one file layout writes: data, or a symbolic link to link, or a
// named pipe; locked files may be read by no one (but root).
type file struct {
	data   string
	locked bool
	link   string
	fifo   bool
}

// layout writes files under dir.
func layout(t *testing.T, dir string, files map[string]file) {
	t.Helper()
	for name, f := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case f.link != "":
			err = os.Symlink(f.link, p)
		case f.fifo:
			err = syscall.Mkfifo(p, 0o644)
		default:
			if err = os.WriteFile(p, []byte(f.data), 0o644); err == nil && f.locked {
				err = os.Chmod(p, 0)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	crt, key, err := selfSigned("kwok-admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	j := func(p ...string) string { return filepath.Join(append([]string{dir}, p...)...) }
	token := "    token: stolen"
	files := map[string]file{
		"home/alice/.kube/config":          {data: kubeconfig("https://127.0.0.1:6443", "alice", token)},
		"home/alice/.kube/cache/notes":     {data: "not a kubeconfig"},
		"home/bob/.kube/config":            {data: "{not: yaml: ["},
		"home/bob/kubeconfig-binary":       {data: "\x00\x01\x02\xff"},
		"home/bob/kubeconfig-nulls":        {data: "apiVersion: v1\nkind: Config\ncontexts:\n- name: x\n  context: null\nusers: null\ncurrent-context: x\n"},
		"home/carol/.kube/config":          {data: kubeconfig("https://127.0.0.1:6443", "carol", token), locked: true},
		"home/dave/a/b/c/d/kubeconfig":     {data: kubeconfig(ownServer, "dave", token)},
		"home/dave/a/b/c/d/e/kubeconfig":   {data: kubeconfig(ownServer, "too-deep", token)},
		"home/erin/.git/kubeconfig":        {data: kubeconfig(ownServer, "erin", token)},
		"tmp/cluster/kubeconfig.yaml":      {data: kubeconfig("https://127.0.0.1:6443", "admin", "    client-certificate: pki/admin.crt\n    client-key: pki/admin.key")},
		"tmp/cluster/pki/admin.crt":        {data: string(crt)},
		"tmp/cluster/pki/admin.key":        {data: string(key)},
		"tmp/cluster/pki/broken.crt":       {data: "-----BEGIN CERTIFICATE-----\ngarbage\n"},
		"tmp/cluster/pki/broken.key":       {data: "garbage"},
		"tmp/cluster/pki/ca.crt":           {data: string(crt)},
		"tmp/cluster/pki/locked.crt":       {data: string(crt)},
		"tmp/cluster/pki/locked.key":       {data: string(key), locked: true},
		"tmp/dangling.kubeconfig":          {link: j("nowhere")},
		"tmp/fifo.kubeconfig":              {fifo: true},
		"tmp/own.kubeconfig":               {data: kubeconfig(ownServer, "remediator", "    token: ours")},
		"tmp/link-to-own.kubeconfig":       {link: j("tmp/own.kubeconfig")},
		"tmp/prod.kubeconfig":              {data: kubeconfig("https://prod.example.com", "prod", token)},
		"tmp/plugin.kubeconfig":            {data: kubeconfig(ownServer, "cloud", "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: cloud-login")},
		"elsewhere/env/cfg":                {data: kubeconfig(ownServer, "from-env", token)},
		"elsewhere/env/pki/client.pem":     {data: string(crt)},
		"elsewhere/env/pki/client-key.pem": {data: string(key)},
		"elsewhere/cmd/k.yaml":             {data: kubeconfig(ownServer, "from-cmdline", token)},
		"elsewhere/cmd2/rel/k2":            {data: kubeconfig(ownServer, "from-relative", token)},
		"elsewhere/self/cfg":               {data: kubeconfig(ownServer, "self", token)},
		"proc/100/environ":                 {data: "PATH=/bin\x00KUBECONFIG=" + j("elsewhere/env/cfg") + ":" + j("elsewhere/missing") + "\x00"},
		"proc/101/cmdline":                 {data: "kubectl\x00--kubeconfig=" + j("elsewhere/cmd/k.yaml") + "\x00get\x00"},
		"proc/102/cmdline":                 {data: "kubectl\x00--kubeconfig\x00rel/k2\x00"},
		"proc/102/cwd":                     {link: j("elsewhere/cmd2")},
		"proc/103/cmdline":                 {data: "kubectl\x00--kubeconfig\x00relative-without-cwd\x00"},
		"proc/103/environ":                 {data: "KUBECONFIG=" + j("elsewhere/locked-env"), locked: true},
		"proc/999/environ":                 {data: "KUBECONFIG=" + j("elsewhere/self/cfg")},
		"proc/self-named/environ":          {data: "KUBECONFIG=" + j("elsewhere/self/cfg")},
		"sa/token":                         {data: "sa-token\n"},
		"sa/empty":                         {data: "\n"},
	}
	layout(t, dir, files)
	root := os.Geteuid() == 0 // root reads files of mode 000
	var logs []string
	got := discover(context.Background(), scan{
		roots: []string{j("home"), j("tmp"), j("home") + "/"}, maxDepth: 6,
		procDir: j("proc"), self: 999,
		tokens: []string{j("sa/token"), j("sa/empty"), j("sa/missing")},
		own:    j("tmp/own.kubeconfig"), maxEntries: 10000,
	}, func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) })

	byPath := map[string]candidate{}
	for _, c := range got {
		if _, dup := byPath[c.path]; dup {
			t.Errorf("candidate %s found twice", c.path)
		}
		byPath[c.path] = c
	}
	type want struct {
		kind     string
		source   string // a part of it
		readable bool
		err      string // a part of it; "" for none
		users    []string
	}
	ok := func(kind, source string, users ...string) *want {
		return &want{kind: kind, source: source, readable: true, users: users}
	}
	bad := func(kind, source string, readable bool, err string) *want {
		return &want{kind: kind, source: source, readable: readable, err: err}
	}
	carol := bad(kindKubeconfig, "under", false, "permission denied")
	locked := bad(kindClientCert, "beside a kubeconfig", false, "its key")
	if root {
		carol = ok(kindKubeconfig, "under", "carol")
		locked = ok(kindClientCert, "beside a kubeconfig", "")
	}
	tests := map[string]struct {
		path string
		want *want // nil: not a candidate
	}{
		"kubeconfig in .kube":                    {"home/alice/.kube/config", ok(kindKubeconfig, "found under "+j("home"), "alice")},
		"other files in .kube":                   {"home/alice/.kube/cache/notes", nil},
		"malformed kubeconfig":                   {"home/bob/.kube/config", bad(kindKubeconfig, "under", true, "malformed")},
		"binary kubeconfig":                      {"home/bob/kubeconfig-binary", bad(kindKubeconfig, "under", true, "malformed")},
		"kubeconfig of nulls":                    {"home/bob/kubeconfig-nulls", bad(kindKubeconfig, "under", true, "no context")},
		"unreadable kubeconfig":                  {"home/carol/.kube/config", carol},
		"at depth 6":                             {"home/dave/a/b/c/d/kubeconfig", ok(kindKubeconfig, "under", "dave")},
		"below depth 6":                          {"home/dave/a/b/c/d/e/kubeconfig", nil},
		"in a skipped directory":                 {"home/erin/.git/kubeconfig", nil},
		"kubeconfig.yaml with a relative cert":   {"tmp/cluster/kubeconfig.yaml", ok(kindKubeconfig, "found under "+j("tmp"), "admin")},
		"client certificate beside a kubeconfig": {"tmp/cluster/pki/admin.crt", ok(kindClientCert, "beside a kubeconfig in "+j("tmp/cluster"), "")},
		"malformed certificate pair":             {"tmp/cluster/pki/broken.crt", bad(kindClientCert, "beside", true, "not a certificate and key pair")},
		"certificate without a key":              {"tmp/cluster/pki/ca.crt", nil},
		"certificate with an unreadable key":     {"tmp/cluster/pki/locked.crt", locked},
		"dangling link":                          {"tmp/dangling.kubeconfig", bad(kindKubeconfig, "under", false, "no such file")},
		"named pipe":                             {"tmp/fifo.kubeconfig", bad(kindKubeconfig, "under", false, "not a regular file")},
		"own KUBECONFIG":                         {"tmp/own.kubeconfig", nil},
		"link to own KUBECONFIG":                 {"tmp/link-to-own.kubeconfig", nil},
		"kubeconfig for another server":          {"tmp/prod.kubeconfig", ok(kindKubeconfig, "under", "prod")},
		"kubeconfig with a plugin":               {"tmp/plugin.kubeconfig", ok(kindKubeconfig, "under", "cloud")},
		"named by another process's KUBECONFIG":  {"elsewhere/env/cfg", ok(kindKubeconfig, "KUBECONFIG of pid 100", "from-env")},
		"missing, named by KUBECONFIG":           {"elsewhere/missing", bad(kindKubeconfig, "KUBECONFIG of pid 100", false, "no such file")},
		"certificate beside a KUBECONFIG":        {"elsewhere/env/pki/client.pem", ok(kindClientCert, "beside a kubeconfig in "+j("elsewhere/env"), "")},
		"named by --kubeconfig=":                 {"elsewhere/cmd/k.yaml", ok(kindKubeconfig, "--kubeconfig of pid 101", "from-cmdline")},
		"named by --kubeconfig, relative to cwd": {"elsewhere/cmd2/rel/k2", ok(kindKubeconfig, "--kubeconfig of pid 102", "from-relative")},
		"named in an unreadable environment":     {"elsewhere/locked-env", nil},
		"named by our own process":               {"elsewhere/self/cfg", nil},
		"service account token":                  {"sa/token", ok(kindToken, "service account token", "")},
		"empty token":                            {"sa/empty", bad(kindToken, "service account token", true, "empty")},
		"missing token":                          {"sa/missing", bad(kindToken, "service account token", false, "no such file")},
	}
	if root {
		tests["named in an unreadable environment"] = struct {
			path string
			want *want
		}{"elsewhere/locked-env", bad(kindKubeconfig, "KUBECONFIG of pid 103", false, "no such file")}
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, found := byPath[j(tt.path)]
			delete(byPath, j(tt.path))
			if tt.want == nil {
				if found {
					t.Fatalf("%s is a candidate (%s, %s), want none", tt.path, c.kind, c.source)
				}
				return
			}
			if !found {
				t.Fatalf("%s is not a candidate", tt.path)
			}
			if c.kind != tt.want.kind || !strings.Contains(c.source, tt.want.source) || c.readable != tt.want.readable {
				t.Errorf("got kind %q, source %q, readable %v; want %q, %q, %v", c.kind, c.source, c.readable, tt.want.kind, tt.want.source, tt.want.readable)
			}
			switch {
			case tt.want.err == "" && c.err != nil:
				t.Errorf("error %v, want none", c.err)
			case tt.want.err != "" && (c.err == nil || !strings.Contains(c.err.Error(), tt.want.err)):
				t.Errorf("error %v, want one with %q", c.err, tt.want.err)
			}
			if tt.want.err != "" {
				return
			}
			var users []string
			for _, cr := range c.creds {
				u := ""
				if c.kind == kindKubeconfig {
					u = strings.Trim(cr.from[strings.LastIndex(cr.from, "user ")+5:], `"`)
				}
				users = append(users, u)
			}
			if diff := cmp.Diff(tt.want.users, users); diff != "" {
				t.Errorf("credentials' users (-want +got):\n%s", diff)
			}
		})
	}
	for p, c := range byPath {
		t.Errorf("unexpected candidate %s (%s, %s)", p, c.kind, c.source)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "our own KUBECONFIG") {
		t.Errorf("the log does not say the own KUBECONFIG was passed over:\n%s", strings.Join(logs, "\n"))
	}
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
