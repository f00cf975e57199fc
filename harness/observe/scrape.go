package observe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
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

// acceptText asks for the Prometheus text format, which every client
// library serves.
const acceptText = "text/plain;version=0.0.4;q=1.0,*/*;q=0.1"

// ErrScrape is wrapped by every error Scrape returns: the metrics endpoint
// could not be read or parsed, so nothing can be said about its figures.
var ErrScrape = errors.New("metrics endpoint unavailable")

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
	// Families are the metric families by name.
	Families map[string]*dto.MetricFamily
}

// Scrape reads the endpoint once, in the Prometheus text format. Every error
// wraps ErrScrape.
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
	req.Header.Set("Accept", acceptText)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: failed to scrape %s: %w", ErrScrape, s.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("%w: failed to scrape %s: %s: %s", ErrScrape, s.URL, resp.Status, strings.TrimSpace(string(body)))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/plain" {
			return nil, fmt.Errorf("%w: failed to scrape %s: content type %q is not the Prometheus text format", ErrScrape, s.URL, ct)
		}
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(io.LimitReader(resp.Body, maxScrapeBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: failed to parse metrics from %s: %w", ErrScrape, s.URL, err)
	}
	return &Snapshot{At: now(), Families: fams}, nil
}

// Value scrapes the endpoint and returns the sum of metric name over the
// series whose labels include every label in match (see Snapshot.Sum). A
// metric the endpoint does not expose sums to 0: a counter vector with no
// series yet is left out of the exposition. Every error wraps ErrScrape.
func (s *Scraper) Value(ctx context.Context, name string, match map[string]string) (float64, error) {
	snap, err := s.Scrape(ctx)
	if err != nil {
		return 0, err
	}
	v, _ := snap.Sum(name, match)
	return v, nil
}

// Sum adds up metric name over the series whose labels include every label
// in match (a nil match takes every series), and returns the sum and the
// number of series added. Counters, gauges and untyped metrics add their
// values. For a histogram or summary, name itself and name_count add the
// sample counts, and name_sum the sample sums. A metric that is not in the
// snapshot sums to 0 over 0 series.
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
	return float64(m.GetHistogram().GetSampleCount())
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
