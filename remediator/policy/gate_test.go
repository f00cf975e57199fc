package policy_test

import (
	"errors"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/remediator/policy"
)

func TestRequiredAvailable(t *testing.T) {
	tests := map[string]struct {
		percent, desired, want int
	}{
		"50% of 4 requires 2":          {50, 4, 2},
		"50% of 3 rounds up to 2":      {50, 3, 2},
		"34% of 3 rounds up to 2":      {34, 3, 2},
		"33% of 3 rounds up to 1":      {33, 3, 1},
		"100% of 3 requires 3":         {100, 3, 3},
		"1% of 1 requires 1":           {1, 1, 1},
		"0% requires none":             {0, 5, 0},
		"scaled to zero requires none": {80, 0, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			g := policy.HealthGate{ProgressDeadline: time.Minute, MinAvailablePercent: tc.percent}
			if got := g.RequiredAvailable(tc.desired); got != tc.want {
				t.Errorf("RequiredAvailable(%d) at %d%% = %d, want %d", tc.desired, tc.percent, got, tc.want)
			}
		})
	}
}

func withServing(r policy.Rollout, serving int) policy.Rollout {
	r.ServingReplicas = serving
	return r
}

func TestHealthGate(t *testing.T) {
	gate := policy.HealthGate{ProgressDeadline: 10 * time.Minute, MinAvailablePercent: 50}
	rollout := func(desired, available int, age time.Duration, previous bool) policy.Rollout {
		return policy.Rollout{DesiredReplicas: desired, AvailableReplicas: available, Started: ago(age), HasPreviousRevision: previous}
	}
	tests := map[string]struct {
		gate       policy.HealthGate
		rollout    policy.Rollout
		wantStatus policy.GateStatus
		want       policy.Reason // Evaluate's reason
		retry      time.Duration
		rollback   policy.Reason // AllowRollback's reason, "" for allowed
	}{
		"available enough before the deadline passes": {
			gate: gate, rollout: rollout(4, 2, time.Minute, true),
			wantStatus: policy.GatePassed, want: policy.ReasonHealthGatePassed, rollback: policy.ReasonHealthGatePassed,
		},
		"available enough after the deadline passes": {
			gate: gate, rollout: rollout(4, 4, time.Hour, true),
			wantStatus: policy.GatePassed, want: policy.ReasonHealthGatePassed, rollback: policy.ReasonHealthGatePassed,
		},
		"too few serving for the hold fails before the deadline": {
			gate:       policy.HealthGate{ProgressDeadline: 10 * time.Minute, MinAvailablePercent: 80, Hold: time.Minute},
			rollout:    withServing(rollout(4, 0, 2*time.Minute, true), 3),
			wantStatus: policy.GateFailed, want: policy.ReasonHealthGateFailed,
		},
		"too few serving within the hold is pending until the hold": {
			gate:       policy.HealthGate{ProgressDeadline: 10 * time.Minute, MinAvailablePercent: 80, Hold: time.Minute},
			rollout:    withServing(rollout(4, 0, 20*time.Second, true), 3),
			wantStatus: policy.GatePending, want: policy.ReasonHealthGatePending, retry: 40 * time.Second,
			rollback: policy.ReasonHealthGatePending,
		},
		"enough serving keeps the hold from failing a slow rollout": {
			gate:       policy.HealthGate{ProgressDeadline: 10 * time.Minute, MinAvailablePercent: 75, Hold: time.Minute},
			rollout:    withServing(rollout(4, 1, 5*time.Minute, true), 3),
			wantStatus: policy.GatePending, want: policy.ReasonHealthGatePending, retry: 5 * time.Minute,
			rollback: policy.ReasonHealthGatePending,
		},
		"unavailable within the deadline is pending": {
			gate: gate, rollout: rollout(4, 1, 4*time.Minute, true),
			wantStatus: policy.GatePending, want: policy.ReasonHealthGatePending, retry: 6 * time.Minute,
			rollback: policy.ReasonHealthGatePending,
		},
		"a nanosecond before the deadline is pending": {
			gate: gate, rollout: rollout(4, 1, 10*time.Minute-time.Nanosecond, true),
			wantStatus: policy.GatePending, want: policy.ReasonHealthGatePending, retry: time.Nanosecond,
			rollback: policy.ReasonHealthGatePending,
		},
		"exactly at the deadline fails": {
			gate: gate, rollout: rollout(4, 1, 10*time.Minute, true),
			wantStatus: policy.GateFailed, want: policy.ReasonHealthGateFailed,
		},
		"past the deadline fails": {
			gate: gate, rollout: rollout(4, 0, time.Hour, true),
			wantStatus: policy.GateFailed, want: policy.ReasonHealthGateFailed,
		},
		"failed without a previous revision": {
			gate: gate, rollout: rollout(4, 1, time.Hour, false),
			wantStatus: policy.GateFailed, want: policy.ReasonHealthGateFailed, rollback: policy.ReasonNoPreviousRevision,
		},
		"50% of 3 needs 2: 1 fails": {
			gate: gate, rollout: rollout(3, 1, time.Hour, true),
			wantStatus: policy.GateFailed, want: policy.ReasonHealthGateFailed,
		},
		"50% of 3 needs 2: 2 passes": {
			gate: gate, rollout: rollout(3, 2, time.Hour, true),
			wantStatus: policy.GatePassed, want: policy.ReasonHealthGatePassed, rollback: policy.ReasonHealthGatePassed,
		},
		"100% of 3 with 2 fails": {
			gate:    policy.HealthGate{ProgressDeadline: 10 * time.Minute, MinAvailablePercent: 100},
			rollout: rollout(3, 2, time.Hour, true), wantStatus: policy.GateFailed, want: policy.ReasonHealthGateFailed,
		},
		"0% always passes": {
			gate:    policy.HealthGate{ProgressDeadline: 10 * time.Minute},
			rollout: rollout(3, 0, time.Hour, true), wantStatus: policy.GatePassed, want: policy.ReasonHealthGatePassed,
			rollback: policy.ReasonHealthGatePassed,
		},
		"scaled to zero passes": {
			gate: gate, rollout: rollout(0, 0, time.Hour, true),
			wantStatus: policy.GatePassed, want: policy.ReasonHealthGatePassed, rollback: policy.ReasonHealthGatePassed,
		},
		"started after now (clock skew) is pending": {
			gate: gate, rollout: rollout(4, 0, -time.Minute, true),
			wantStatus: policy.GatePending, want: policy.ReasonHealthGatePending, retry: 11 * time.Minute,
			rollback: policy.ReasonHealthGatePending,
		},
		"unknown start time is invalid, not failed": {
			gate: gate, rollout: policy.Rollout{DesiredReplicas: 4, HasPreviousRevision: true},
			want: policy.ReasonInvalidSnapshot, rollback: policy.ReasonInvalidSnapshot,
		},
		"negative counts are invalid": {
			gate: gate, rollout: rollout(4, -1, time.Hour, true),
			want: policy.ReasonInvalidSnapshot, rollback: policy.ReasonInvalidSnapshot,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := tc.gate.Evaluate(tc.rollout, now)
			if res.Status != tc.wantStatus || res.Reason != tc.want || res.RetryAfter != tc.retry || res.Message == "" {
				t.Errorf("Evaluate = %+v, want status %q reason %s RetryAfter %s and a message", res, tc.wantStatus, tc.want, tc.retry)
			}
			wantViolation(t, tc.gate.AllowRollback(tc.rollout, now), tc.rollback, tc.retry)
		})
	}
}

func TestHealthGateValidate(t *testing.T) {
	tests := map[string]struct {
		gate    policy.HealthGate
		wantErr bool
	}{
		"valid":                    {gate: policy.HealthGate{ProgressDeadline: time.Minute, MinAvailablePercent: 80}},
		"0% is valid":              {gate: policy.HealthGate{ProgressDeadline: time.Minute}},
		"zero deadline fails open": {gate: policy.HealthGate{MinAvailablePercent: 80}, wantErr: true},
		"negative deadline":        {gate: policy.HealthGate{ProgressDeadline: -time.Minute, MinAvailablePercent: 80}, wantErr: true},
		"percent above 100":        {gate: policy.HealthGate{ProgressDeadline: time.Minute, MinAvailablePercent: 101}, wantErr: true},
		"negative percent":         {gate: policy.HealthGate{ProgressDeadline: time.Minute, MinAvailablePercent: -1}, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.gate.Validate()
			if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, policy.ErrInvalidLimit)) {
				t.Fatalf("Validate() = %v, wantErr %t (wrapping ErrInvalidLimit)", err, tc.wantErr)
			}
		})
	}
}
