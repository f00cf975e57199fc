package observe

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

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
