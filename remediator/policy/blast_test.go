package policy_test

import (
	"errors"
	"strings"
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
	// scope is an ordinary scope: the trigger fires for the candidate only,
	// of ten targets the selector covers.
	scope := policy.Scope{Size: 10, Matched: 1}
	three := policy.Group{Size: 3}
	tests := map[string]struct {
		limits  policy.BlastRadius
		snap    policy.BlastSnapshot
		target  string
		want    policy.Reason
		message string // a substring the violation's message must contain
	}{
		"34% of 3: one healthy member may go": {
			limits: limits, snap: policy.BlastSnapshot{Scope: scope, Group: three},
		},
		"30% of 3: not even one": {
			limits: policy.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 30},
			snap:   policy.BlastSnapshot{Scope: scope, Group: three},
			want:   policy.ReasonMaxUnavailable,
		},
		"34% of 3: the crash-looping target is already out": {
			limits: limits,
			snap:   policy.BlastSnapshot{Scope: scope, Group: policy.Group{Size: 3, Unavailable: 1, TargetUnavailable: true}},
		},
		"34% of 3: another member is already out": {
			limits: limits,
			snap:   policy.BlastSnapshot{Scope: scope, Group: policy.Group{Size: 3, Unavailable: 1}},
			want:   policy.ReasonMaxUnavailable,
		},
		"34% of 3: the target and another member are out": {
			limits: limits,
			snap: policy.BlastSnapshot{Scope: policy.Scope{Size: 10, Matched: 2},
				Group: policy.Group{Size: 3, Unavailable: 2, TargetUnavailable: true}},
			want: policy.ReasonMaxUnavailable,
		},
		"TargetUnavailable with nothing unavailable counts the target": {
			limits: policy.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 30},
			snap:   policy.BlastSnapshot{Scope: scope, Group: policy.Group{Size: 3, TargetUnavailable: true}},
			want:   policy.ReasonMaxUnavailable,
		},
		"50% of 4: second member may go": {
			limits: policy.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 50},
			snap:   policy.BlastSnapshot{Scope: scope, Group: policy.Group{Size: 4, Unavailable: 1}},
		},
		"50% of 4: third member may not": {
			limits: policy.BlastRadius{MaxInFlight: 5, MaxUnavailablePercent: 50},
			snap:   policy.BlastSnapshot{Scope: scope, Group: policy.Group{Size: 4, Unavailable: 2}},
			want:   policy.ReasonMaxUnavailable,
		},
		"10% of 5 rounds down to none": {
			limits: policy.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 10},
			snap:   policy.BlastSnapshot{Scope: scope, Group: policy.Group{Size: 5}},
			want:   policy.ReasonMaxUnavailable,
		},
		"0% allows nothing": {
			limits: policy.BlastRadius{MaxInFlight: 2},
			snap:   policy.BlastSnapshot{Scope: scope, Group: policy.Group{Size: 10}},
			want:   policy.ReasonMaxUnavailable,
		},
		// A scope of five pods: web, crash-looping, has three replicas
		// (web-0..2) and api, healthy, has two. The trigger fires for web's
		// three. The candidate's group is web; Unavailable counts the members
		// the automation has taken out (in flight), so the target is not
		// counted as out already.
		"a crash-looping workload of 3 among 5 pods in scope: one may go": {
			limits: limits,
			snap: policy.BlastSnapshot{Scope: policy.Scope{Size: 5, Matched: 3},
				Group: policy.Group{Size: 3}},
		},
		"a crash-looping workload of 3 among 5 pods in scope: not while another is in flight": {
			limits: limits,
			snap: policy.BlastSnapshot{InFlight: []string{"shop/web-1"},
				Scope: policy.Scope{Size: 5, Matched: 3}, Group: policy.Group{Size: 3, Unavailable: 1}},
			want: policy.ReasonMaxUnavailable, message: "2 of 3 members out",
		},
		"no target named": {
			limits: limits, snap: policy.BlastSnapshot{Scope: scope, Group: three}, target: "-",
			want: policy.ReasonEmptyTargetSet, message: "names no target",
		},
		"selector matched nothing": {
			limits: limits, snap: policy.BlastSnapshot{Scope: policy.Scope{Size: 10}, Group: three},
			want: policy.ReasonEmptyTargetSet, message: "0 matched of a scope of 10",
		},
		"empty scope": {
			limits: limits, snap: policy.BlastSnapshot{Scope: policy.Scope{Matched: 1}, Group: three},
			want: policy.ReasonEmptyTargetSet, message: "1 matched of a scope of 0",
		},
		"empty group": {
			limits: limits, snap: policy.BlastSnapshot{Scope: scope},
			want: policy.ReasonEmptyTargetSet, message: "group",
		},
		"every replica matches": {
			limits: limits,
			snap: policy.BlastSnapshot{Scope: policy.Scope{Size: 3, Matched: 3},
				Group: policy.Group{Size: 3, Unavailable: 3, TargetUnavailable: true}},
			want: policy.ReasonAllTargetsMatch,
		},
		"all nodes NotReady, even at 100%": {
			limits: policy.BlastRadius{MaxInFlight: 10, MaxUnavailablePercent: 100},
			snap: policy.BlastSnapshot{Scope: policy.Scope{Size: 5, Matched: 5},
				Group: policy.Group{Size: 5, Unavailable: 5, TargetUnavailable: true}},
			want: policy.ReasonAllTargetsMatch,
		},
		"every target in scope matches, though the group has room": {
			limits: policy.BlastRadius{MaxInFlight: 10, MaxUnavailablePercent: 100},
			snap:   policy.BlastSnapshot{Scope: policy.Scope{Size: 5, Matched: 5}, Group: policy.Group{Size: 10}},
			want:   policy.ReasonAllTargetsMatch, message: "5 matched of 5",
		},
		"a scope of one whose target matches": {
			limits: policy.BlastRadius{MaxInFlight: 1, MaxUnavailablePercent: 100},
			snap:   policy.BlastSnapshot{Scope: policy.Scope{Size: 1, Matched: 1}, Group: policy.Group{Size: 1}},
			want:   policy.ReasonAllTargetsMatch,
		},
		"more matched than in scope": {
			limits: limits, snap: policy.BlastSnapshot{Scope: policy.Scope{Size: 3, Matched: 4}, Group: three},
			want: policy.ReasonAllTargetsMatch,
		},
		"all-matching wins over in-flight": {
			limits: limits,
			snap: policy.BlastSnapshot{InFlight: []string{"x", "y", "shop/web-0"},
				Scope: policy.Scope{Size: 3, Matched: 3}, Group: three},
			want: policy.ReasonAllTargetsMatch,
		},
		"all-matching wins over an empty group": {
			limits: limits, snap: policy.BlastSnapshot{Scope: policy.Scope{Size: 3, Matched: 3}},
			want: policy.ReasonAllTargetsMatch,
		},
		"negative unavailable": {
			limits: limits, snap: policy.BlastSnapshot{Scope: scope, Group: policy.Group{Size: 3, Unavailable: -1}},
			want: policy.ReasonInvalidSnapshot,
		},
		"more unavailable than members": {
			limits: limits, snap: policy.BlastSnapshot{Scope: scope, Group: policy.Group{Size: 3, Unavailable: 4}},
			want: policy.ReasonInvalidSnapshot,
		},
		"the target is already in flight": {
			limits: limits, snap: policy.BlastSnapshot{InFlight: []string{"shop/web-0"}, Scope: scope, Group: three},
			want: policy.ReasonTargetInFlight,
		},
		"one in flight of two allowed": {
			limits: limits, snap: policy.BlastSnapshot{InFlight: []string{"shop/api-0"}, Scope: scope, Group: three},
		},
		"in flight reaches MaxInFlight": {
			limits: limits, snap: policy.BlastSnapshot{InFlight: []string{"shop/api-0", "shop/api-1"}, Scope: scope, Group: three},
			want: policy.ReasonMaxInFlight,
		},
		"MaxInFlight 0 allows nothing": {
			limits: policy.BlastRadius{MaxUnavailablePercent: 100},
			snap:   policy.BlastSnapshot{Scope: scope, Group: three},
			want:   policy.ReasonMaxInFlight,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			target := "shop/web-0"
			if tc.target == "-" {
				target = ""
			}
			err := tc.limits.Check(tc.snap, target)
			wantViolation(t, err, tc.want, 0)
			if tc.message != "" && !strings.Contains(err.Error(), tc.message) {
				t.Errorf("message %q, want it to contain %q", err, tc.message)
			}
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
