package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// contractDoc is the page whose worked example the feature runs.
const contractDoc = "docs/remediator-contract.md"

// Markers in contractDoc before the example's commands and its verdicts.
const (
	markCommands = "<!-- e2e: the commands TestRemediatorContractExample runs -->"
	markVerdicts = "<!-- e2e: the verdicts TestRemediatorContractExample checks -->"
)

// docExample is what contractDoc says of its worked example: the script
// to run, the exit code it gives and each assertion's verdict.
type docExample struct {
	script   string
	code     int
	verdicts map[string]scorecard.Verdict
}

// readDocExample reads the worked example from the page: the first line of
// the code block after markCommands that runs a script of examples/, the
// exit code the page states ("exits N") and the table after markVerdicts.
func readDocExample(t *testing.T) docExample {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", contractDoc))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	_, commands, ok := strings.Cut(doc, markCommands)
	if !ok {
		t.Fatalf("%s lacks %q", contractDoc, markCommands)
	}
	_, verdicts, ok := strings.Cut(doc, markVerdicts)
	if !ok {
		t.Fatalf("%s lacks %q", contractDoc, markVerdicts)
	}
	ex := docExample{verdicts: map[string]scorecard.Verdict{}}
	block := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(commands)
	if block == nil {
		t.Fatalf("%s: no sh block after %q", contractDoc, markCommands)
	}
	for _, line := range strings.Split(block[1], "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "examples/") {
			ex.script = f[0]
			break
		}
	}
	if ex.script == "" {
		t.Fatalf("%s: the sh block after %q runs no script of examples/:\n%s", contractDoc, markCommands, block[1])
	}
	m := regexp.MustCompile(`exits (\d)`).FindStringSubmatch(commands)
	if m == nil {
		t.Fatalf("%s: no \"exits N\" after %q", contractDoc, markCommands)
	}
	ex.code, _ = strconv.Atoi(m[1])
	for _, row := range regexp.MustCompile("(?m)^\\| `([a-z-]+)` \\| (pass|fail|skipped|error) \\|").FindAllStringSubmatch(verdicts, -1) {
		ex.verdicts[row[1]] = scorecard.Verdict(row[2])
	}
	if len(ex.verdicts) == 0 {
		t.Fatalf("%s: no verdict table after %q", contractDoc, markVerdicts)
	}
	return ex
}

// contractExample runs the worked example of docs/remediator-contract.md
// as the page says to, with the interlock built for the tests, and checks
// that the run ends as the page says: its exit code and every assertion's
// verdict.
func contractExample() features.Feature {
	var (
		ex     docExample
		sc     scorecard.Scorecard
		code   int
		stderr string
		out    string
	)
	return features.New("the remediator contract's worked example").WithLabel("tier", scenarios.TierPR).
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ex = readDocExample(t)
			out = t.TempDir()
			// The page's `make build` is the interlock the tests built.
			cmd := exec.CommandContext(ctx, filepath.Join("..", "..", ex.script), "-o", "json")
			cmd.Env = append(os.Environ(), "INTERLOCK="+interlockBin, "OUT="+out)
			var stdout, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &errb
			var err error
			if code, err = exitCode(cmd.Run()); err != nil {
				t.Fatalf("failed to run %s: %v", ex.script, err)
			}
			stderr = errb.String()
			if err := json.Unmarshal(stdout.Bytes(), &sc); err != nil {
				t.Fatalf("%s -o json printed no scorecard: %v\nstdout: %s\nstderr: %s", ex.script, err, stdout.String(), stderr)
			}
			return ctx
		}).
		Assess("it exits as the page says", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if code != ex.code {
				t.Errorf("%s exited %d, the page says %d; verdict %s\n%s", ex.script, code, ex.code, sc.Verdict, stderr)
			}
			return ctx
		}).
		Assess("each assertion's verdict is the page's", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			got := map[string]scorecard.Verdict{}
			for _, a := range sc.Assertions {
				got[a.Name] = a.Verdict
			}
			for _, s := range sc.Skipped {
				got[s.Name] = "skipped"
			}
			for name, want := range ex.verdicts {
				if got[name] != want {
					t.Errorf("%s: %q, the page says %q", name, got[name], want)
				}
			}
			for name, v := range got {
				if _, ok := ex.verdicts[name]; !ok {
					t.Errorf("%s (%s) is graded but not on the page", name, v)
				}
			}
			return ctx
		}).
		Assess("the remediator's log is kept", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			log, err := os.ReadFile(filepath.Join(out, "restarter.log"))
			if err != nil || !bytes.Contains(log, []byte("restarter: acting for")) {
				t.Errorf("no restarter log in %s: %v\n%s", out, err, log)
			}
			return ctx
		}).
		Assess("the run left nothing behind", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			assertRunCleaned(t, stderr)
			return ctx
		}).
		Teardown(func(ctx context.Context, _ *testing.T, _ *envconf.Config) context.Context {
			downLeftover(stderr)
			return ctx
		}).
		Feature()
}
