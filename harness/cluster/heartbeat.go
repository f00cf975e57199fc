package cluster

import "time"

// Node heartbeat figures of the embedded cluster. kwok renews each node's
// Lease every quarter of the lease's duration, and kube-controller-manager
// marks a node Ready=Unknown (and its pods not Ready) once it has not seen
// the lease renewed for its grace period. kwokctl scales the lease, the
// renewal and the grace period alike by its --heartbeat-factor, from a
// 40 s lease.
const (
	// baseLease is a node lease's duration at a heartbeat factor of 1.
	baseLease = 40 * time.Second
	// maxLeaseRenewals bounds the lease renewals per second a cluster's
	// nodes make. At 1,000 nodes and a 20 s lease they made 200 a second,
	// and on 2 cores the controller manager's lease watch fell so far
	// behind (16,000 revisions) that it marked nodes Ready=Unknown that
	// were renewing their leases, and with them their pods not Ready for
	// good: kwok makes a pod Ready only as it starts. (kwok's own lease
	// workers, four by default, were too few as well: see
	// kwokctl-config.yaml.)
	maxLeaseRenewals = 50
	// minHeartbeatFactor is the factor of small clusters: a 20 s lease,
	// renewed every 5 s, so that a lost node shows in about 20 s.
	minHeartbeatFactor = 0.5
)

// HeartbeatFactor is the heartbeat factor of a cluster of that many nodes:
// the smallest at least minHeartbeatFactor that keeps the lease renewals
// to maxLeaseRenewals a second (2 at 1,000 nodes: an 80 s lease).
func HeartbeatFactor(nodes int) float64 {
	renewAtFactor1 := baseLease.Seconds() / 4
	return max(minHeartbeatFactor, float64(nodes)/(maxLeaseRenewals*renewAtFactor1))
}

// NodeGracePeriod is how long a node of a cluster of that many nodes goes
// without renewing its lease before the controller manager marks it
// Ready=Unknown: the time a heartbeat loss takes to show.
func NodeGracePeriod(nodes int) time.Duration {
	return time.Duration(HeartbeatFactor(nodes) * float64(baseLease))
}
