package main

import (
	"strings"
	"testing"
)

const goBenchOutput = `goos: linux
goarch: amd64
pkg: github.com/interlock-dev/interlock/harness/run
cpu: AMD EPYC
BenchmarkSample/nodes=100/pods=1000-2         	    1000	   1000000 ns/op	         1.000 µs/pod	  100 B/op	  2 allocs/op
BenchmarkSample/nodes=100/pods=1000-2         	    1000	   3000000 ns/op	         3.000 µs/pod	  100 B/op	  2 allocs/op
BenchmarkSample/nodes=1000/pods=10000-2       	      50	  20000000 ns/op	         2.000 µs/pod	  100 B/op	  2 allocs/op
PASS
pkg: github.com/interlock-dev/interlock/remediator/policy
BenchmarkDecide-2   	 1000000	       700 ns/op
`

func TestParseGoBench(t *testing.T) {
	got, err := parseGoBench(strings.NewReader(goBenchOutput))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d benchmarks, want 3: %+v", len(got), got)
	}
	small := got[0]
	if small.Name != "BenchmarkSample/nodes=100/pods=1000" || small.Pkg != "github.com/interlock-dev/interlock/harness/run" {
		t.Errorf("first benchmark %s in %s", small.Name, small.Pkg)
	}
	if m := small.Median("ns/op"); m != 2e6 {
		t.Errorf("median of two repetitions = %v ns/op, want 2e6", m)
	}
	if m := small.Median("µs/pod"); m != 2 {
		t.Errorf("median = %v µs/pod, want 2", m)
	}
	if got[2].Pkg != "github.com/interlock-dev/interlock/remediator/policy" || got[2].Median("ns/op") != 700 {
		t.Errorf("last benchmark %+v", got[2])
	}
}

func TestSizeAndFamily(t *testing.T) {
	name := "BenchmarkSample/nodes=1000/pods=10000"
	if got := sizeParam(name); got != 10000 {
		t.Errorf("sizeParam = %v, want the last parameter, 10000", got)
	}
	if got, want := family(name), "BenchmarkSample/nodes=N/pods=N"; got != want {
		t.Errorf("family = %q, want %q", got, want)
	}
	if got := sizeParam("BenchmarkDecide"); got != 0 {
		t.Errorf("sizeParam of an unsized benchmark = %v, want 0", got)
	}
}

func TestGrowth(t *testing.T) {
	tests := map[string]struct {
		from, to, factor float64
		inverse          bool
		want             string
	}{
		"linear":                    {from: 1, to: 10, factor: 10, want: "×10.00"},
		"within the noise":          {from: 1, to: 10.9, factor: 10, want: "×10.90"},
		"worse than linear":         {from: 1, to: 20, factor: 10, want: "×20.00 ⚠"},
		"a rate that falls is cost": {from: 100, to: 5, factor: 10, inverse: true, want: "×20.00 ⚠"},
		"nothing measured":          {from: 0, to: 5, factor: 10, want: "–"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := growth(tc.from, tc.to, tc.factor, tc.inverse); got != tc.want {
				t.Errorf("growth = %q, want %q", got, tc.want)
			}
		})
	}
}
