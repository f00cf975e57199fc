package run

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/pages"
)

// UnprivilegedID is the user and group a remediator runs as when the
// harness runs as root: nobody, who can read none of the harness's files.
const UnprivilegedID = 65534

// sandbox is how the remediator is kept from the harness's credentials: a
// home of its own holding only its kubeconfig, a minimal environment, and,
// when the harness runs as root, another user, so that the admin
// kubeconfig, the cluster's keys and the audit log (all readable only by
// root) are out of its reach.
type sandbox struct {
	// home is the remediator's HOME.
	home string
	// cred is the user it runs as; nil: the harness's own.
	cred *syscall.Credential
}

// newSandbox makes the remediator's home. remove deletes it.
func newSandbox() (*sandbox, error) {
	home, err := os.MkdirTemp("", "interlock-remediator-")
	if err != nil {
		return nil, fmt.Errorf("failed to create the remediator's home: %w", err)
	}
	s := &sandbox{home: home}
	if os.Geteuid() == 0 {
		if err := os.Chown(home, UnprivilegedID, UnprivilegedID); err != nil {
			os.RemoveAll(home)
			return nil, fmt.Errorf("failed to give the remediator its home: %w", err)
		}
		s.cred = &syscall.Credential{Uid: UnprivilegedID, Gid: UnprivilegedID, NoSetGroups: true}
	}
	return s, nil
}

func (s *sandbox) remove() { os.RemoveAll(s.home) }

// Isolation says, for the scorecard and the progress, how the remediator
// was kept from other credentials, and what remains.
func (s *sandbox) Isolation() string {
	if s.cred != nil {
		return fmt.Sprintf("runs as uid %d with a home of its own and a minimal environment; the admin kubeconfig, the cluster's keys and the audit log are readable only by root", UnprivilegedID)
	}
	return "runs as the harness's own user with a home of its own and a minimal environment; the harness does not run as root, so the admin kubeconfig and the audit log stay readable to it, and no-unattributed-writes is what catches their use"
}

// writeFile writes a file the remediator may read, and no one else.
func (s *sandbox) writeFile(name string, data []byte) (string, error) {
	path := filepath.Join(s.home, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("failed to write %s: %w", name, err)
	}
	if s.cred != nil {
		if err := os.Chown(path, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return "", fmt.Errorf("failed to give %s to the remediator: %w", name, err)
		}
	}
	return path, nil
}

// executable makes bin runnable by the remediator's user: a link to it (or
// a copy) in its home, as bin may sit in a directory only root can enter.
func (s *sandbox) executable(bin string) (string, error) {
	if s.cred == nil {
		return bin, nil
	}
	dst := filepath.Join(s.home, filepath.Base(bin))
	if _, err := os.Stat(dst); err == nil {
		return dst, nil // made runnable at an earlier start
	}
	if err := os.Link(bin, dst); err != nil {
		if err := copyFile(bin, dst); err != nil {
			return "", fmt.Errorf("failed to make %s runnable by the remediator: %w", bin, err)
		}
	}
	return dst, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// checkRunnable fails clearly when the command's program is a path the
// remediator's user cannot run.
func (s *sandbox) checkRunnable(command string) error {
	fields := strings.Fields(command)
	if s.cred == nil || len(fields) == 0 || !strings.Contains(fields[0], "/") {
		return nil
	}
	test := exec.Command("test", "-x", fields[0])
	test.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	if err := test.Run(); err != nil {
		return fmt.Errorf("the remediator runs as uid %d, which cannot run %s: put it where any user may read and run it (a directory every user can enter)",
			s.cred.Uid, fields[0])
	}
	return nil
}

// env is the remediator's whole environment.
func (s *sandbox) env(kubeconfig, pageURL, metricsAddr string) []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	return []string{"PATH=" + path, "HOME=" + s.home, contract.EnvKubeconfig + "=" + kubeconfig,
		contract.EnvPageURL + "=" + pageURL, contract.EnvMetricsAddr + "=" + metricsAddr, contract.EnvNamespace + "=" + contract.Namespace}
}

// remediatorProc is the remediator under test, run as its own process.
type remediatorProc struct {
	r           *runner
	box         *sandbox
	kubeconfig  string
	pageURL     string
	metricsAddr string
	logPath     string
	// receiver is the page receiver it pages.
	receiver *pages.Receiver
	cmd      *exec.Cmd
	done     chan struct{}
}

func (p *remediatorProc) start(ctx context.Context) error {
	var cmd *exec.Cmd
	if p.r.opts.RemediatorCmd != "" {
		if err := p.box.checkRunnable(p.r.opts.RemediatorCmd); err != nil {
			return err
		}
		cmd = exec.Command("sh", "-c", p.r.opts.RemediatorCmd)
	} else {
		bin := p.r.opts.Interlock
		if bin == "" {
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("failed to find the interlock binary: %w", err)
			}
			bin = exe
		}
		bin, err := p.box.executable(bin)
		if err != nil {
			return err
		}
		cmd = exec.Command(bin, "remediator", "--kubeconfig", p.kubeconfig, "--metrics-addr", p.metricsAddr,
			"--page-url", p.pageURL, "--namespace", contract.Namespace)
	}
	cmd.Env = p.box.env(p.kubeconfig, p.pageURL, p.metricsAddr)
	cmd.Dir = p.box.home
	// Its own process group, so that stopping it stops whatever it started;
	// its own user when the harness is root.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: p.box.cred}
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("failed to open remediator log: %w", err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("failed to start the remediator: %w", err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); log.Close(); close(p.done) }()
	// Wait until its metrics answer: it is up.
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		select {
		case <-p.done:
			return false, fmt.Errorf("the remediator exited at start; the end of its log:\n%s", cluster.LogTail(p.logPath, 10))
		default:
		}
		conn, err := net.DialTimeout("tcp", p.metricsAddr, 100*time.Millisecond)
		if err != nil {
			return false, nil
		}
		conn.Close()
		return true, nil
	})
	// An external remediator that never serves metrics is still run, and
	// graded on that; the built-in one must come up.
	if err != nil && p.r.opts.RemediatorCmd == "" {
		p.stop()
		return fmt.Errorf("the remediator did not come up: %w", err)
	}
	return nil
}

// awaitSeries waits, up to limit, until the remediator's metrics expose its
// action counter for every automation under test: the counter's starting
// point. A remediator that never exposes it is graded on that.
func (p *remediatorProc) awaitSeries(ctx context.Context, scraper *observe.Scraper, automations []string, limit time.Duration) {
	_ = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, limit, true, func(ctx context.Context) (bool, error) {
		snap, err := scraper.Scrape(ctx)
		if err != nil {
			return false, nil
		}
		for _, a := range automations {
			if _, n := snap.Sum(contract.MetricActionsTotal, map[string]string{"automation": a, "outcome": contract.OutcomeSucceeded}); n == 0 {
				return false, nil
			}
		}
		return true, nil
	})
}

// stop ends the remediator's process group: SIGTERM, then SIGKILL.
func (p *remediatorProc) stop() {
	if p.cmd == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// kill ends the remediator's process group at once.
func (p *remediatorProc) kill() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}
