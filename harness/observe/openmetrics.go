package observe

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
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

	f := c.cur
	textName, created, ok := "", false, false
	if f != nil {
		textName, created, ok = f.role(name)
	}
	if !ok {
		if f != nil && f.name == name {
			return fmt.Errorf("sample %s does not belong to the %s family %s", name, f.typ, f.name)
		}
		var err error
		if f, err = c.family(name); err != nil {
			return err
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
	ex, err := parseExemplar(exemplar)
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

// omLabel is one label of a sample or exemplar, unescaped.
type omLabel struct{ name, value string }

// labelsKey identifies a label set, leaving out le for a histogram's
// buckets and quantile for a summary's quantiles.
func labelsKey(labels []omLabel, typ string) string {
	keep := make([]omLabel, 0, len(labels))
	for _, l := range labels {
		if (l.name == model.BucketLabel && (typ == "histogram" || typ == "gaugehistogram")) ||
			(l.name == model.QuantileLabel && typ == "summary") {
			continue
		}
		keep = append(keep, l)
	}
	slices.SortFunc(keep, func(a, b omLabel) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for _, l := range keep {
		b.WriteString(l.name)
		b.WriteByte(0xff)
		b.WriteString(l.value)
		b.WriteByte(0xfe)
	}
	return b.String()
}

// cutMetricName splits a line after its leading metric name
// ([a-zA-Z_:][a-zA-Z0-9_:]*); the name is empty if the line starts with none.
func cutMetricName(line string) (name, rest string) {
	i := 0
	for i < len(line) {
		b := line[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == ':' || i > 0 && b >= '0' && b <= '9') {
			break
		}
		i++
	}
	return line[:i], line[i:]
}

// cutLabels splits s, which starts with '{', after its label set, and
// returns the label set as written and its labels unescaped.
func cutLabels(s string) (raw string, labels []omLabel, rest string, err error) {
	i := 1
	for {
		if i < len(s) && s[i] == '}' {
			i++
			break
		}
		j := i
		for j < len(s) {
			b := s[j]
			if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || j > i && b >= '0' && b <= '9') {
				break
			}
			j++
		}
		if j == i {
			return "", nil, "", fmt.Errorf("expected a label name at %q", clip(s[i:]))
		}
		name := s[i:j]
		if !strings.HasPrefix(s[j:], `="`) {
			return "", nil, "", fmt.Errorf("expected =\" after label %s", name)
		}
		j += 2
		var value strings.Builder
		closed := false
		for j < len(s) && !closed {
			switch b := s[j]; b {
			case '"':
				closed = true
				j++
			case '\\':
				if j+1 >= len(s) {
					return "", nil, "", fmt.Errorf("label %s: unterminated value", name)
				}
				switch s[j+1] {
				case '\\':
					value.WriteByte('\\')
				case '"':
					value.WriteByte('"')
				case 'n':
					value.WriteByte('\n')
				default:
					return "", nil, "", fmt.Errorf("label %s: invalid escape \\%c", name, s[j+1])
				}
				j += 2
			default:
				value.WriteByte(b)
				j++
			}
		}
		if !closed {
			return "", nil, "", fmt.Errorf("label %s: unterminated value", name)
		}
		labels = append(labels, omLabel{name, value.String()})
		i = j
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		if i < len(s) && s[i] == '}' {
			i++
			break
		}
		return "", nil, "", fmt.Errorf("expected , or } after label %s", name)
	}
	return s[:i], labels, s[i:], nil
}

// parseExemplar reads an exemplar: {LABELS} VALUE [TIMESTAMP].
func parseExemplar(s string) (*dto.Exemplar, error) {
	if !strings.HasPrefix(s, "{") {
		return nil, fmt.Errorf("expected a label set at %q", clip(s))
	}
	_, labels, rest, err := cutLabels(s)
	if err != nil {
		return nil, err
	}
	fields, ok := strings.CutPrefix(rest, " ")
	parts := strings.Split(fields, " ")
	if !ok || len(parts) > 2 || slices.Contains(parts, "") {
		return nil, fmt.Errorf("expected a value and an optional timestamp, got %q", clip(rest))
	}
	v, err := strconv.ParseFloat(parts[0], 64)
	if err != nil {
		return nil, fmt.Errorf("value %q is not a number", parts[0])
	}
	ex := &dto.Exemplar{Value: proto.Float64(v)}
	for _, l := range labels {
		ex.Label = append(ex.Label, &dto.LabelPair{Name: proto.String(l.name), Value: proto.String(l.value)})
	}
	if len(parts) == 2 {
		ts, err := strconv.ParseFloat(parts[1], 64)
		if err != nil || math.IsNaN(ts) || math.IsInf(ts, 0) {
			return nil, fmt.Errorf("timestamp %q is not a number of seconds", parts[1])
		}
		ex.Timestamp = timestamp(ts)
	}
	return ex, nil
}

// millis converts a timestamp in seconds, as OpenMetrics writes it, to the
// milliseconds of the text format.
func millis(s string) (int64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("timestamp %q is not a number of seconds", s)
	}
	return int64(math.Round(v * 1000)), nil
}

// timestamp converts seconds since the epoch to a protobuf timestamp.
func timestamp(sec float64) *timestamppb.Timestamp {
	whole := math.Floor(sec)
	nanos := int32(math.Round((sec - whole) * 1e9))
	if nanos >= 1e9 {
		whole, nanos = whole+1, nanos-1e9
	}
	return &timestamppb.Timestamp{Seconds: int64(whole), Nanos: nanos}
}

// clip shortens s for an error message.
func clip(s string) string {
	const limit = 60
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}
