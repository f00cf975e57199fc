package e2e

import (
	"flag"
	"fmt"
	"strconv"
	"testing"
)

// How the tests share the machine (docs/test-suite.md). Two kinds of test
// run beside each other once the sequential ones are done:
//   - a test that brings up clusters of its own (a scenario run) takes a
//     slot of the pool: at most go test's -parallel of them at once;
//   - a test on the shared cluster takes the lane: one at a time, since
//     what they do (a lost node, a kill switch, a leader election) reaches
//     the whole cluster and the remediators running on it.
//
// A test waiting for the lane or the pool holds no slot of go test's own:
// setLanes lifts go test's limit once it has read -parallel, so that the
// lane and the pool, not the order in which go test lets parallel tests
// go, say what runs at once.
var (
	lane = make(chan struct{}, 1)
	pool chan struct{}
)

// goTestSlots is what go test's -parallel is set to once setLanes has read
// it: more than the package's tests, so that it never limits them.
const goTestSlots = 1000

// setLanes sizes the pool from go test's -parallel and lifts go test's own
// limit. It runs once the flags are parsed (envconf.NewFromFlags parses
// them all) and before m.Run.
func setLanes() error {
	f := flag.Lookup("test.parallel")
	if f == nil {
		return fmt.Errorf("no -test.parallel flag: run as a test binary")
	}
	n, err := strconv.Atoi(f.Value.String())
	if err != nil || n < 1 {
		return fmt.Errorf("bad -parallel %q", f.Value.String())
	}
	pool = make(chan struct{}, n)
	return f.Value.Set(strconv.Itoa(goTestSlots))
}

// onSharedCluster runs t in the shared cluster's lane: beside the scenario
// runs, one shared-cluster test at a time.
func onSharedCluster(t *testing.T) {
	t.Helper()
	t.Parallel()
	lane <- struct{}{}
	t.Cleanup(func() { <-lane })
}

// ownClusters runs t in the pool: in parallel with the other tests that
// bring up clusters of their own, at most -parallel of them at once.
func ownClusters(t *testing.T) {
	t.Helper()
	t.Parallel()
	pool <- struct{}{}
	t.Cleanup(func() { <-pool })
}
