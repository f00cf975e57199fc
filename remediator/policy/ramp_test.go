package policy_test

import (
	"errors"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/remediator/policy"
)

func TestRampAllow(t *testing.T) {
	ramp := func(current, proposed int, last time.Time) policy.Ramp {
		return policy.Ramp{MaxStepPercent: 10, MinInterval: 5 * time.Minute,
			CurrentPercent: current, ProposedPercent: proposed, LastStepAt: last}
	}
	tests := map[string]struct {
		ramp  policy.Ramp
		want  policy.Reason
		retry time.Duration
	}{
		"first step within the limit":       {ramp: ramp(0, 10, time.Time{})},
		"a step after the interval":         {ramp: ramp(10, 20, ago(6*time.Minute))},
		"a step exactly MinInterval later":  {ramp: ramp(10, 20, ago(5*time.Minute))},
		"a step back down within the limit": {ramp: ramp(30, 20, ago(time.Hour))},
		"a step too large":                  {ramp: ramp(0, 11, time.Time{}), want: policy.ReasonRampStepTooLarge},
		"a step down too large":             {ramp: ramp(50, 30, time.Time{}), want: policy.ReasonRampStepTooLarge},
		"too soon after the previous step": {
			ramp: ramp(10, 20, ago(2*time.Minute)), want: policy.ReasonRampTooSoon, retry: 3 * time.Minute,
		},
		"previous step stamped after now counts as just taken": {
			ramp: ramp(10, 20, ago(-time.Minute)), want: policy.ReasonRampTooSoon, retry: 5 * time.Minute,
		},
		"step size is checked before the interval": {
			ramp: ramp(10, 40, ago(time.Minute)), want: policy.ReasonRampStepTooLarge,
		},
		"share above 100":   {ramp: ramp(95, 105, time.Time{}), want: policy.ReasonInvalidSnapshot},
		"negative share":    {ramp: ramp(-5, 5, time.Time{}), want: policy.ReasonInvalidSnapshot},
		"zero step allowed": {ramp: policy.Ramp{CurrentPercent: 10, ProposedPercent: 10}},
		"MaxStepPercent 0 allows no move": {
			ramp: policy.Ramp{CurrentPercent: 10, ProposedPercent: 11}, want: policy.ReasonRampStepTooLarge,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			wantViolation(t, tc.ramp.Allow(now), tc.want, tc.retry)
		})
	}
}

func TestRampValidate(t *testing.T) {
	tests := map[string]struct {
		ramp    policy.Ramp
		wantErr bool
	}{
		"valid":             {ramp: policy.Ramp{MaxStepPercent: 10, MinInterval: time.Minute}},
		"zero is valid":     {ramp: policy.Ramp{}},
		"step above 100":    {ramp: policy.Ramp{MaxStepPercent: 101}, wantErr: true},
		"negative step":     {ramp: policy.Ramp{MaxStepPercent: -1}, wantErr: true},
		"negative interval": {ramp: policy.Ramp{MaxStepPercent: 10, MinInterval: -time.Second}, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.ramp.Validate()
			if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, policy.ErrInvalidLimit)) {
				t.Fatalf("Validate() = %v, wantErr %t (wrapping ErrInvalidLimit)", err, tc.wantErr)
			}
		})
	}
}
