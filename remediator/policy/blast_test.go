package policy_test

import (
	"errors"
	"testing"

	"github.com/interlock-dev/interlock/remediator/policy"
)

func TestAllowedUnavailable(t *testing.T) {
	tests := map[string]struct {
		percent, size, want int
	}{
		"34% of 3 allows 1":          {34, 3, 1},
		"33% of 3 allows none":       {33, 3, 0},
		"30% of 3 allows none":       {30, 3, 0},
		"50% of 3 rounds down to 1":  {50, 3, 1},
		"67% of 3 allows 2":          {67, 3, 2},
		"100% of 3 allows 3":         {100, 3, 3},
		"25% of 4 allows 1":          {25, 4, 1},
		"10% of 5 rounds down to 0":  {10, 5, 0},
		"20% of 5 allows 1":          {20, 5, 1},
		"1% of 100 allows 1":         {1, 100, 1},
		"1% of 99 allows none":       {1, 99, 0},
		"100% of 1 allows 1":         {100, 1, 1},
		"0% allows none":             {0, 10, 0},
		"an empty group allows none": {50, 0, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			br := policy.BlastRadius{MaxInFlight: 1, MaxUnavailablePercent: tc.percent}
			if got := br.AllowedUnavailable(tc.size); got != tc.want {
				t.Errorf("AllowedUnavailable(%d) at %d%% = %d, want %d", tc.size, tc.percent, got, tc.want)
			}
		})
	}
}

func TestBlastRadiusCheck(t *testing.T) {
	limits := policy.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 34}
	three := policy.Group{Size: 3, Matched: 1}
	tests := map[string]struct {
		limits policy.BlastRadius
		snap   policy.BlastSnapshot
		target string
		want   policy.Reason
	}{
		"34% of 3: one healthy member may go": {
			limits: limits, snap: policy.BlastSnapshot{Group: three},
		},
		"30% of 3: not even one": {
			limits: policy.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 30},
			snap:   policy.BlastSnapshot{Group: three},
			want:   policy.ReasonMaxUnavailable,
		},
		"34% of 3: the crash-looping target is already out": {
			limits: limits,
			snap:   policy.BlastSnapshot{Group: policy.Group{Size: 3, Unavailable: 1, TargetUnavailable: true, Matched: 1}},
		},
		"34% of 3: another member is already out": {
			limits: limits,
			snap:   policy.BlastSnapshot{Group: policy.Group{Size: 3, Unavailable: 1, Matched: 1}},
			want:   policy.ReasonMaxUnavailable,
		},
		"34% of 3: the target and another member are out": {
			limits: limits,
			snap:   policy.BlastSnapshot{Group: policy.Group{Size: 3, Unavailable: 2, TargetUnavailable: true, Matched: 2}},
			want:   policy.ReasonMaxUnavailable,
		},
		"TargetUnavailable with nothing unavailable counts the target": {
			limits: policy.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 30},
			snap:   policy.BlastSnapshot{Group: policy.Group{Size: 3, TargetUnavailable: true, Matched: 1}},
			want:   policy.ReasonMaxUnavailable,
		},
		"50% of 4: second member may go": {
			limits: policy.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 50},
			snap:   policy.BlastSnapshot{Group: policy.Group{Size: 4, Unavailable: 1, Matched: 1}},
		},
		"50% of 4: third member may not": {
			limits: policy.BlastRadius{MaxInFlight: 5, MaxUnavailablePercent: 50},
			snap:   policy.BlastSnapshot{Group: policy.Group{Size: 4, Unavailable: 2, Matched: 1}},
			want:   policy.ReasonMaxUnavailable,
		},
		"10% of 5 rounds down to none": {
			limits: policy.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 10},
			snap:   policy.BlastSnapshot{Group: policy.Group{Size: 5, Matched: 1}},
			want:   policy.ReasonMaxUnavailable,
		},
		"0% allows nothing": {
			limits: policy.BlastRadius{MaxInFlight: 2},
			snap:   policy.BlastSnapshot{Group: policy.Group{Size: 10, Matched: 1}},
			want:   policy.ReasonMaxUnavailable,
		},
		"no target named": {
			limits: limits, snap: policy.BlastSnapshot{Group: three}, target: "-",
			want: policy.ReasonEmptyTargetSet,
		},
		"selector matched nothing": {
			limits: limits, snap: policy.BlastSnapshot{Group: policy.Group{Size: 3}},
			want: policy.ReasonEmptyTargetSet,
		},
		"empty group": {
			limits: limits, snap: policy.BlastSnapshot{Group: policy.Group{Matched: 1}},
			want: policy.ReasonEmptyTargetSet,
		},
		"every replica matches": {
			limits: limits, snap: policy.BlastSnapshot{Group: policy.Group{Size: 3, Unavailable: 3, TargetUnavailable: true, Matched: 3}},
			want: policy.ReasonAllTargetsMatch,
		},
		"all nodes NotReady, even at 100%": {
			limits: policy.BlastRadius{MaxInFlight: 10, MaxUnavailablePercent: 100},
			snap:   policy.BlastSnapshot{Group: policy.Group{Size: 5, Unavailable: 5, TargetUnavailable: true, Matched: 5}},
			want:   policy.ReasonAllTargetsMatch,
		},
		"a group of one whose member matches": {
			limits: policy.BlastRadius{MaxInFlight: 1, MaxUnavailablePercent: 100},
			snap:   policy.BlastSnapshot{Group: policy.Group{Size: 1, Matched: 1}},
			want:   policy.ReasonAllTargetsMatch,
		},
		"more matched than members": {
			limits: limits, snap: policy.BlastSnapshot{Group: policy.Group{Size: 3, Matched: 4}},
			want: policy.ReasonAllTargetsMatch,
		},
		"all-matching wins over in-flight": {
			limits: limits,
			snap:   policy.BlastSnapshot{InFlight: []string{"x", "y", "shop/web-0"}, Group: policy.Group{Size: 3, Matched: 3}},
			want:   policy.ReasonAllTargetsMatch,
		},
		"negative unavailable": {
			limits: limits, snap: policy.BlastSnapshot{Group: policy.Group{Size: 3, Unavailable: -1, Matched: 1}},
			want: policy.ReasonInvalidSnapshot,
		},
		"more unavailable than members": {
			limits: limits, snap: policy.BlastSnapshot{Group: policy.Group{Size: 3, Unavailable: 4, Matched: 1}},
			want: policy.ReasonInvalidSnapshot,
		},
		"the target is already in flight": {
			limits: limits, snap: policy.BlastSnapshot{InFlight: []string{"shop/web-0"}, Group: three},
			want: policy.ReasonTargetInFlight,
		},
		"one in flight of two allowed": {
			limits: limits, snap: policy.BlastSnapshot{InFlight: []string{"shop/api-0"}, Group: three},
		},
		"in flight reaches MaxInFlight": {
			limits: limits, snap: policy.BlastSnapshot{InFlight: []string{"shop/api-0", "shop/api-1"}, Group: three},
			want: policy.ReasonMaxInFlight,
		},
		"MaxInFlight 0 allows nothing": {
			limits: policy.BlastRadius{MaxUnavailablePercent: 100},
			snap:   policy.BlastSnapshot{Group: three},
			want:   policy.ReasonMaxInFlight,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			target := "shop/web-0"
			if tc.target == "-" {
				target = ""
			}
			wantViolation(t, tc.limits.Check(tc.snap, target), tc.want, 0)
		})
	}
}

func TestBlastRadiusValidate(t *testing.T) {
	tests := map[string]struct {
		limits  policy.BlastRadius
		wantErr bool
	}{
		"valid":               {limits: policy.BlastRadius{MaxInFlight: 1, MaxUnavailablePercent: 34}},
		"zero is zero, valid": {limits: policy.BlastRadius{}},
		"100% is valid":       {limits: policy.BlastRadius{MaxInFlight: 1, MaxUnavailablePercent: 100}},
		"negative in flight":  {limits: policy.BlastRadius{MaxInFlight: -1, MaxUnavailablePercent: 34}, wantErr: true},
		"negative percent":    {limits: policy.BlastRadius{MaxInFlight: 1, MaxUnavailablePercent: -1}, wantErr: true},
		"percent above 100":   {limits: policy.BlastRadius{MaxInFlight: 1, MaxUnavailablePercent: 101}, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.limits.Validate()
			if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, policy.ErrInvalidLimit)) {
				t.Fatalf("Validate() = %v, wantErr %t (wrapping ErrInvalidLimit)", err, tc.wantErr)
			}
		})
	}
}
