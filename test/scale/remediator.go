package scale

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/pages"
	"github.com/interlock-dev/interlock/harness/setup"
)

// Remediator is the built-in remediator run as its own process, as a
// scenario run starts it: its own ServiceAccount's token in a kubeconfig of
// its own, a home of its own, a minimal environment, its own process group.
type Remediator struct {
	// User is its identity as the audit log names it.
	User string
	// PID is its process.
	PID int
	// MetricsURL serves its /metrics.
	MetricsURL string
	// PprofURL is the root of its Go profiles (/debug/pprof/); empty when
	// it does not serve them.
	PprofURL string
	// Log is its log file.
	Log string

	cmd      *exec.Cmd
	done     chan struct{}
	receiver *pages.Receiver
}

// StartRemediator installs the remediator's identity with cfg (the
// harness's admin), and starts `bin remediator` with its files in dir,
// serving its profiles if pprof. It returns once the remediator serves its
// metrics.
func StartRemediator(ctx context.Context, cfg *rest.Config, bin, dir string, pprof bool) (*Remediator, error) {
	id, err := setup.Remediator(ctx, cfg, contract.Namespace, contract.ServiceAccount, nil, 4*time.Hour)
	if err != nil {
		return nil, err
	}
	kubeconfig := filepath.Join(dir, "remediator.kubeconfig")
	if err := os.WriteFile(kubeconfig, id.Kubeconfig, 0o600); err != nil {
		return nil, fmt.Errorf("failed to write the remediator's kubeconfig: %w", err)
	}
	metricsAddr, err := cluster.FreeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"remediator", "--kubeconfig", kubeconfig, "--namespace", contract.Namespace, "--metrics-addr", metricsAddr}
	var pprofURL string
	if pprof {
		addr, err := cluster.FreeAddr()
		if err != nil {
			return nil, err
		}
		args = append(args, "--pprof-addr", addr)
		pprofURL = "http://" + addr + "/debug/pprof/"
	}
	rcv, err := pages.Start("127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("failed to start the page receiver: %w", err)
	}
	r := &Remediator{User: id.Username, MetricsURL: "http://" + metricsAddr + "/metrics", PprofURL: pprofURL,
		Log: filepath.Join(dir, "remediator.log"), receiver: rcv, done: make(chan struct{})}
	log, err := os.Create(r.Log)
	if err != nil {
		rcv.Close()
		return nil, fmt.Errorf("failed to create the remediator's log: %w", err)
	}
	r.cmd = exec.Command(bin, append(args, "--page-url", rcv.URL())...)
	r.cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + dir}
	r.cmd.Dir = dir
	r.cmd.Stdout, r.cmd.Stderr = log, log
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		log.Close()
		rcv.Close()
		return nil, fmt.Errorf("failed to start the remediator: %w", err)
	}
	r.PID = r.cmd.Process.Pid
	go func() { _ = r.cmd.Wait(); log.Close(); close(r.done) }()
	if err := r.awaitMetrics(ctx, metricsAddr); err != nil {
		r.Stop()
		return nil, err
	}
	return r, nil
}

// awaitMetrics waits until the remediator's metrics port answers.
func (r *Remediator) awaitMetrics(ctx context.Context, addr string) error {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		select {
		case <-r.done:
			return false, fmt.Errorf("the remediator exited at start; the end of its log:\n%s", cluster.LogTail(r.Log, 10))
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return false, nil
		}
		conn.Close()
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("the remediator did not come up: %w", err)
	}
	return nil
}

// AwaitAutomation waits until the remediator exposes its action counter
// for the automation: it has read it and its caches have synced.
func (r *Remediator) AwaitAutomation(ctx context.Context, automation string, limit time.Duration) error {
	scraper := observe.NewScraper(r.MetricsURL)
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, limit, true, func(ctx context.Context) (bool, error) {
		snap, err := scraper.Scrape(ctx)
		if err != nil {
			return false, nil
		}
		_, n := snap.Sum(contract.MetricActionsTotal, map[string]string{"automation": automation, "outcome": contract.OutcomeSucceeded})
		return n > 0, nil
	})
	if err != nil {
		return fmt.Errorf("the remediator did not take up automation %s within %s: %w", automation, limit, err)
	}
	return nil
}

// Requests is how many requests the remediator's API clients have made, by
// its own client-go metrics (every verb, reads included).
func (r *Remediator) Requests(ctx context.Context) (float64, error) {
	snap, err := observe.NewScraper(r.MetricsURL).Scrape(ctx)
	if err != nil {
		return 0, fmt.Errorf("failed to scrape the remediator: %w", err)
	}
	n, _ := snap.Sum("rest_client_requests_total", nil)
	return n, nil
}

// Stop ends the remediator's process group, SIGTERM then SIGKILL, and its
// page receiver.
func (r *Remediator) Stop() {
	defer r.receiver.Close()
	select {
	case <-r.done:
		return
	default:
	}
	_ = syscall.Kill(-r.PID, syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-r.PID, syscall.SIGKILL)
		<-r.done
	}
}
