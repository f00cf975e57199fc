package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Time    time.Time
	Action  string
	Package string
	Test    string
	Elapsed float64
}

// span is one test's run, from its "run" event to its verdict.
type span struct {
	pkg, test      string
	start, end     time.Time
	elapsed        float64
	verdict        string
	parallelPaused bool
}

func main() {
	top := flag.Int("top", 40, "how many tests to list")
	subtests := flag.Bool("subtests", true, "list subtests as well as top-level tests")
	flag.Parse()
	t, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	t.printPackages()
	t.printTests(*top, *subtests)
}

// times are the spans of a go test -json stream: each package's, and each
// test's in the order they began.
type times struct {
	spans map[string]*span
	order []string
	pkgs  map[string]*span
}

// read reads a go test -json stream.
func read(r io.Reader) (*times, error) {
	t := &times{spans: map[string]*span{}, pkgs: map[string]*span{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Package == "" {
			continue
		}
		t.add(e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("failed to read the go test -json stream: %w", err)
	}
	return t, nil
}

// add takes one event into its package's or its test's span.
func (t *times) add(e event) {
	if e.Test == "" {
		p := t.pkgs[e.Package]
		if p == nil {
			p = &span{pkg: e.Package, start: e.Time}
			t.pkgs[e.Package] = p
		}
		if e.Action == "pass" || e.Action == "fail" || e.Action == "skip" {
			p.end, p.elapsed, p.verdict = e.Time, e.Elapsed, e.Action
		}
		return
	}
	key := e.Package + " " + e.Test
	s := t.spans[key]
	if s == nil {
		s = &span{pkg: e.Package, test: e.Test, start: e.Time}
		t.spans[key] = s
		t.order = append(t.order, key)
	}
	switch e.Action {
	case "pause":
		s.parallelPaused = true
	case "cont":
		// A parallel test's time counts from when it was let run.
		s.start = e.Time
	case "pass", "fail", "skip":
		s.end, s.elapsed, s.verdict = e.Time, e.Elapsed, e.Action
	}
}

// printPackages prints each package's wall time, slowest first.
func (t *times) printPackages() {
	var ps []*span
	for _, p := range t.pkgs {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].elapsed > ps[j].elapsed })
	fmt.Println("| package | verdict | wall | sum of its top-level tests |")
	fmt.Println("|---|---|---|---|")
	for _, p := range ps {
		var sum float64
		for _, k := range t.order {
			if s := t.spans[k]; s.pkg == p.pkg && !strings.Contains(s.test, "/") {
				sum += s.elapsed
			}
		}
		fmt.Printf("| %s | %s | %s | %s |\n", p.pkg, p.verdict, secs(p.elapsed), secs(sum))
	}
}

// printTests prints the top slowest tests, subtests too if asked.
func (t *times) printTests(top int, subtests bool) {
	var ts []*span
	for _, k := range t.order {
		if s := t.spans[k]; s.verdict != "" && (subtests || !strings.Contains(s.test, "/")) {
			ts = append(ts, s)
		}
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].elapsed > ts[j].elapsed })
	if len(ts) > top {
		ts = ts[:top]
	}
	fmt.Println()
	fmt.Println("| test | verdict | time | parallel | started at |")
	fmt.Println("|---|---|---|---|---|")
	for _, s := range ts {
		par := ""
		if s.parallelPaused {
			par = "yes"
		}
		at := ""
		if p := t.pkgs[s.pkg]; p != nil {
			at = "+" + secs(s.start.Sub(p.start).Seconds())
		}
		fmt.Printf("| %s %s | %s | %s | %s | %s |\n", short(s.pkg), s.test, s.verdict, secs(s.elapsed), par, at)
	}
}

func secs(s float64) string { return fmt.Sprintf("%.0fs", s) }

// short is a package's last element, as people name it.
func short(pkg string) string {
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		return pkg[i+1:]
	}
	return pkg
}
