package observe

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"
)

// decodeOpenMetrics reads an OpenMetrics text exposition (version 1.0.0 or
// 0.0.1) into metric families named and typed as the Prometheus text and
// protobuf formats name them, so that a snapshot sums the same whichever
// format the endpoint chose.
//
// expfmt cannot decode OpenMetrics faithfully: it reads a counter's
// NAME_total samples as an untyped family apart from the counter NAME, its
// NAME_created samples as series of their own, and fails on exemplars. So
// the exposition is converted line by line to the Prometheus text format,
// which expfmt parses, and what that format cannot carry is put back after:
//
//   - the exposition must end with "# EOF": one that does not was cut short,
//     and anything after it is an error;
//   - a counter family NAME ("# TYPE NAME counter") exposes NAME_total
//     samples: it becomes the counter family NAME_total, as the text format
//     names it;
//   - the NAME_created samples of a counter, histogram or summary are the
//     created timestamps of its series (CreatedTimestamp), not series; so
//     are those client_golang writes after a counter whose name lacks
//     _total, which it types unknown (the untyped family keeps none);
//   - an exemplar (after " # {" on a counter's NAME_total or a histogram's
//     NAME_bucket sample) becomes the counter's or the bucket's Exemplar;
//   - "# UNIT NAME UNIT" sets the family's Unit;
//   - sample timestamps in seconds become milliseconds; unknown becomes
//     untyped, info NAME the gauge NAME_info, stateset a gauge, and a gauge
//     histogram's _gcount and _gsum its count and sum.
//
// Metric names quoted in braces (UTF-8 names, which an endpoint sends only
// when asked for escaping=allow-utf-8) are not read.
func decodeOpenMetrics(body []byte) (map[string]*dto.MetricFamily, error) {
	c := &omConverter{
		seen:      map[string]bool{},
		units:     map[string]string{},
		created:   map[omSeries]float64{},
		exemplars: map[omSeries]*dto.Exemplar{},
	}
	if err := c.convert(string(body)); err != nil {
		return nil, err
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(c.out.String()))
	if err != nil {
		var pe expfmt.ParseError
		if errors.As(err, &pe) && pe.Line >= 1 && pe.Line <= len(c.lines) {
			return nil, fmt.Errorf("line %d: %s", c.lines[pe.Line-1], pe.Msg)
		}
		return nil, err
	}
	c.restore(fams)
	return fams, nil
}

// omTextTypes maps each OpenMetrics type to its type in the text format.
var omTextTypes = map[string]string{
	"counter":        "counter",
	"gauge":          "gauge",
	"histogram":      "histogram",
	"gaugehistogram": "gaugehistogram",
	"summary":        "summary",
	"unknown":        "untyped",
	"info":           "gauge",
	"stateset":       "gauge",
}

// omFamily is one metric family of an OpenMetrics exposition.
type omFamily struct {
	name    string // its name in the exposition
	typ     string // its OpenMetrics type
	typed   bool   // it had a TYPE line
	help    string // its HELP text, escaped as exposed
	hasHelp bool
	unit    string
	hasUnit bool
	sampled bool // its first sample has been read
}

// textName is the family's name in the text format.
func (f *omFamily) textName() string {
	switch f.typ {
	case "counter":
		return f.name + "_total"
	case "info":
		return f.name + "_info"
	}
	return f.name
}

// role says what sample name is to the family: its name in the text
// format, or a created timestamp; ok is false if it is not the family's.
func (f *omFamily) role(name string) (textName string, created, ok bool) {
	suffix, ok := strings.CutPrefix(name, f.name)
	if !ok {
		return "", false, false
	}
	switch f.typ {
	case "counter":
		switch suffix {
		case "_total":
			return name, false, true
		case "_created":
			return "", true, true
		}
	case "gauge", "stateset":
		if suffix == "" {
			return name, false, true
		}
	case "unknown":
		switch {
		case suffix == "":
			return name, false, true
		case suffix == "_created" && f.typed:
			return "", true, true // client_golang's counter without _total
		}
	case "info":
		if suffix == "_info" {
			return name, false, true
		}
	case "histogram":
		switch suffix {
		case "_bucket", "_count", "_sum":
			return name, false, true
		case "_created":
			return "", true, true
		}
	case "gaugehistogram":
		switch suffix {
		case "_bucket":
			return name, false, true
		case "_gcount":
			return f.name + "_count", false, true
		case "_gsum":
			return f.name + "_sum", false, true
		}
	case "summary":
		switch suffix {
		case "", "_count", "_sum":
			return name, false, true
		case "_created":
			return "", true, true
		}
	}
	return "", false, false
}

// omSeries identifies one series of a family by its text name and labels
// (le and quantile left out), and for an exemplar on a bucket, the bucket.
type omSeries struct {
	family string
	labels string
	bucket bool
	le     float64
}

// omConverter converts an OpenMetrics exposition to the text format and
// keeps what the text format cannot carry.
type omConverter struct {
	out       strings.Builder
	lines     []int // the exposition's line number of each line of out
	cur       *omFamily
	seen      map[string]bool // families by exposition name
	units     map[string]string
	created   map[omSeries]float64
	exemplars map[omSeries]*dto.Exemplar
}

func (c *omConverter) convert(body string) error {
	lines := strings.Split(body, "\n")
	if n := len(lines); lines[n-1] == "" {
		lines = lines[:n-1] // the newline that ends the last line
	}
	eof := false
	for i, line := range lines {
		if eof {
			return fmt.Errorf("line %d: %q after # EOF", i+1, clip(line))
		}
		var err error
		switch {
		case line == "# EOF":
			eof = true
		case line == "":
			// Not allowed, but carries nothing.
		case strings.HasPrefix(line, "#"):
			err = c.metadata(line)
		default:
			err = c.sample(i+1, line)
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	if !eof {
		return errors.New("no # EOF at the end: the exposition was cut short")
	}
	return nil
}

// family returns the family named name: the current one, or a new one.
func (c *omConverter) family(name string) (*omFamily, error) {
	if c.cur != nil && c.cur.name == name {
		return c.cur, nil
	}
	if c.seen[name] {
		return nil, fmt.Errorf("metric family %s appears in two places", name)
	}
	c.seen[name] = true
	c.cur = &omFamily{name: name, typ: "unknown"}
	return c.cur, nil
}

// metadata reads a HELP, TYPE or UNIT line; other comments carry nothing.
func (c *omConverter) metadata(line string) error {
	rest, ok := strings.CutPrefix(line, "# ")
	if !ok {
		return nil
	}
	keyword, rest, _ := strings.Cut(rest, " ")
	switch keyword {
	case "HELP", "TYPE", "UNIT":
	default:
		return nil
	}
	name, value, _ := strings.Cut(rest, " ")
	if name == "" {
		return fmt.Errorf("# %s without a metric name", keyword)
	}
	f, err := c.family(name)
	if err != nil {
		return err
	}
	if f.sampled {
		return fmt.Errorf("# %s %s after its samples", keyword, name)
	}
	switch keyword {
	case "HELP":
		if f.hasHelp {
			return fmt.Errorf("a second # HELP for %s", name)
		}
		f.help, f.hasHelp = value, true
	case "TYPE":
		if f.typed {
			return fmt.Errorf("a second # TYPE for %s", name)
		}
		if _, ok := omTextTypes[value]; !ok {
			return fmt.Errorf("unknown metric type %q for %s", value, name)
		}
		f.typ, f.typed = value, true
	case "UNIT":
		if f.hasUnit {
			return fmt.Errorf("a second # UNIT for %s", name)
		}
		f.unit, f.hasUnit = value, true
	}
	return nil
}

// emit writes one line of text, read from line ln of the exposition.
func (c *omConverter) emit(ln int, text string) {
	c.out.WriteString(text)
	c.out.WriteByte('\n')
	c.lines = append(c.lines, ln)
}

// sample reads one sample line: NAME[{LABELS}] VALUE [TIMESTAMP] [# EXEMPLAR].
func (c *omConverter) sample(ln int, line string) error {
	name, rest := cutMetricName(line)
	if name == "" {
		return fmt.Errorf("expected a metric name at %q", clip(line))
	}
	rawLabels, labels := "", []omLabel(nil)
	if strings.HasPrefix(rest, "{") {
		var err error
		if rawLabels, labels, rest, err = cutLabels(rest); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	rest, exemplar, hasExemplar := strings.Cut(rest, " # ")
	fields, ok := strings.CutPrefix(rest, " ")
	parts := strings.Split(fields, " ")
	if !ok || len(parts) > 2 || slices.Contains(parts, "") {
		return fmt.Errorf("%s: expected a value and an optional timestamp, got %q", name, clip(rest))
	}

	f, textName, created, err := c.sampleFamily(ln, name)
	if err != nil {
		return err
	}
	series := omSeries{family: f.textName(), labels: labelsKey(labels, f.typ)}
	if created {
		v, err := strconv.ParseFloat(parts[0], 64)
		if err != nil {
			return fmt.Errorf("%s: created timestamp %q is not a number", name, parts[0])
		}
		c.created[series] = v
		return nil
	}
	text := textName + rawLabels + " " + parts[0]
	if len(parts) == 2 {
		ms, err := millis(parts[1])
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		text += " " + strconv.FormatInt(ms, 10)
	}
	c.emit(ln, text)

	if !hasExemplar {
		return nil
	}
	return c.exemplar(name, f, textName, labels, series, exemplar)
}

// sampleFamily returns the family a sample named name belongs to (the
// current one, or a new one), the sample's name in the text format, and
// whether it is a created timestamp. The family's first sample, read from
// line ln, first writes its HELP and TYPE lines.
func (c *omConverter) sampleFamily(ln int, name string) (f *omFamily, textName string, created bool, err error) {
	f = c.cur
	ok := false
	if f != nil {
		textName, created, ok = f.role(name)
	}
	if !ok {
		if f != nil && f.name == name {
			return nil, "", false, fmt.Errorf("sample %s does not belong to the %s family %s", name, f.typ, f.name)
		}
		if f, err = c.family(name); err != nil {
			return nil, "", false, err
		}
		textName, created, _ = f.role(name)
	}
	if !f.sampled {
		f.sampled = true
		if f.hasHelp {
			c.emit(ln, "# HELP "+f.textName()+" "+f.help)
		}
		c.emit(ln, "# TYPE "+f.textName()+" "+omTextTypes[f.typ])
		if f.hasUnit {
			c.units[f.textName()] = f.unit
		}
	}
	return f, textName, created, nil
}

// exemplar keeps the exemplar raw, written after the sample named name
// (textName in the text format) of family f, for series: on a counter's
// NAME_total or a histogram's bucket. Anywhere else OpenMetrics allows
// none, and it carries nothing to keep.
func (c *omConverter) exemplar(name string, f *omFamily, textName string, labels []omLabel, series omSeries, raw string) error {
	ex, err := parseExemplar(raw)
	if err != nil {
		return fmt.Errorf("%s: exemplar: %w", name, err)
	}
	switch {
	case f.typ == "counter":
	case (f.typ == "histogram" || f.typ == "gaugehistogram") && textName == f.name+"_bucket":
		le := slices.IndexFunc(labels, func(l omLabel) bool { return l.name == model.BucketLabel })
		if le < 0 {
			return fmt.Errorf("%s: a bucket without le", name)
		}
		v, err := strconv.ParseFloat(labels[le].value, 64)
		if err != nil {
			return fmt.Errorf("%s: le %q is not a number", name, labels[le].value)
		}
		series.bucket, series.le = true, v
	default:
		return nil // OpenMetrics allows none here; it carries nothing to keep
	}
	c.exemplars[series] = ex
	return nil
}

// restore puts into the parsed families what the text format could not
// carry: created timestamps, exemplars and units.
func (c *omConverter) restore(fams map[string]*dto.MetricFamily) {
	for name, unit := range c.units {
		if fam, ok := fams[name]; ok {
			fam.Unit = proto.String(unit)
		}
	}
	if len(c.created) == 0 && len(c.exemplars) == 0 {
		return
	}
	index := map[omSeries]*dto.Metric{}
	for name, fam := range fams {
		for _, m := range fam.GetMetric() {
			labels := make([]omLabel, 0, len(m.GetLabel()))
			for _, l := range m.GetLabel() {
				labels = append(labels, omLabel{l.GetName(), l.GetValue()})
			}
			index[omSeries{family: name, labels: labelsKey(labels, "")}] = m
		}
	}
	for s, v := range c.created {
		m := index[s]
		switch {
		case m == nil:
		case m.Counter != nil:
			m.Counter.CreatedTimestamp = timestamp(v)
		case m.Histogram != nil:
			m.Histogram.CreatedTimestamp = timestamp(v)
		case m.Summary != nil:
			m.Summary.CreatedTimestamp = timestamp(v)
		}
	}
	for s, ex := range c.exemplars {
		bucket, le := s.bucket, s.le
		s.bucket, s.le = false, 0
		m := index[s]
		switch {
		case m == nil:
		case !bucket && m.Counter != nil:
			m.Counter.Exemplar = ex
		case bucket && m.Histogram != nil:
			for _, b := range m.Histogram.GetBucket() {
				if b.GetUpperBound() == le {
					b.Exemplar = ex
				}
			}
		}
	}
}
