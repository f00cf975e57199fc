package config_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/contract"
)

// The rule and dashboard tests read PromQL with the small lexer and parser
// in this file: enough of the language to find every series selector in an
// expression, with its label matchers, and to refuse what it does not know
// (an unknown function, unbalanced brackets, a stray character), so that a
// typo cannot hide a metric name. Grafana's variables ($name, ${name}) are
// tokens of their own.

// tokenKind is the kind of a PromQL token.
type tokenKind int

const (
	tokIdent tokenKind = iota
	tokString
	tokNumber
	tokVariable
	tokPunct
)

// token is one PromQL token.
type token struct {
	kind tokenKind
	text string
}

// selector is a series selector: a metric name and its label matchers,
// each written name+op+value, for example outcome="succeeded".
type selector struct {
	metric   string
	matchers []string
}

// twoCharOps are the operators of two characters.
var twoCharOps = []string{"==", "!=", "<=", ">=", "=~", "!~"}

// lexPromQL splits a PromQL expression into tokens.
func lexPromQL(expr string) ([]token, error) {
	var toks []token
	for i := 0; i < len(expr); {
		c := rune(expr[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '#':
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || c == '`':
			end, err := stringEnd(expr, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokString, expr[i+1 : end-1]})
			i = end
		case c == '$':
			end := i + 1 + identLen(strings.TrimPrefix(expr[i+1:], "{"))
			if strings.HasPrefix(expr[i+1:], "{") {
				end += 2
			}
			if end == i+1 {
				return nil, fmt.Errorf("a lone $ at %d", i)
			}
			toks = append(toks, token{tokVariable, expr[i:end]})
			i = end
		case unicode.IsDigit(c) || c == '.' && i+1 < len(expr) && unicode.IsDigit(rune(expr[i+1])):
			end := i
			for end < len(expr) && (isIdentChar(expr[end]) || expr[end] == '.') {
				end++
			}
			toks = append(toks, token{tokNumber, expr[i:end]})
			i = end
		case c == '_' || unicode.IsLetter(c):
			n := identLen(expr[i:])
			toks = append(toks, token{tokIdent, expr[i : i+n]})
			i += n
		case i+1 < len(expr) && slices.Contains(twoCharOps, expr[i:i+2]):
			toks = append(toks, token{tokPunct, expr[i : i+2]})
			i += 2
		case strings.ContainsRune("+-*/%^<>=(){}[],:@", c):
			toks = append(toks, token{tokPunct, string(c)})
			i++
		default:
			return nil, fmt.Errorf("unexpected %q at %d", c, i)
		}
	}
	return toks, nil
}

// stringEnd returns the index just past the string literal at expr[start].
func stringEnd(expr string, start int) (int, error) {
	quote := expr[start]
	for i := start + 1; i < len(expr); i++ {
		switch {
		case expr[i] == '\\' && quote != '`':
			i++
		case expr[i] == quote:
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated string at %d", start)
}

func isIdentChar(b byte) bool {
	return b == '_' || b == ':' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// identLen is the length of the identifier s starts with.
func identLen(s string) int {
	n := 0
	for n < len(s) && isIdentChar(s[n]) && (n > 0 || s[n] != ':') {
		n++
	}
	return n
}

// aggregations are PromQL's aggregation operators; grouping keywords take
// a parenthesised list of label names.
var (
	aggregations = []string{"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar",
		"topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio"}
	groupings = []string{"by", "without", "on", "ignoring", "group_left", "group_right"}
	keywords  = []string{"and", "or", "unless", "offset", "bool", "atan2", "inf", "nan", "Inf", "NaN"}
	functions = []string{"abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
		"day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor",
		"histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_sum",
		"histogram_stddev", "histogram_stdvar", "hour", "idelta", "increase", "irate", "label_join", "label_replace",
		"ln", "log2", "log10", "minute", "month", "predict_linear", "rate", "resets", "round", "scalar", "sgn",
		"sort", "sort_desc", "sqrt", "time", "timestamp", "vector", "year", "avg_over_time", "min_over_time",
		"max_over_time", "sum_over_time", "count_over_time", "quantile_over_time", "stddev_over_time",
		"stdvar_over_time", "last_over_time", "present_over_time", "start", "end"}
)

// parsePromQL returns the series selectors of a PromQL expression, in
// order, after checking its brackets balance and its functions exist.
func parsePromQL(expr string) ([]selector, error) {
	toks, err := lexPromQL(expr)
	if err != nil {
		return nil, err
	}
	return selectorsOf(toks)
}

// selectorsOf returns the series selectors among tokens.
func selectorsOf(toks []token) ([]selector, error) {
	var (
		sels []selector
		err  error
	)
	var open []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		inRange := len(open) > 0 && open[len(open)-1] == "["
		switch {
		case t.kind == tokPunct && (t.text == "(" || t.text == "["):
			open = append(open, t.text)
		case t.kind == tokPunct && (t.text == ")" || t.text == "]"):
			if len(open) == 0 || open[len(open)-1] != map[string]string{")": "(", "]": "["}[t.text] {
				return nil, fmt.Errorf("unbalanced %q", t.text)
			}
			open = open[:len(open)-1]
		case t.kind == tokPunct && t.text == "{":
			s, next, err := parseMatchers(toks, i, "")
			if err != nil {
				return nil, err
			}
			sels, i = append(sels, s), next
		case t.kind == tokPunct && t.text == "}":
			return nil, fmt.Errorf("unbalanced }")
		case t.kind != tokIdent || inRange:
		case slices.Contains(groupings, t.text):
			if i+1 < len(toks) && toks[i+1].text == "(" {
				if i, err = skipLabelList(toks, i+1); err != nil {
					return nil, err
				}
			}
		case slices.Contains(keywords, t.text) || slices.Contains(aggregations, t.text):
		case i+1 < len(toks) && toks[i+1].text == "(":
			if !slices.Contains(functions, t.text) {
				return nil, fmt.Errorf("unknown function %s", t.text)
			}
		case i+1 < len(toks) && toks[i+1].text == "{":
			s, next, err := parseMatchers(toks, i+1, t.text)
			if err != nil {
				return nil, err
			}
			sels, i = append(sels, s), next
		default:
			sels = append(sels, selector{metric: t.text})
		}
	}
	if len(open) > 0 {
		return nil, fmt.Errorf("unclosed %q", open[len(open)-1])
	}
	return sels, nil
}

// parseMatchers reads the label matchers from toks[brace], a "{", and
// returns the selector and the index of its "}". A selector without a
// metric name takes it from a __name__="..." matcher.
func parseMatchers(toks []token, brace int, metric string) (selector, int, error) {
	s := selector{metric: metric}
	i := brace + 1
	for ; i < len(toks) && toks[i].text != "}"; i++ {
		if toks[i].text == "," {
			continue
		}
		if i+2 >= len(toks) || toks[i].kind != tokIdent || toks[i+2].kind != tokString ||
			!slices.Contains([]string{"=", "!=", "=~", "!~"}, toks[i+1].text) {
			return s, 0, fmt.Errorf("bad label matcher in the selector of %q", metric)
		}
		if toks[i].text == "__name__" && toks[i+1].text == "=" {
			s.metric = toks[i+2].text
		}
		s.matchers = append(s.matchers, toks[i].text+toks[i+1].text+`"`+toks[i+2].text+`"`)
		i += 2
	}
	if i == len(toks) {
		return s, 0, fmt.Errorf("unclosed { in the selector of %q", metric)
	}
	if s.metric == "" {
		return s, 0, fmt.Errorf("a selector without a metric name")
	}
	return s, i, nil
}

// skipLabelList returns the index of the ")" closing the label list that
// opens at toks[paren].
func skipLabelList(toks []token, paren int) (int, error) {
	for i := paren + 1; i < len(toks); i++ {
		switch {
		case toks[i].text == ")":
			return i, nil
		case toks[i].kind != tokIdent && toks[i].text != ",":
			return 0, fmt.Errorf("%q in a label list", toks[i].text)
		}
	}
	return 0, fmt.Errorf("unclosed label list")
}

// metricNames returns the metric names an expression selects.
func metricNames(expr string) ([]string, error) {
	sels, err := parsePromQL(expr)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range sels {
		names = append(names, s.metric)
	}
	return names, nil
}

// exportedSeries are the series names the remediator exports: the
// contract's metrics, its build info, and for its histogram the _bucket,
// _sum and _count series, which are all a classic histogram exposes.
func exportedSeries() map[string]bool {
	series := map[string]bool{}
	for _, m := range []string{contract.MetricActionsTotal, contract.MetricDecisionsTotal, contract.MetricBudgetRemaining,
		contract.MetricHalted, contract.MetricProposalsPending, contract.MetricPagesSentTotal, contract.MetricReconcileErrorsTotal,
		contract.MetricBuildInfo} {
		series[m] = true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		series[contract.MetricTriggerToActionSeconds+suffix] = true
	}
	return series
}

// The parser finds every selector, and only selectors, and refuses what it
// cannot read.
func TestParsePromQL(t *testing.T) {
	for name, tc := range map[string]struct {
		expr    string
		want    []selector
		wantErr string
	}{
		"bare metric": {expr: "up == 0", want: []selector{{metric: "up"}}},
		"aggregation with grouping first": {
			expr: `sum by (automation, le) (rate(x_bucket{a="b",c=~"$v"}[$__rate_interval]))`,
			want: []selector{{metric: "x_bucket", matchers: []string{`a="b"`, `c=~"$v"`}}},
		},
		"grouping after, offset, set operators": {
			expr: `max(a) by (automation) == 1 unless on (automation) b offset 30m or c`,
			want: []selector{{metric: "a"}, {metric: "b"}, {metric: "c"}},
		},
		"subquery and comment": {
			expr: "count_over_time((max by (x) (h) == 1)[20m:1m]) # h for halted\n >= 15",
			want: []selector{{metric: "h"}},
		},
		"name matcher":            {expr: `{__name__="m", job!="j"}`, want: []selector{{metric: "m", matchers: []string{`__name__="m"`, `job!="j"`}}}},
		"strings are not metrics": {expr: `label_replace(m, "dst", "$1", "src", "(.*)")`, want: []selector{{metric: "m"}}},
		"grafana braces variable": {expr: `rate(m[${__rate_interval}]) * ${scale}`, want: []selector{{metric: "m"}}},
		"unknown function":        {expr: `rates(m[5m])`, wantErr: "unknown function rates"},
		"unbalanced parenthesis":  {expr: `sum(rate(m[5m])`, wantErr: "unclosed"},
		"unbalanced bracket":      {expr: `rate(m[5m)`, wantErr: "unbalanced"},
		"bad matcher":             {expr: `m{a}`, wantErr: "bad label matcher"},
		"selector without a name": {expr: `{a="b"}`, wantErr: "without a metric name"},
		"unterminated string":     {expr: `m{a="b}`, wantErr: "unterminated"},
		"stray character":         {expr: `m ; n`, wantErr: "unexpected"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := parsePromQL(tc.expr)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parsePromQL(%q) = %v, want an error with %q", tc.expr, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(selector{})); diff != "" {
				t.Errorf("parsePromQL(%q) (-want +got):\n%s", tc.expr, diff)
			}
		})
	}
}
