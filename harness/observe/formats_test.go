package observe_test

import (
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/interlock-dev/interlock/harness/observe"
)

// registryEndpoints serves one client_golang registry (a counter vector, a
// counter without _total, a gauge vector with labels and a histogram, with
// exemplars and created timestamps) through promhttp with OpenMetrics on,
// once for each format, each server forcing the format by rewriting the
// request's Accept header before promhttp negotiates. "negotiated" leaves
// the Scraper's own Accept header alone.
func registryEndpoints(t *testing.T) map[string]string {
	t.Helper()
	reg := prometheus.NewRegistry()
	actions := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "test_actions_total", Help: "Actions taken, by \"automation\" \\ outcome."},
		[]string{"automation", "outcome"})
	restarts := prometheus.NewCounter(prometheus.CounterOpts{Name: "test_restarts", Help: "A counter named without _total."})
	budget := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "test_budget_remaining", Help: "Budget left."}, []string{"automation", "window"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "test_latency_seconds", Help: "Latency.", Buckets: []float64{1, 2.5, 5}},
		[]string{"automation"})
	reg.MustRegister(actions, restarts, budget, latency)

	actions.WithLabelValues("storm", "succeeded").Add(4)
	actions.WithLabelValues("storm", "succeeded").(prometheus.ExemplarAdder).AddWithExemplar(1, prometheus.Labels{"trace_id": "4bf92f35"})
	actions.WithLabelValues("storm", "failed").Inc()
	actions.WithLabelValues("node-loss", "succeeded").Add(2)
	restarts.Add(2)
	budget.WithLabelValues("storm", "10m").Set(3)
	budget.WithLabelValues("storm", `1h # {"odd"} \ value`).Set(-1)
	budget.WithLabelValues("node-loss", "10m").Set(0)
	latency.WithLabelValues("storm").Observe(0.5)
	latency.WithLabelValues("storm").(prometheus.ExemplarObserver).ObserveWithExemplar(1.5, prometheus.Labels{"trace_id": "00f067aa"})
	latency.WithLabelValues("node-loss").Observe(4)

	handler := promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true, EnableOpenMetricsTextCreatedSamples: true})
	accepts := map[string]string{
		"text":              "text/plain;version=0.0.4",
		"protobuf":          "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
		"OpenMetrics 1.0.0": "application/openmetrics-text;version=1.0.0",
		"OpenMetrics 0.0.1": "application/openmetrics-text;version=0.0.1",
		"negotiated":        "",
	}
	urls := map[string]string{}
	for format, accept := range accepts {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if accept != "" {
				r.Header.Set("Accept", accept)
			}
			handler.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		urls[format] = srv.URL + "/metrics"
	}
	return urls
}

// servedContentTypes are the content types each endpoint of
// registryEndpoints serves, by format, up to their charset.
var servedContentTypes = map[string]string{
	"text":              "text/plain; version=0.0.4",
	"protobuf":          "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
	"OpenMetrics 1.0.0": "application/openmetrics-text; version=1.0.0",
	"OpenMetrics 0.0.1": "application/openmetrics-text; version=0.0.1",
	"negotiated":        "application/vnd.google.protobuf;",
}

// query is a family and the labels its series must match.
type query struct {
	name  string
	match map[string]string
}

// everyFormatSums are the sums TestScrapeEveryFormat takes of the registry
// of registryEndpoints, the same in every format, by test name.
var everyFormatSums = map[string]struct {
	query
	want  float64
	wantN int
}{
	"every action":                                {query{"test_actions_total", nil}, 8, 3},
	"succeeded actions of one":                    {query{"test_actions_total", map[string]string{"automation": "storm", "outcome": "succeeded"}}, 5, 1},
	"every action of one":                         {query{"test_actions_total", map[string]string{"automation": "storm"}}, 6, 2},
	"a counter named without _total":              {query{"test_restarts", nil}, 2, 1},
	"a gauge by both labels":                      {query{"test_budget_remaining", map[string]string{"automation": "storm", "window": "10m"}}, 3, 1},
	"a gauge label value with # {":                {query{"test_budget_remaining", map[string]string{"window": `1h # {"odd"} \ value`}}, -1, 1},
	"a gauge at 0 is present":                     {query{"test_budget_remaining", map[string]string{"automation": "node-loss"}}, 0, 1},
	"every gauge":                                 {query{"test_budget_remaining", nil}, 2, 3},
	"histogram by its name":                       {query{"test_latency_seconds", nil}, 3, 2},
	"histogram count of one":                      {query{"test_latency_seconds_count", map[string]string{"automation": "storm"}}, 2, 1},
	"histogram sum":                               {query{"test_latency_seconds_sum", nil}, 6, 2},
	"absent":                                      {query{"test_actions_total", map[string]string{"automation": "bad-deploy"}}, 0, 0},
	"the OpenMetrics family name is not a family": {query{"test_actions", nil}, 0, 0},
	"created samples are not series":              {query{"test_actions_created", nil}, 0, 0},
}

// scrapeEveryFormat scrapes each endpoint of urls once and checks that it
// served its format; it returns the snapshots by format.
func scrapeEveryFormat(t *testing.T, urls map[string]string) map[string]*observe.Snapshot {
	t.Helper()
	snaps := map[string]*observe.Snapshot{}
	for format, url := range urls {
		snap, err := observe.NewScraper(url).Scrape(t.Context())
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if !strings.HasPrefix(snap.ContentType, servedContentTypes[format]) {
			t.Fatalf("%s: served %q, want %s", format, snap.ContentType, servedContentTypes[format])
		}
		snaps[format] = snap
	}
	return snaps
}

func TestScrapeEveryFormat(t *testing.T) {
	snaps := scrapeEveryFormat(t, registryEndpoints(t))
	for name, tc := range everyFormatSums {
		t.Run(name, func(t *testing.T) {
			for format, snap := range snaps {
				if got, n := snap.Sum(tc.name, tc.match); got != tc.want || n != tc.wantN {
					t.Errorf("%s: Sum(%s, %v) = %v over %d series, want %v over %d", format, tc.name, tc.match, got, n, tc.want, tc.wantN)
				}
			}
		})
	}
	t.Run("the same families in every format", func(t *testing.T) {
		want := slices.Sorted(maps.Keys(snaps["protobuf"].Families))
		for format, snap := range snaps {
			if got := slices.Sorted(maps.Keys(snap.Families)); !slices.Equal(got, want) {
				t.Errorf("%s: families %v, want %v", format, got, want)
			}
		}
	})
	t.Run("OpenMetrics keeps what the protobuf format has", func(t *testing.T) {
		openMetricsKeepsExtras(t, snaps)
	})
}

// openMetricsKeepsExtras checks that the OpenMetrics snapshots hold the
// created timestamps and exemplars the protobuf snapshot has.
func openMetricsKeepsExtras(t *testing.T, snaps map[string]*observe.Snapshot) {
	want := extras(snaps["protobuf"])
	// client_golang types a counter named without _total unknown in
	// OpenMetrics: its value is there, its created timestamp is not.
	delete(want, "test_restarts[] created")
	if len(want) != 7 {
		t.Fatalf("protobuf extras = %v, want created timestamps for 5 series and 2 exemplars", want)
	}
	for _, format := range []string{"OpenMetrics 1.0.0", "OpenMetrics 0.0.1"} {
		got := extras(snaps[format])
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", format, got, want)
			continue
		}
		for k, w := range want {
			// OpenMetrics writes seconds as a float: microseconds survive.
			if g, ok := got[k]; !ok || math.Abs(g-w) > 1e-6 {
				t.Errorf("%s: %s = %v, want %v", format, k, g, w)
			}
		}
	}
}

// A hand-written OpenMetrics exposition with what client_golang never
// writes: units, timestamps, info, stateset, gauge histogram, summary and a
// family with no metadata.
const openMetricsBody = `# HELP jobs Jobs \"run\".
# TYPE jobs counter
jobs_total{queue="a"} 3 1700000000.5
jobs_created{queue="a"} 1699999000.25
jobs_total{queue="b \"x\" # {y}"} 4.0 # {trace_id="t1"} 1.0 1700000000.0
# TYPE temp_celsius gauge
# UNIT temp_celsius celsius
temp_celsius 21.5
# TYPE build info
build_info{version="1.2"} 1
# TYPE feature stateset
feature{feature="a"} 1
feature{feature="b"} 0
# TYPE queue_depth gaugehistogram
queue_depth_bucket{le="1.0"} 2
queue_depth_bucket{le="+Inf"} 5 # {id="q"} 3.5
queue_depth_gcount 5
queue_depth_gsum 9.0
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.5"} 0.2
rpc_seconds_sum 4.0
rpc_seconds_count 10
rpc_seconds_created 1699999000
implicit_metric 7
# EOF
`

func TestScrapeOpenMetrics(t *testing.T) {
	snap, err := observe.NewScraper(serve(t, http.StatusOK, ctOpenMetrics, openMetricsBody)).Scrape(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	fam := func(name string) *dto.MetricFamily {
		f := snap.Families[name]
		if f == nil {
			t.Fatalf("no family %s in %v", name, slices.Sorted(maps.Keys(snap.Families)))
		}
		return f
	}
	tests := map[string]struct {
		name     string
		match    map[string]string
		want     float64
		wantN    int
		wantType dto.MetricType
	}{
		"counter":                       {name: "jobs_total", want: 7, wantN: 2, wantType: dto.MetricType_COUNTER},
		"counter, label with # {":       {name: "jobs_total", match: map[string]string{"queue": `b "x" # {y}`}, want: 4, wantN: 1, wantType: dto.MetricType_COUNTER},
		"gauge with a unit":             {name: "temp_celsius", want: 21.5, wantN: 1, wantType: dto.MetricType_GAUGE},
		"info":                          {name: "build_info", match: map[string]string{"version": "1.2"}, want: 1, wantN: 1, wantType: dto.MetricType_GAUGE},
		"stateset":                      {name: "feature", want: 1, wantN: 2, wantType: dto.MetricType_GAUGE},
		"gauge histogram count":         {name: "queue_depth_count", want: 5, wantN: 1, wantType: dto.MetricType_GAUGE_HISTOGRAM},
		"gauge histogram sum":           {name: "queue_depth_sum", want: 9, wantN: 1, wantType: dto.MetricType_GAUGE_HISTOGRAM},
		"summary count":                 {name: "rpc_seconds_count", want: 10, wantN: 1, wantType: dto.MetricType_SUMMARY},
		"a family with no metadata":     {name: "implicit_metric", want: 7, wantN: 1, wantType: dto.MetricType_UNTYPED},
		"the counter's exposition name": {name: "jobs", wantN: 0},
		"created samples":               {name: "jobs_created", wantN: 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got, n := snap.Sum(tc.name, tc.match); got != tc.want || n != tc.wantN {
				t.Errorf("Sum(%s, %v) = %v over %d series, want %v over %d", tc.name, tc.match, got, n, tc.want, tc.wantN)
			}
			if tc.wantN == 0 {
				return
			}
			base, _ := strings.CutSuffix(strings.TrimSuffix(tc.name, "_count"), "_sum")
			if got := fam(base).GetType(); got != tc.wantType {
				t.Errorf("type of %s = %v, want %v", base, got, tc.wantType)
			}
		})
	}
	t.Run("what the text format cannot carry", func(t *testing.T) {
		jobs := fam("jobs_total")
		if jobs.GetHelp() != `Jobs "run".` {
			t.Errorf("help = %q", jobs.GetHelp())
		}
		a, b := jobs.GetMetric()[0], jobs.GetMetric()[1]
		if a.GetLabel()[0].GetValue() != "a" {
			a, b = b, a
		}
		if got := a.GetTimestampMs(); got != 1700000000500 {
			t.Errorf("timestamp = %d ms, want 1700000000500", got)
		}
		if got := a.GetCounter().GetCreatedTimestamp().AsTime(); !got.Equal(time.Unix(1699999000, 250e6)) {
			t.Errorf("created = %v, want 1699999000.25", got)
		}
		if ex := b.GetCounter().GetExemplar(); ex.GetValue() != 1 || ex.GetLabel()[0].GetValue() != "t1" || ex.GetTimestamp().GetSeconds() != 1700000000 {
			t.Errorf("exemplar = %v, want trace_id t1, 1 at 1700000000", ex)
		}
		if got := fam("temp_celsius").GetUnit(); got != "celsius" {
			t.Errorf("unit = %q, want celsius", got)
		}
		buckets := fam("queue_depth").GetMetric()[0].GetHistogram().GetBucket()
		if len(buckets) != 2 || buckets[1].GetExemplar().GetValue() != 3.5 {
			t.Errorf("buckets = %v, want the +Inf one with an exemplar of 3.5", buckets)
		}
		if got := fam("rpc_seconds").GetMetric()[0].GetSummary().GetCreatedTimestamp().GetSeconds(); got != 1699999000 {
			t.Errorf("summary created = %d, want 1699999000", got)
		}
	})
}

// extras lists the created timestamps (in seconds) and exemplar values of a
// snapshot's counters and histograms, by family, labels and what.
func extras(snap *observe.Snapshot) map[string]float64 {
	seconds := func(ts interface{ AsTime() time.Time }) float64 {
		return float64(ts.AsTime().UnixNano()) / 1e9
	}
	out := map[string]float64{}
	for name, fam := range snap.Families {
		for _, m := range fam.GetMetric() {
			key := name + fmt.Sprint(m.GetLabel())
			if c := m.GetCounter(); c != nil {
				if c.CreatedTimestamp != nil {
					out[key+" created"] = seconds(c.CreatedTimestamp)
				}
				if c.Exemplar != nil {
					out[key+" exemplar "+fmt.Sprint(c.Exemplar.GetLabel())] = c.Exemplar.GetValue()
				}
			}
			if h := m.GetHistogram(); h != nil {
				if h.CreatedTimestamp != nil {
					out[key+" created"] = seconds(h.CreatedTimestamp)
				}
				for _, b := range h.GetBucket() {
					if b.Exemplar != nil {
						out[fmt.Sprintf("%s le=%v exemplar %v", key, b.GetUpperBound(), b.Exemplar.GetLabel())] = b.Exemplar.GetValue()
					}
				}
			}
		}
	}
	return out
}
