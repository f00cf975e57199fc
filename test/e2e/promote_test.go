package e2e

import "testing"

// TestPromoteOnCluster takes an Automation on a real API server up the
// ladder on recorded nightly runs, and checks every refusal leaves it be.
func TestPromoteOnCluster(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, promoteOnCluster())
}
