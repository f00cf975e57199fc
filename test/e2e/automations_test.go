package e2e

import "testing"

// TestNodeLossActsOnlyOnItsTrigger: a NotReady node is cordoned and its pods
// evicted; the Ready nodes are never touched; the node is uncordoned once
// it is back (the stated reversal).
func TestNodeLossActsOnlyOnItsTrigger(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, nodeLoss())
}

// TestDiskPressureActsOnlyOnItsTrigger: a node under DiskPressure is
// cordoned and some of its pods evicted; no other node is touched.
func TestDiskPressureActsOnlyOnItsTrigger(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, diskPressure())
}

// TestBadDeployRollsBack: a new revision that never becomes available is
// rolled back to the previous one once its health gate fails; a healthy
// Deployment beside it is left alone.
func TestBadDeployRollsBack(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, badDeploy())
}
