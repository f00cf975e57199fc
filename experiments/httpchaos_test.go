package experiments_test

import (
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/experiments"
)

func TestClassifyHTTP(t *testing.T) {
	tests := map[string]struct {
		pattern *string
		probed  bool
		want    experiments.HTTPRead
	}{
		"no readiness probe: blind":             {pattern: ptr.To("/healthz"), want: experiments.HTTPBlind},
		"every path: outage":                    {probed: true, want: experiments.HTTPOutage},
		"empty path: outage":                    {pattern: ptr.To(""), probed: true, want: experiments.HTTPOutage},
		"the health path: readiness lie":        {pattern: ptr.To("/healthz/"), probed: true, want: experiments.HTTPReadinessLie},
		"a serving path: blind":                 {pattern: ptr.To("/api"), probed: true, want: experiments.HTTPBlind},
		"a pattern covering the health path":    {pattern: ptr.To("/*"), probed: true, want: experiments.HTTPOutage},
		"a pattern leaving out the health path": {pattern: ptr.To("/api/*"), probed: true, want: experiments.HTTPBlind},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := experiments.ClassifyHTTP(tc.pattern, "/healthz", tc.probed); got != tc.want {
				t.Errorf("ClassifyHTTP() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHTTPReadMark(t *testing.T) {
	tests := map[experiments.HTTPRead]struct {
		truly, looks bool
		says         string
	}{
		experiments.HTTPReadinessLie: {looks: true, says: "HTTP abort on the health path /healthz of pod(s) web-0 in shop: readiness fails"},
		experiments.HTTPBlind:        {truly: true, says: "HTTP abort on path /api of pod(s) web-0 in shop: the workload fails"},
		experiments.HTTPOutage:       {truly: true, looks: true, says: "HTTP abort on path /api of pod(s) web-0 in shop: every request fails"},
	}
	for r, tc := range tests {
		var eff experiments.Effect
		r.Mark(&eff, "abort", ptr.To("/api"), "/healthz", "pod(s) web-0 in shop")
		if eff.TrulyBroken != tc.truly || eff.LooksBroken != tc.looks {
			t.Errorf("%v: truly, looks broken = %t, %t, want %t, %t", r, eff.TrulyBroken, eff.LooksBroken, tc.truly, tc.looks)
		}
		if !strings.HasPrefix(eff.Description, tc.says) {
			t.Errorf("%v: description %q does not start %q", r, eff.Description, tc.says)
		}
	}
	var eff experiments.Effect
	experiments.HTTPOutage.Mark(&eff, "status 503", nil, "/healthz", "pod(s) web-0 in shop")
	if !strings.Contains(eff.Description, "on every path") {
		t.Errorf("description %q does not say every path", eff.Description)
	}
}
