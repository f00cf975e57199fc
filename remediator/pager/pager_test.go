package pager_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/pages"
	"github.com/interlock-dev/interlock/remediator/pager"
)

func TestPageReachesReceiver(t *testing.T) {
	rcv, err := pages.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rcv.Close()
	am := &pager.Alertmanager{URL: rcv.URL()}
	start := time.Now()
	err = am.Page(t.Context(), pager.Alert{
		Labels:      map[string]string{"alertname": "InterlockRemediatorBudgetExhausted", "automation": "restart"},
		Annotations: map[string]string{"summary": "budget exhausted"},
		StartsAt:    start,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	p, err := rcv.WaitFor(ctx, func(p pages.Page) bool { return p.Labels["automation"] == "restart" })
	if err != nil {
		t.Fatal(err)
	}
	if p.Labels["alertname"] != "InterlockRemediatorBudgetExhausted" || p.Annotations["summary"] != "budget exhausted" {
		t.Errorf("page = %+v", p)
	}
	if p.StartsAt.Sub(start).Abs() > time.Millisecond {
		t.Errorf("startsAt = %s, want %s", p.StartsAt, start)
	}
}

func TestPageRetries(t *testing.T) {
	cases := map[string]struct {
		codes     []int
		wantCalls int32
		wantErr   string
	}{
		"5xx then ok":        {codes: []int{503, 200}, wantCalls: 2},
		"4xx is permanent":   {codes: []int{400, 200}, wantCalls: 1, wantErr: "receiver answered 400"},
		"gives up after 3":   {codes: []int{500, 500, 500, 200}, wantCalls: 3, wantErr: "receiver answered 500"},
		"first time success": {codes: []int{200}, wantCalls: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				w.WriteHeader(tc.codes[n-1])
			}))
			defer srv.Close()
			am := &pager.Alertmanager{URL: srv.URL, Backoff: time.Millisecond}
			err := am.Page(t.Context(), pager.Alert{Labels: map[string]string{"alertname": "x"}})
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("calls = %d, want %d", got, tc.wantCalls)
			}
			if tc.wantErr == "" && err != nil {
				t.Errorf("unexpected error %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestPageWithoutURL(t *testing.T) {
	if err := (&pager.Alertmanager{}).Page(t.Context()); err == nil {
		t.Fatal("paging with no URL did not fail")
	}
}
