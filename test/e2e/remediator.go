package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/testutil"
)

// proc is a running remediator process.
type proc struct {
	cmd     *exec.Cmd
	metrics string
	out     *bytes.Buffer
	done    chan struct{}
}

func freeAddr(t *testing.T) string {
	addr, err := cluster.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// startRemediator runs `interlock remediator` as its own process with the
// ServiceAccount's token, so the audit log names it, with any extra flags;
// it is killed at the feature's teardown.
func (f *fixture) startRemediator(t *testing.T, pageURL string, flags ...string) *proc {
	t.Helper()
	p := &proc{metrics: freeAddr(t), out: &bytes.Buffer{}, done: make(chan struct{})}
	args := append([]string{"remediator", "--kubeconfig", f.kc, "--metrics-addr", p.metrics, "--page-url", pageURL, "-n", remNS}, flags...)
	p.cmd = exec.Command(interlockBin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	f.push(p.kill)
	return p
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

// metric sums the samples of a metric whose labels include want.
func (p *proc) metric(name string, want map[string]string) (float64, error) {
	resp, err := http.Get("http://" + p.metrics + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return 0, err
	}
	fam, ok := fams[name]
	if !ok {
		return 0, nil
	}
	sum := 0.0
	for _, m := range fam.Metric {
		if !hasLabels(m.Label, want) {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		}
	}
	return sum, nil
}

// hasLabels reports whether labels include every one of want.
func hasLabels(labels []*dto.LabelPair, want map[string]string) bool {
	for k, v := range want {
		found := false
		for _, l := range labels {
			if l.GetName() == k && l.GetValue() == v {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// waitMetric waits until the metric's sum reaches at least min.
func (f *fixture) waitMetric(t *testing.T, p *proc, name string, labels map[string]string, min float64) {
	t.Helper()
	var got float64
	testutil.WaitFor(t, time.Minute, fmt.Sprintf("%s%v to reach %v", name, labels, min), func(context.Context) (bool, error) {
		v, err := p.metric(name, labels)
		got = v
		return err == nil && v >= min, nil
	}, func() string { return fmt.Sprintf("%s%v = %v\n%s", name, labels, got, tail(p.out.String())) })
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}
