package e2e

import "testing"

// TestStormHaltsAndPages: a workload that keeps crashing is restarted
// exactly N times, then the automation halts, one page reaches a real HTTP
// receiver, and no further restart happens; resumed, it acts again.
func TestStormHaltsAndPages(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, stormHaltsAndPages())
}

// TestRestartMidStormKeepsBudget kills the remediator after its first
// actions and starts a new one: the budget carries over.
func TestRestartMidStormKeepsBudget(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, restartMidStorm())
}

// TestKillSwitch: with the switch on nothing is restarted; turned off, the
// same storm is acted on.
func TestKillSwitch(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, killSwitch())
}

// TestCertificateNeedsApproval: an expiring certificate is proposed, never
// rotated without approval, and rotated once a named human approves.
func TestCertificateNeedsApproval(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, certificateNeedsApproval())
}

// TestRemediatorIdentityIsLeastPrivilege: the remediator's own identity is
// denied what its role does not grant.
func TestRemediatorIdentityIsLeastPrivilege(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, leastPrivilege())
}

// TestLeaderElection: two replicas with leader election share one storm;
// only the leader ever acts.
func TestLeaderElection(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, leaderElection())
}

// TestUnfitAutomationOnlyAlerts: an automation whose safety case is
// incomplete, or whose rung is above its class's posture, is not Ready, and
// its condition says exactly why.
func TestUnfitAutomationOnlyAlerts(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, unfitAutomation())
}
