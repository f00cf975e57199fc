package cluster

import (
	"testing"
	"time"
)

func TestHeartbeatFactor(t *testing.T) {
	tests := map[string]struct {
		nodes  int
		factor float64
		grace  time.Duration
	}{
		"no nodes":        {nodes: 0, factor: 0.5, grace: 20 * time.Second},
		"a scenario's":    {nodes: 3, factor: 0.5, grace: 20 * time.Second},
		"last at minimum": {nodes: 250, factor: 0.5, grace: 20 * time.Second},
		"past minimum":    {nodes: 300, factor: 0.6, grace: 24 * time.Second},
		"goal size":       {nodes: 1000, factor: 2, grace: 80 * time.Second},
		"largest":         {nodes: 5000, factor: 10, grace: 400 * time.Second},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := HeartbeatFactor(tt.nodes); got != tt.factor {
				t.Errorf("HeartbeatFactor(%d) = %v, want %v", tt.nodes, got, tt.factor)
			}
			if got := NodeGracePeriod(tt.nodes); got != tt.grace {
				t.Errorf("NodeGracePeriod(%d) = %s, want %s", tt.nodes, got, tt.grace)
			}
			renewals := float64(tt.nodes) / (HeartbeatFactor(tt.nodes) * baseLease.Seconds() / 4)
			if tt.nodes > 250 && renewals > maxLeaseRenewals+1e-9 {
				t.Errorf("%d nodes renew %v leases a second, more than %d", tt.nodes, renewals, maxLeaseRenewals)
			}
		})
	}
}
