package e2e

import "testing"

// TestStaleViewHoldsBackWatches: through the proxy, a watch-fed cache runs
// the set lag behind while a plain read sees the truth at once, requests
// keep their ServiceAccount identity, and lifting the lag replays what was
// held.
func TestStaleViewHoldsBackWatches(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, staleViewHoldsBackWatches())
}
