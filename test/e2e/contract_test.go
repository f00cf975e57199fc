package e2e

import "testing"

// TestRemediatorContractExample runs the worked example of
// docs/remediator-contract.md, examples/restarter graded on the storm
// scenario, and checks it ends as the page says.
func TestRemediatorContractExample(t *testing.T) {
	ownClusters(t)
	testenv.Test(t, contractExample())
}
