package suite

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// WriteFiles writes summary.md, summary.json and index.html into dir.
func WriteFiles(dir string, s *Summary) error {
	files := []struct {
		name  string
		write func(io.Writer, *Summary) error
	}{
		{"summary.md", WriteMarkdown},
		{"summary.json", WriteJSON},
		{"index.html", WriteHTML},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		out, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("failed to write %s: %w", path, err)
		}
		if err := errors.Join(f.write(out, s), out.Close()); err != nil {
			return fmt.Errorf("failed to write %s: %w", path, err)
		}
	}
	return nil
}

// WriteJSON writes the summary as indented JSON.
func WriteJSON(w io.Writer, s *Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// ReadJSON reads a summary written by WriteJSON.
func ReadJSON(path string) (*Summary, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read summary: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: not a suite summary: %w", path, err)
	}
	return &s, nil
}

// Merge joins the summaries of shards run apart into one, in scenario order;
// its wall time is the longest shard's.
func Merge(parts ...*Summary) *Summary {
	out := &Summary{}
	for _, p := range parts {
		if out.StartedAt.IsZero() || (!p.StartedAt.IsZero() && p.StartedAt.Before(out.StartedAt)) {
			out.StartedAt = p.StartedAt
		}
		out.WallSeconds = max(out.WallSeconds, p.WallSeconds)
		out.Provider, out.Parallel = p.Provider, max(out.Parallel, p.Parallel)
		out.Entries = append(out.Entries, p.Entries...)
	}
	sortEntries(out.Entries)
	out.Verdict = verdictOf(out.Entries)
	return out
}

func sortEntries(es []Entry) {
	slices.SortStableFunc(es, func(a, b Entry) int { return strings.Compare(a.Scenario, b.Scenario) })
}

// WriteMarkdown writes the scenario × verdict table, for a terminal or a
// CI job summary.
func WriteMarkdown(w io.Writer, s *Summary) error {
	pass, fail, errs := s.counts()
	var b strings.Builder
	fmt.Fprintf(&b, "# interlock suite: %s\n\n", strings.ToUpper(string(s.Verdict)))
	fmt.Fprintf(&b, "%d scenario(s) on the %s cluster: %d passed, %d failed, %d could not run. Wall time %s, %d at a time.\n\n",
		len(s.Entries), s.Provider, pass, fail, errs, wall(s.WallSeconds), s.Parallel)
	b.WriteString("| Scenario | Tier | Pattern | Verdict | Availability (without → with) | Actions | Took | Not passed |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, e := range s.Entries {
		fmt.Fprintf(&b, "| [%s](%s/scorecard.md) | %s | %s | %s | %s | %d | %s | %s |\n",
			e.Scenario, e.Dir, e.Tier, e.Pattern, badge(e.Verdict), e.availability(), e.Actions,
			wall(e.DurationSeconds), cell(e))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func badge(v scorecard.Verdict) string {
	switch v {
	case scorecard.VerdictPass:
		return "✅ pass"
	case scorecard.VerdictFail:
		return "❌ fail"
	}
	return "⚠️ error"
}

func cell(e Entry) string {
	parts := append([]string(nil), e.Failed...)
	if e.Error != "" {
		parts = append(parts, e.Error)
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.ReplaceAll(strings.Join(parts, "; "), "|", `\|`)
}

func (e Entry) availability() string {
	with := fmt.Sprintf("%.1f%%", 100*e.Availability)
	if e.BaselineAvailability == nil {
		return with
	}
	return fmt.Sprintf("%.1f%% → %s", 100**e.BaselineAvailability, with)
}

func (s *Summary) counts() (pass, fail, errs int) {
	for _, e := range s.Entries {
		switch e.Verdict {
		case scorecard.VerdictPass:
			pass++
		case scorecard.VerdictFail:
			fail++
		default:
			errs++
		}
	}
	return
}

func wall(sec float64) string {
	return (time.Duration(sec) * time.Second).String()
}

var indexTemplate = template.Must(template.New("index").Funcs(template.FuncMap{
	"wall":  wall,
	"badge": badge,
	"class": func(v scorecard.Verdict) string { return string(v) },
	"cell":  cell,
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>interlock suite: {{.Verdict}}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1b1f24;padding:0 1rem}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #d8dee4;vertical-align:top}
th{background:#f6f8fa}.pass{color:#1a7f37}.fail{color:#cf222e}.error{color:#9a6700}
.muted{color:#57606a}a{color:#0969da}
</style></head><body>
<h1>interlock suite: <span class="{{class .Verdict}}">{{.Verdict}}</span></h1>
<p class="muted">{{len .Entries}} scenario(s) on the {{.Provider}} cluster, started {{.StartedAt.Format "2006-01-02 15:04:05 MST"}}, wall time {{wall .WallSeconds}}, {{.Parallel}} at a time.</p>
<table><thead><tr><th>Scenario</th><th>Tier</th><th>Pattern</th><th>Verdict</th><th>Availability without → with</th><th>Actions</th><th>Took</th><th>Not passed</th><th>Reports</th></tr></thead><tbody>
{{range .Entries}}<tr><td>{{.Scenario}}</td><td>{{.Tier}}</td><td>{{.Pattern}}</td><td class="{{class .Verdict}}">{{badge .Verdict}}</td>
<td>{{.AvailabilityText}}</td><td>{{.Actions}}</td><td>{{wall .DurationSeconds}}</td><td>{{cell .}}</td>
<td><a href="{{.Dir}}/scorecard.html">scorecard</a>{{if .BaselineAvailability}} · <a href="{{.Dir}}/baseline-scorecard.html">baseline</a>{{end}} · <a href="{{.Dir}}/scorecard.json">json</a> · <a href="{{.Dir}}/progress.log">log</a></td></tr>
{{end}}</tbody></table>
</body></html>
`))

// AvailabilityText is the entry's availability without and with the remediator.
func (e Entry) AvailabilityText() string { return e.availability() }

// WriteHTML writes a self-contained index page linking every scenario's reports.
func WriteHTML(w io.Writer, s *Summary) error {
	return indexTemplate.Execute(w, s)
}
