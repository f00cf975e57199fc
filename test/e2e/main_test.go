package e2e

import (
	"os"
	"testing"
)

// TestMain builds the CLI and the cluster components, brings up the shared
// cluster the features run on, and takes it down when the tests end (see
// run, in env.go).
func TestMain(m *testing.M) {
	os.Exit(run(m))
}
