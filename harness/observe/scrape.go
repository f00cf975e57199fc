package observe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// DefaultScrapeTimeout bounds one scrape unless the Scraper's Client says
// otherwise.
const DefaultScrapeTimeout = 10 * time.Second

// maxScrapeBytes bounds the body of one scrape.
const maxScrapeBytes = 32 << 20

// acceptHeader lets the endpoint answer in any exposition format Scrape
// reads, preferring the protobuf delimited format (exact, with created
// timestamps and exemplars), then the Prometheus text format, then
// OpenMetrics text; */* last so that an endpoint that serves something else
// still answers, and Scrape can name what it served.
var acceptHeader = strings.Join([]string{
	expfmt.ProtoType + ";proto=" + expfmt.ProtoProtocol + ";encoding=delimited;q=0.6",
	"text/plain;version=" + expfmt.TextVersion + ";q=0.5",
	expfmt.OpenMetricsType + ";version=" + expfmt.OpenMetricsVersion_1_0_0 + ";q=0.4",
	expfmt.OpenMetricsType + ";version=" + expfmt.OpenMetricsVersion_0_0_1 + ";q=0.3",
	"*/*;q=0.1",
}, ",")

// ErrScrape is wrapped by every error Scrape returns: the metrics endpoint
// could not be read or parsed, so nothing can be said about its figures.
var ErrScrape = errors.New("metrics endpoint unavailable")

// ErrAbsent is wrapped by the error Value returns when the endpoint was read
// but exposes no series of the metric with the labels asked for. An absent
// series is not a 0: a counter vector has no series until it is first
// incremented, but an endpoint that never exposes a metric (misspelled,
// renamed, not registered) must not read as "nothing happened".
var ErrAbsent = errors.New("no such series")

// Scraper reads a remediator's Prometheus /metrics endpoint over HTTP.
type Scraper struct {
	// URL is the metrics endpoint, such as "http://127.0.0.1:8080/metrics".
	URL string
	// Client makes the requests. Defaults to a client with a timeout of
	// DefaultScrapeTimeout.
	Client *http.Client
	// Now is the clock that stamps snapshots. Defaults to time.Now.
	Now func() time.Time
}

// NewScraper returns a Scraper for the endpoint at url, with defaults.
func NewScraper(url string) *Scraper { return &Scraper{URL: url} }

// Snapshot is one scrape: every metric family the endpoint exposed, and when.
type Snapshot struct {
	// At is when the scrape completed.
	At time.Time
	// ContentType is the Content-Type the endpoint answered with; empty if
	// it sent none (the body was then read as the Prometheus text format).
	ContentType string
	// Families are the metric families by name, as the Prometheus text and
	// protobuf formats name them: a counter is under the name of its
	// samples (such as "x_actions_total") whatever the format.
	Families map[string]*dto.MetricFamily
}

// exposition is one of the exposition formats Scrape reads.
type exposition int

const (
	expositionText exposition = iota
	expositionProto
	expositionOpenMetrics
)

func (e exposition) String() string {
	switch e {
	case expositionProto:
		return "the protobuf delimited format"
	case expositionOpenMetrics:
		return "OpenMetrics text"
	}
	return "the Prometheus text format"
}

// expositionOf returns the exposition format a response's Content-Type
// names: the Prometheus text format ("text/plain", version 0.0.4 or none),
// the protobuf delimited format ("application/vnd.google.protobuf" of
// io.prometheus.client.MetricFamily) or OpenMetrics text
// ("application/openmetrics-text", version 1.0.0 or 0.0.1). An empty
// Content-Type is the text format.
func expositionOf(contentType string) (exposition, bool) {
	if strings.TrimSpace(contentType) == "" {
		return expositionText, true
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return 0, false
	}
	if mt == expfmt.OpenMetricsType {
		switch params["version"] {
		case expfmt.OpenMetricsVersion_1_0_0, expfmt.OpenMetricsVersion_0_0_1:
			return expositionOpenMetrics, true
		}
		return 0, false
	}
	switch expfmt.ResponseFormat(http.Header{"Content-Type": {contentType}}).FormatType() {
	case expfmt.TypeTextPlain:
		return expositionText, true
	case expfmt.TypeProtoDelim:
		return expositionProto, true
	}
	return 0, false
}

// Scrape reads the endpoint once. It asks for any exposition format that
// client_golang's promhttp serves and decodes the answer by its
// Content-Type: the Prometheus text format (text/plain; version=0.0.4, or
// no Content-Type at all), the protobuf delimited format, or OpenMetrics
// text 1.0.0 or 0.0.1 (converted as described at decodeOpenMetrics). Any
// other Content-Type is an error that names it. Every error wraps ErrScrape.
func (s *Scraper) Scrape(ctx context.Context) (*Snapshot, error) {
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: DefaultScrapeTimeout}
	}
	now := s.Now
	if now == nil {
		now = time.Now
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: failed to build request for %s: %w", ErrScrape, s.URL, err)
	}
	req.Header.Set("Accept", acceptHeader)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: failed to scrape %s: %w", ErrScrape, s.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("%w: failed to scrape %s: %s: %s", ErrScrape, s.URL, resp.Status, strings.TrimSpace(string(body)))
	}
	ct := resp.Header.Get("Content-Type")
	format, ok := expositionOf(ct)
	if !ok {
		return nil, fmt.Errorf("%w: failed to scrape %s: content type %q is not an exposition format it reads "+
			"(the Prometheus text format 0.0.4, the protobuf delimited format, OpenMetrics text 1.0.0 or 0.0.1)",
			ErrScrape, s.URL, ct)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxScrapeBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: failed to read metrics from %s: %w", ErrScrape, s.URL, err)
	}
	if len(body) > maxScrapeBytes {
		return nil, fmt.Errorf("%w: failed to read metrics from %s: the body is larger than %d MiB", ErrScrape, s.URL, maxScrapeBytes>>20)
	}
	fams, err := decode(format, body)
	if err != nil {
		return nil, fmt.Errorf("%w: failed to parse metrics from %s as %s: %w", ErrScrape, s.URL, format, err)
	}
	return &Snapshot{At: now(), ContentType: ct, Families: fams}, nil
}

// decode reads body in format into metric families by name. Metric and
// label names are checked as UTF-8, which admits every legacy name.
func decode(format exposition, body []byte) (map[string]*dto.MetricFamily, error) {
	if format == expositionOpenMetrics {
		return decodeOpenMetrics(body)
	}
	f := expfmt.NewFormat(expfmt.TypeTextPlain)
	if format == expositionProto {
		f = expfmt.NewFormat(expfmt.TypeProtoDelim)
	}
	dec := expfmt.NewDecoder(bytes.NewReader(body), f.WithEscapingScheme(model.NoEscaping))
	fams := map[string]*dto.MetricFamily{}
	for {
		mf := &dto.MetricFamily{}
		err := dec.Decode(mf)
		if errors.Is(err, io.EOF) {
			return fams, nil
		}
		if err != nil {
			return nil, err
		}
		if _, dup := fams[mf.GetName()]; dup {
			return nil, fmt.Errorf("metric family %q is exposed twice", mf.GetName())
		}
		fams[mf.GetName()] = mf
	}
}

// Value scrapes the endpoint and returns the sum of metric name over the
// series whose labels include every label in match (see Snapshot.Sum). If
// no series matches, the error wraps ErrAbsent: callers must treat that as
// a failure, never as 0 (a counter vector with no series yet is left out
// of the exposition, but so is a metric the endpoint does not have). Every
// other error wraps ErrScrape.
func (s *Scraper) Value(ctx context.Context, name string, match map[string]string) (float64, error) {
	snap, err := s.Scrape(ctx)
	if err != nil {
		return 0, err
	}
	v, n := snap.Sum(name, match)
	if n == 0 {
		return 0, fmt.Errorf("%w: %s has no series %s%s", ErrAbsent, s.URL, name, selector(match))
	}
	return v, nil
}

// selector formats match as a PromQL label selector, such as
// {automation="storm",outcome="succeeded"}; empty for no labels.
func selector(match map[string]string) string {
	if len(match) == 0 {
		return ""
	}
	names := make([]string, 0, len(match))
	for k := range match {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s=%q", k, match[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// Sum adds up metric name over the series whose labels include every label
// in match (a nil match takes every series), and returns the sum and the
// number of series added. Counters, gauges and untyped metrics add their
// values. For a histogram or summary, name itself and name_count add the
// sample counts, and name_sum the sample sums. A metric that is not in the
// snapshot, or none of whose series matches, sums to 0 over 0 series: n == 0
// means absent, which is not the same as a series whose value is 0.
func (s *Snapshot) Sum(name string, match map[string]string) (float64, int) {
	fam, pick := s.family(name)
	if fam == nil {
		return 0, 0
	}
	var sum float64
	n := 0
	for _, m := range fam.GetMetric() {
		if !hasLabels(m, match) {
			continue
		}
		sum += pick(fam.GetType(), m)
		n++
	}
	return sum, n
}

// Has reports whether the snapshot holds metric name (see Sum for the names
// of histogram and summary parts).
func (s *Snapshot) Has(name string) bool {
	fam, _ := s.family(name)
	return fam != nil
}

type picker func(dto.MetricType, *dto.Metric) float64

func (s *Snapshot) family(name string) (*dto.MetricFamily, picker) {
	if s == nil {
		return nil, nil
	}
	if fam, ok := s.Families[name]; ok {
		return fam, value
	}
	for suffix, pick := range map[string]picker{"_count": sampleCount, "_sum": sampleSum} {
		base, ok := strings.CutSuffix(name, suffix)
		if !ok {
			continue
		}
		if fam, ok := s.Families[base]; ok && isDistribution(fam.GetType()) {
			return fam, pick
		}
	}
	return nil, nil
}

func isDistribution(t dto.MetricType) bool {
	switch t {
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM, dto.MetricType_SUMMARY:
		return true
	}
	return false
}

func value(t dto.MetricType, m *dto.Metric) float64 {
	switch t {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	case dto.MetricType_UNTYPED:
		return m.GetUntyped().GetValue()
	}
	return sampleCount(t, m)
}

func sampleCount(t dto.MetricType, m *dto.Metric) float64 {
	if t == dto.MetricType_SUMMARY {
		return float64(m.GetSummary().GetSampleCount())
	}
	h := m.GetHistogram()
	if f := h.GetSampleCountFloat(); f > 0 {
		return f // a float histogram's count, which overrides sample_count
	}
	return float64(h.GetSampleCount())
}

func sampleSum(t dto.MetricType, m *dto.Metric) float64 {
	if t == dto.MetricType_SUMMARY {
		return m.GetSummary().GetSampleSum()
	}
	return m.GetHistogram().GetSampleSum()
}

// hasLabels reports whether m carries every label in match. A label the
// series lacks has the empty value, as in PromQL.
func hasLabels(m *dto.Metric, match map[string]string) bool {
	for name, want := range match {
		got := ""
		for _, l := range m.GetLabel() {
			if l.GetName() == name {
				got = l.GetValue()
				break
			}
		}
		if got != want {
			return false
		}
	}
	return true
}

// CounterIncrease is how much a counter grew over a series of readings taken
// in order, allowing for resets: a reading below the one before means the
// process restarted and counted again from zero, so it adds its whole value.
// This is how the counter of a remediator that restarted mid-run is compared
// with the ledger. Fewer than two readings give 0. A reset that counts past
// the reading before it between two readings cannot be seen, so scrape more
// often than the remediator can restart and act again.
func CounterIncrease(readings []float64) float64 {
	var inc float64
	for i := 1; i < len(readings); i++ {
		prev, cur := readings[i-1], readings[i]
		if cur >= prev {
			inc += cur - prev
		} else {
			inc += cur
		}
	}
	return inc
}
