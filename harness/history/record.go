package history

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// Suites say which job ran a scenario. Only nightly runs count as evidence
// for a promotion.
const (
	// SuiteNightly is a run by the nightly runner (interlock nightly).
	SuiteNightly = "nightly"
	// SuitePR is a run by the pull-request job.
	SuitePR = "pr"
	// SuiteAdhoc is any other run, such as interlock scenario run by hand.
	SuiteAdhoc = "adhoc"
)

// Suites lists the suites.
var Suites = []string{SuiteNightly, SuitePR, SuiteAdhoc}

// Cluster providers a record may name, as in scorecard.Scorecard.Provider.
const (
	// ProviderEmbedded is the embedded control plane with kwok nodes.
	ProviderEmbedded = "embedded"
	// ProviderKind is a kind cluster.
	ProviderKind = "kind"
)

// BuiltInRemediator is scorecard.Scorecard.Remediator for the built-in remediator.
const BuiltInRemediator = "built-in"

// UnknownCommit is the commit of a record made where git could not say.
const UnknownCommit = "unknown"

// Directory defaults.
const (
	// DirEnv names the environment variable that overrides DefaultDir.
	DirEnv = "INTERLOCK_HISTORY"
	// DefaultDir is the history directory when DirEnv is unset, relative to
	// the working directory.
	DefaultDir = "_output/history"
)

// DirFromEnv returns the history directory to use when none is given: $INTERLOCK_HISTORY
// if set, else DefaultDir.
func DirFromEnv() string {
	if d := os.Getenv(DirEnv); d != "" {
		return d
	}
	return DefaultDir
}

// Automation is one automation under test in a recorded run.
type Automation struct {
	// Name is the automation's name in the scenario.
	Name string `json:"name"`
	// Type is the built-in automation type, such as "unhealthy-workload".
	Type v1alpha1.AutomationType `json:"type"`
	// Rung is the rung the automation ran at.
	Rung string `json:"rung"`
	// SafetyCaseDigest is Digest of the safety case it ran with.
	SafetyCaseDigest string `json:"safetyCaseDigest"`
}

// Record is one scenario run kept in the history: the run's scorecard, in
// its JSON form (FORMAT.md), plus what a promotion needs to know of the run.
// Its JSON form is the scorecard's with the fields below added, so every
// reader of scorecard JSON reads a record too.
type Record struct {
	// ID identifies the record and names its file; IDs sort by start time.
	// See NewID.
	ID string `json:"id"`
	// Commit is the git commit of the code that ran, or UnknownCommit.
	Commit string `json:"commit"`
	// Suite is the job that ran the scenario: nightly, pr or adhoc.
	Suite string `json:"suite"`
	// Automations are the automations under test, each with the digest of
	// the safety case it ran with.
	Automations []Automation `json:"automations"`

	// Scorecard is the run's scorecard. Its Provider ("embedded" or
	// "kind") and Remediator ("built-in" or the --remediator-cmd) say where
	// and what ran.
	scorecard.Scorecard
}

// Meta is what a record holds beyond the scorecard.
type Meta struct {
	// Scenario is the scenario that ran, as it ran (with any safety case it
	// was given instead of its own); its automations and the digests of
	// their safety cases go into the record. Required.
	Scenario *scenarios.Scenario
	// Commit is the git commit of the code that ran; empty means
	// UnknownCommit. GitCommit finds it.
	Commit string
	// Suite is the job that ran it: nightly, pr or adhoc. Empty means adhoc.
	Suite string
}

// FromScorecard makes the record of one run. Its ID is NewID of the run's
// start (now, if the scorecard has none) and the scenario's name.
func FromScorecard(sc *scorecard.Scorecard, meta Meta) (Record, error) {
	if sc == nil {
		return Record{}, errors.New("failed to make a history record: no scorecard")
	}
	if meta.Scenario == nil {
		return Record{}, fmt.Errorf("failed to make a history record of %s: no scenario", sc.Scenario)
	}
	if meta.Scenario.Name() != sc.Scenario {
		return Record{}, fmt.Errorf("failed to make a history record: the scorecard is of scenario %q, not %q", sc.Scenario, meta.Scenario.Name())
	}
	suite := meta.Suite
	if suite == "" {
		suite = SuiteAdhoc
	}
	if !slices.Contains(Suites, suite) {
		return Record{}, fmt.Errorf("failed to make a history record of %s: unknown suite %q: must be one of %s", sc.Scenario, suite, strings.Join(Suites, ", "))
	}
	commit := meta.Commit
	if commit == "" {
		commit = UnknownCommit
	}
	var autos []Automation
	for _, a := range meta.Scenario.Spec.Automations {
		spec, err := meta.Scenario.SafetyCaseOf(a)
		if err != nil {
			return Record{}, fmt.Errorf("failed to make a history record of %s: %w", sc.Scenario, err)
		}
		autos = append(autos, Automation{Name: a.Name, Type: a.Type, Rung: a.Rung, SafetyCaseDigest: Digest(*spec)})
	}
	started := sc.StartedAt
	if started.IsZero() {
		started = time.Now()
	}
	return Record{ID: NewID(started, sc.Scenario), Commit: commit, Suite: suite, Automations: autos, Scorecard: *sc}, nil
}

// Has reports whether the run had an automation with the given name or type under test.
func (r *Record) Has(automation string) bool {
	return slices.ContainsFunc(r.Automations, func(a Automation) bool {
		return a.Name == automation || string(a.Type) == automation
	})
}

// Passed reports whether the run's verdict is pass.
func (r *Record) Passed() bool { return r.Verdict == scorecard.VerdictPass }

// idTime is the time part of an ID: fixed width, so IDs sort by time.
const idTime = "20060102T150405.000Z"

// validID is what an ID may look like: it names a file.
var validID = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]*$`)

// NewID returns a new record ID: t in UTC to the millisecond, the subject
// (a scenario or an automation) and 8 random hex digits, such as
// 20260914T030000.000Z-storm-1f2e3d4c. IDs sort by t.
func NewID(t time.Time, subject string) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return t.UTC().Format(idTime) + "-" + subject + "-" + hex.EncodeToString(b[:])
}

// Digest returns "sha256:" and the hex SHA-256 of the safety case's
// canonical JSON: its JSON form with object keys sorted and no white space,
// so two specs that say the same thing (durations "2m" and "120s", fields
// in another order) have the same digest and any change in what a safety
// case says changes it.
func Digest(spec v1alpha1.SafetyCaseSpec) string {
	sum := sha256.Sum256(canonicalJSON(spec))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// canonicalJSON encodes v, then decodes and encodes it again through
// generic maps, whose keys encoding/json sorts.
func canonicalJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("failed to encode a safety case: %v", err)) // cannot happen: plain data
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		panic(fmt.Sprintf("failed to decode a safety case: %v", err))
	}
	out, err := json.Marshal(generic)
	if err != nil {
		panic(fmt.Sprintf("failed to encode a safety case: %v", err))
	}
	return out
}

// GitCommit returns the commit checked out in dir (the working directory if
// empty), from git rev-parse HEAD, or UnknownCommit if git cannot say.
func GitCommit(ctx context.Context, dir string) string {
	args := []string{"rev-parse", "HEAD"}
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	commit := strings.TrimSpace(string(out))
	if err != nil || commit == "" {
		return UnknownCommit
	}
	return commit
}
