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

	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/internal/testutil"
)

// contractMetrics are the contract's metrics as any remediator might serve
// them with client_golang, labelled as the contract says.
type contractMetrics struct {
	Actions         *prometheus.CounterVec
	Halted          *prometheus.GaugeVec
	TriggerToAction *prometheus.HistogramVec
}

// remediatorEndpoint serves the contract's metrics, registered in a fresh
// client_golang registry, the way a remediator exposes them.
func remediatorEndpoint(t *testing.T) (*contractMetrics, string) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m := &contractMetrics{
		Actions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: contract.MetricActionsTotal, Help: "actions"},
			[]string{contract.LabelAutomation, contract.LabelClass, contract.LabelOutcome}),
		Halted: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: contract.MetricHalted, Help: "halted"},
			[]string{contract.LabelAutomation, contract.LabelReason}),
		TriggerToAction: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: contract.MetricTriggerToActionSeconds, Help: "latency",
			Buckets: []float64{0.5, 1, 2, 5}}, []string{contract.LabelAutomation}),
	}
	reg.MustRegister(m.Actions, m.Halted, m.TriggerToAction)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	return m, srv.URL + "/metrics"
}

// valueTests are the queries TestScraperReadsTheRemediatorsMetrics makes of
// the contract's metrics, by test name.
var valueTests = map[string]struct {
	name    string
	match   map[string]string
	want    float64
	wantErr error
}{
	"succeeded actions of one automation": {
		name:  contract.MetricActionsTotal,
		match: map[string]string{"automation": "restart-crashlooping", "outcome": contract.OutcomeSucceeded},
		want:  5,
	},
	"every action of one automation": {
		name:  contract.MetricActionsTotal,
		match: map[string]string{"automation": "restart-crashlooping"},
		want:  6,
	},
	"every succeeded action": {
		name:  contract.MetricActionsTotal,
		match: map[string]string{"outcome": contract.OutcomeSucceeded},
		want:  7,
	},
	"no series matches: absent, not 0": {
		name:    contract.MetricActionsTotal,
		match:   map[string]string{"automation": "bad-deploy"},
		wantErr: observe.ErrAbsent,
	},
	"an absent label matches the empty value": {
		name:  contract.MetricActionsTotal,
		match: map[string]string{"automation": "node-loss", "namespace": ""},
		want:  2,
	},
	"gauge": {
		name:  contract.MetricHalted,
		match: map[string]string{"automation": "restart-crashlooping"},
		want:  1,
	},
	"histogram count": {
		name: contract.MetricTriggerToActionSeconds + "_count",
		want: 2,
	},
	"histogram sum": {
		name: contract.MetricTriggerToActionSeconds + "_sum",
		want: 4.5,
	},
	"a metric with no series yet is absent, not 0": {
		name:    contract.MetricPagesSentTotal,
		wantErr: observe.ErrAbsent,
	},
	"a metric the endpoint does not have is absent": {
		name:    "interlock_remediator_actoins_total",
		wantErr: observe.ErrAbsent,
	},
}

func TestScraperReadsTheRemediatorsMetrics(t *testing.T) {
	m, url := remediatorEndpoint(t)
	for range 5 {
		m.Actions.WithLabelValues("restart-crashlooping", "restart", contract.OutcomeSucceeded).Inc()
	}
	m.Actions.WithLabelValues("restart-crashlooping", "restart", contract.OutcomeFailed).Inc()
	m.Actions.WithLabelValues("node-loss", "restart", contract.OutcomeSucceeded).Add(2)
	m.Halted.WithLabelValues("restart-crashlooping", "BudgetExhausted").Set(1)
	m.TriggerToAction.WithLabelValues("restart-crashlooping").Observe(1.5)
	m.TriggerToAction.WithLabelValues("restart-crashlooping").Observe(3)

	s := observe.NewScraper(url)
	for name, tc := range valueTests {
		t.Run(name, func(t *testing.T) {
			got, err := s.Value(t.Context(), tc.name, tc.match)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || errors.Is(err, observe.ErrScrape) {
					t.Fatalf("Value(%s, %v) = %v, %v; want an error wrapping %v and not ErrScrape", tc.name, tc.match, got, err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.name) {
					t.Errorf("error %q does not name %s", err, tc.name)
				}
				return
			}
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
	m.Actions.WithLabelValues("restart-crashlooping", "restart", contract.OutcomeSucceeded).Add(3)
	at := testutil.At(300)
	s := &observe.Scraper{URL: url, Now: func() time.Time { return at }}
	snap, err := s.Scrape(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !snap.At.Equal(at) {
		t.Errorf("At = %v, want %v", snap.At, at)
	}
	if v, n := snap.Sum(contract.MetricActionsTotal, nil); v != 3 || n != 1 {
		t.Errorf("Sum = %v over %d series, want 3 over 1", v, n)
	}
	if !snap.Has(contract.MetricActionsTotal) || snap.Has(contract.MetricPagesSentTotal) {
		t.Errorf("Has: want %s and not %s", contract.MetricActionsTotal, contract.MetricPagesSentTotal)
	}
	// A vector with no series yet is not exposed at all.
	if _, n := snap.Sum(contract.MetricBudgetRemaining, nil); n != 0 {
		t.Errorf("budget gauge has %d series, want none", n)
	}
}

// serve answers every request with status, contentType (none at all if
// empty) and body, and returns its URL.
func serve(t *testing.T, status int, contentType, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if contentType == "" {
			w.Header()["Content-Type"] = nil // no header, and no sniffing either
		} else {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

const (
	ctText        = "text/plain; version=0.0.4; charset=utf-8"
	ctProto       = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
	ctOpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8"
)

// closedServer returns the URL of a server that is no longer there.
func closedServer(*testing.T) string {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	return closed.URL
}

// scrapeErrorTests are the endpoints a scrape fails on, by test name: url
// serves one, and the error must contain want.
var scrapeErrorTests = map[string]struct {
	url  func(t *testing.T) string
	want string
}{
	"unreachable": {
		url:  closedServer,
		want: "failed to scrape",
	},
	"bad URL": {
		url:  func(*testing.T) string { return "://nowhere" },
		want: "failed to build request",
	},
	"server error": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusInternalServerError, "text/plain", "collector failed")
		},
		want: "500 Internal Server Error: collector failed",
	},
	"content type: JSON": {
		url:  func(t *testing.T) string { return serve(t, http.StatusOK, "application/json", "{}") },
		want: `content type "application/json" is not an exposition format`,
	},
	"content type: HTML": {
		url:  func(t *testing.T) string { return serve(t, http.StatusOK, "text/html; charset=utf-8", "<html></html>") },
		want: `content type "text/html; charset=utf-8"`,
	},
	"content type: OpenMetrics 2.0.0": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, "application/openmetrics-text; version=2.0.0; charset=utf-8", "# EOF\n")
		},
		want: `content type "application/openmetrics-text; version=2.0.0; charset=utf-8"`,
	},
	"content type: OpenMetrics without a version": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, "application/openmetrics-text", "# EOF\n")
		},
		want: `content type "application/openmetrics-text"`,
	},
	"content type: text format of another version": {
		url:  func(t *testing.T) string { return serve(t, http.StatusOK, "text/plain; version=2.0.0", "x 1\n") },
		want: `content type "text/plain; version=2.0.0"`,
	},
	"content type: protobuf text encoding": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text", "")
		},
		want: "encoding=text",
	},
	"content type: unparseable": {
		url:  func(t *testing.T) string { return serve(t, http.StatusOK, "text/plain; version", "x 1\n") },
		want: `content type "text/plain; version"`,
	},
	"broken body: text format": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, ctText, "interlock_remediator_actions_total{automation=\"x\" 1\n")
		},
		want: "as the Prometheus text format: text format parsing error in line 1",
	},
	"broken body: protobuf": {
		url:  func(t *testing.T) string { return serve(t, http.StatusOK, ctProto, "\x7f\x0a\x03abc") },
		want: "as the protobuf delimited format",
	},
	"broken body: OpenMetrics cut short": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, ctOpenMetrics, "# TYPE x counter\nx_total 1\n")
		},
		want: "no # EOF at the end: the exposition was cut short",
	},
	"broken body: OpenMetrics after # EOF": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, ctOpenMetrics, "# TYPE x counter\nx_total 1\n# EOF\nx_total 2\n")
		},
		want: `line 4: "x_total 2" after # EOF`,
	},
	"broken body: OpenMetrics counter sample without _total": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, ctOpenMetrics, "# TYPE x counter\nx 1\n# EOF\n")
		},
		want: "line 2: sample x does not belong to the counter family x",
	},
	"broken body: OpenMetrics family split in two": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, ctOpenMetrics, "# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a=\"b\"} 2\n# EOF\n")
		},
		want: "line 5: metric family x appears in two places",
	},
	"broken body: OpenMetrics exemplar": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, ctOpenMetrics, "# TYPE x counter\nx_total 1 # {trace_id=\"a} 1\n# EOF\n")
		},
		want: "line 2: x_total: exemplar: label trace_id: unterminated value",
	},
	"broken body: OpenMetrics value": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, ctOpenMetrics, "# HELP x X.\n# TYPE x gauge\nx one\n# EOF\n")
		},
		want: `line 3: expected float as value, got "one"`,
	},
	"broken body: OpenMetrics type": {
		url: func(t *testing.T) string {
			return serve(t, http.StatusOK, ctOpenMetrics, "# TYPE x meter\nx 1\n# EOF\n")
		},
		want: `line 1: unknown metric type "meter" for x`,
	},
}

func TestScrapeErrors(t *testing.T) {
	for name, tc := range scrapeErrorTests {
		t.Run(name, func(t *testing.T) {
			_, err := observe.NewScraper(tc.url(t)).Value(t.Context(), contract.MetricActionsTotal, nil)
			if !errors.Is(err, observe.ErrScrape) {
				t.Fatalf("error %v does not wrap ErrScrape", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestScrapeWithoutContentTypeReadsText(t *testing.T) {
	url := serve(t, http.StatusOK, "", "# TYPE x_total counter\nx_total{a=\"b\"} 4\n")
	snap, err := observe.NewScraper(url).Scrape(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if snap.ContentType != "" {
		t.Fatalf("ContentType = %q; the test server should have sent none", snap.ContentType)
	}
	if v, n := snap.Sum("x_total", map[string]string{"a": "b"}); v != 4 || n != 1 {
		t.Errorf("Sum = %v over %d series, want 4 over 1", v, n)
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
