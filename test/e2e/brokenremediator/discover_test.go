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
)

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
	layout(t, dir, discoverFiles(j, crt, key))
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
	for name, tc := range discoverCases(j, root) {
		t.Run(name, func(t *testing.T) {
			c, found := byPath[j(tc.path)]
			delete(byPath, j(tc.path))
			checkCandidate(t, tc, c, found)
		})
	}
	for p, c := range byPath {
		t.Errorf("unexpected candidate %s (%s, %s)", p, c.kind, c.source)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "our own KUBECONFIG") {
		t.Errorf("the log does not say the own KUBECONFIG was passed over:\n%s", strings.Join(logs, "\n"))
	}
}

// discoverFiles is the layout TestDiscover scans: j names a path in its
// directory, and crt and key are a client certificate and its key.
func discoverFiles(j func(...string) string, crt, key []byte) map[string]file {
	token := "    token: stolen"
	return map[string]file{
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
}

// discoverWant is what a candidate must be.
type discoverWant struct {
	kind     string
	source   string // a part of it
	readable bool
	err      string // a part of it; "" for none
	users    []string
}

// discoverCase is a path of discoverFiles and the candidate it must be.
type discoverCase struct {
	path string
	want *discoverWant // nil: not a candidate
}

func wantOK(kind, source string, users ...string) *discoverWant {
	return &discoverWant{kind: kind, source: source, readable: true, users: users}
}

func wantBad(kind, source string, readable bool, err string) *discoverWant {
	return &discoverWant{kind: kind, source: source, readable: readable, err: err}
}

// discoverCases says what each path of discoverFiles must be; root reads
// files of mode 000.
func discoverCases(j func(...string) string, root bool) map[string]discoverCase {
	ok, bad := wantOK, wantBad
	carol := bad(kindKubeconfig, "under", false, "permission denied")
	locked := bad(kindClientCert, "beside a kubeconfig", false, "its key")
	lockedEnv := discoverCase{"elsewhere/locked-env", nil}
	if root {
		carol = ok(kindKubeconfig, "under", "carol")
		locked = ok(kindClientCert, "beside a kubeconfig", "")
		lockedEnv = discoverCase{"elsewhere/locked-env", bad(kindKubeconfig, "KUBECONFIG of pid 103", false, "no such file")}
	}
	return map[string]discoverCase{
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
		"named in an unreadable environment":     lockedEnv,
		"named by our own process":               {"elsewhere/self/cfg", nil},
		"service account token":                  {"sa/token", ok(kindToken, "service account token", "")},
		"empty token":                            {"sa/empty", bad(kindToken, "service account token", true, "empty")},
		"missing token":                          {"sa/missing", bad(kindToken, "service account token", false, "no such file")},
	}
}

// checkCandidate checks the candidate c found (or not) for tc's path.
func checkCandidate(t *testing.T, tc discoverCase, c candidate, found bool) {
	t.Helper()
	if tc.want == nil {
		if found {
			t.Fatalf("%s is a candidate (%s, %s), want none", tc.path, c.kind, c.source)
		}
		return
	}
	if !found {
		t.Fatalf("%s is not a candidate", tc.path)
	}
	if c.kind != tc.want.kind || !strings.Contains(c.source, tc.want.source) || c.readable != tc.want.readable {
		t.Errorf("got kind %q, source %q, readable %v; want %q, %q, %v", c.kind, c.source, c.readable, tc.want.kind, tc.want.source, tc.want.readable)
	}
	switch {
	case tc.want.err == "" && c.err != nil:
		t.Errorf("error %v, want none", c.err)
	case tc.want.err != "" && (c.err == nil || !strings.Contains(c.err.Error(), tc.want.err)):
		t.Errorf("error %v, want one with %q", c.err, tc.want.err)
	}
	if tc.want.err != "" {
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
	if diff := cmp.Diff(tc.want.users, users); diff != "" {
		t.Errorf("credentials' users (-want +got):\n%s", diff)
	}
}
