package main

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/interlock-dev/interlock/test/scale"
)

// goBench is one Go benchmark's results over its repetitions.
type goBench struct {
	// Name is the benchmark's name without the GOMAXPROCS suffix.
	Name string
	// Pkg is its package.
	Pkg string
	// Metrics are each unit's values, one per repetition.
	Metrics map[string][]float64
	// Units are the metrics' units in the order they were printed.
	Units []string
}

// Median is the median of a metric over the repetitions.
func (b *goBench) Median(unit string) float64 { return scale.Median(b.Metrics[unit]) }

// procsSuffix is the -GOMAXPROCS suffix of a benchmark's name.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// parseGoBench reads `go test -bench` output: every benchmark line, with
// the package of the "pkg:" line before it, in the order first seen.
func parseGoBench(r io.Reader) ([]*goBench, error) {
	var out []*goBench
	byName := map[string]*goBench{}
	pkg := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := procsSuffix.ReplaceAllString(fields[0], "")
		b := byName[pkg+" "+name]
		if b == nil {
			b = &goBench{Name: name, Pkg: pkg, Metrics: map[string][]float64{}}
			byName[pkg+" "+name] = b
			out = append(out, b)
		}
		// fields[1] is the iteration count; then value-unit pairs.
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			unit := fields[i+1]
			if _, ok := b.Metrics[unit]; !ok {
				b.Units = append(b.Units, unit)
			}
			b.Metrics[unit] = append(b.Metrics[unit], v)
		}
	}
	return out, sc.Err()
}

// sizeParam is a benchmark name's size parameter: the number of its last
// key=NUMBER element ("lines=100000", "pods=10000"), or 0.
func sizeParam(name string) float64 {
	parts := strings.Split(name, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if _, v, ok := strings.Cut(parts[i], "="); ok {
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				return n
			}
		}
	}
	return 0
}

// family is a benchmark's name without its size parameter, which its
// sizes share.
func family(name string) string {
	var keep []string
	for _, p := range strings.Split(name, "/") {
		if k, v, ok := strings.Cut(p, "="); ok {
			if _, err := strconv.ParseFloat(v, 64); err == nil {
				keep = append(keep, k+"=N")
				continue
			}
		}
		keep = append(keep, p)
	}
	return strings.Join(keep, "/")
}
