package observe_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/remediator/metrics"
)

// remediatorEndpoint serves the remediator's real metrics, registered in a
// fresh client_golang registry, the way the remediator exposes them.
func remediatorEndpoint(t *testing.T) (*metrics.Metrics, string) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	return m, srv.URL + "/metrics"
}

func TestScraperReadsTheRemediatorsMetrics(t *testing.T) {
	m, url := remediatorEndpoint(t)
	for range 5 {
		m.Actions.WithLabelValues("restart-crashlooping", "restart", metrics.OutcomeSucceeded).Inc()
	}
	m.Actions.WithLabelValues("restart-crashlooping", "restart", metrics.OutcomeFailed).Inc()
	m.Actions.WithLabelValues("node-loss", "restart", metrics.OutcomeSucceeded).Add(2)
	m.Halted.WithLabelValues("restart-crashlooping", "BudgetExhausted").Set(1)
	m.TriggerToAction.WithLabelValues("restart-crashlooping").Observe(1.5)
	m.TriggerToAction.WithLabelValues("restart-crashlooping").Observe(3)

	s := observe.NewScraper(url)
	tests := map[string]struct {
		name  string
		match map[string]string
		want  float64
	}{
		"succeeded actions of one automation": {
			name:  metrics.ActionsTotal,
			match: map[string]string{"automation": "restart-crashlooping", "outcome": metrics.OutcomeSucceeded},
			want:  5,
		},
		"every action of one automation": {
			name:  metrics.ActionsTotal,
			match: map[string]string{"automation": "restart-crashlooping"},
			want:  6,
		},
		"every succeeded action": {
			name:  metrics.ActionsTotal,
			match: map[string]string{"outcome": metrics.OutcomeSucceeded},
			want:  7,
		},
		"no series matches": {
			name:  metrics.ActionsTotal,
			match: map[string]string{"automation": "bad-deploy"},
			want:  0,
		},
		"an absent label matches the empty value": {
			name:  metrics.ActionsTotal,
			match: map[string]string{"automation": "node-loss", "namespace": ""},
			want:  2,
		},
		"gauge": {
			name:  metrics.Halted,
			match: map[string]string{"automation": "restart-crashlooping"},
			want:  1,
		},
		"histogram count": {
			name: metrics.TriggerToActionSecond + "_count",
			want: 2,
		},
		"histogram sum": {
			name: metrics.TriggerToActionSecond + "_sum",
			want: 4.5,
		},
		"a metric with no series yet is 0": {
			name: metrics.PagesSentTotal,
			want: 0,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := s.Value(t.Context(), tc.name, tc.match)
			if err != nil {
				t.Fatalf("Value: %v", err)
			}
			if got != tc.want {
				t.Errorf("Value(%s, %v) = %v, want %v", tc.name, tc.match, got, tc.want)
			}
		})
	}
}

func TestSnapshot(t *testing.T) {
	m, url := remediatorEndpoint(t)
	m.Actions.WithLabelValues("restart-crashlooping", "restart", metrics.OutcomeSucceeded).Add(3)
	at := time.Date(2026, 9, 14, 3, 5, 0, 0, time.UTC)
	s := &observe.Scraper{URL: url, Now: func() time.Time { return at }}
	snap, err := s.Scrape(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !snap.At.Equal(at) {
		t.Errorf("At = %v, want %v", snap.At, at)
	}
	if v, n := snap.Sum(metrics.ActionsTotal, nil); v != 3 || n != 1 {
		t.Errorf("Sum = %v over %d series, want 3 over 1", v, n)
	}
	if !snap.Has(metrics.ActionsTotal) || snap.Has(metrics.PagesSentTotal) {
		t.Errorf("Has: want %s and not %s", metrics.ActionsTotal, metrics.PagesSentTotal)
	}
	// A vector with no series yet is not exposed at all.
	if _, n := snap.Sum(metrics.BudgetRemaining, nil); n != 0 {
		t.Errorf("budget gauge has %d series, want none", n)
	}
}

func TestScrapeErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	serve := func(status int, contentType, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	tests := map[string]struct {
		url  string
		want string
	}{
		"unreachable": {url: closed.URL, want: "failed to scrape"},
		"server error": {
			url:  serve(http.StatusInternalServerError, "text/plain", "collector failed"),
			want: "500 Internal Server Error: collector failed",
		},
		"not the text format": {
			url:  serve(http.StatusOK, "application/json", "{}"),
			want: `content type "application/json"`,
		},
		"garbage": {
			url:  serve(http.StatusOK, "text/plain; version=0.0.4", "interlock_remediator_actions_total{automation=\"x\" 1\n"),
			want: "failed to parse metrics",
		},
		"bad URL": {url: "://nowhere", want: "failed to build request"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := observe.NewScraper(tc.url).Value(t.Context(), metrics.ActionsTotal, nil)
			if !errors.Is(err, observe.ErrScrape) {
				t.Fatalf("error %v does not wrap ErrScrape", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestCounterIncrease(t *testing.T) {
	tests := map[string]struct {
		readings []float64
		want     float64
	}{
		"no readings":                    {nil, 0},
		"one reading":                    {[]float64{4}, 0},
		"steady growth":                  {[]float64{2, 3, 7}, 5},
		"a restart resets it":            {[]float64{0, 5, 1, 3}, 8},
		"started before the run, flat":   {[]float64{9, 9, 9}, 0},
		"reset to zero and nothing more": {[]float64{5, 0}, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := observe.CounterIncrease(tc.readings); got != tc.want {
				t.Errorf("CounterIncrease(%v) = %v, want %v", tc.readings, got, tc.want)
			}
		})
	}
}
