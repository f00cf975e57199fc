package config_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/contract"
)

// dashboardFile is the remediator's Grafana dashboard, relative to config/.
const dashboardFile = "grafana/interlock-remediator.json"

// datasourceVar is the dashboard variable every panel and query takes its
// Prometheus from, so the dashboard imports into any Grafana.
const datasourceVar = "${datasource}"

// dashboard is the part of a Grafana dashboard's JSON the test reads.
type dashboard struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []templateVar `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

// templateVar is a dashboard variable.
type templateVar struct {
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Query      any            `json:"query"`
	Datasource *datasourceRef `json:"datasource"`
}

// panel is a dashboard panel; a row holds panels of its own.
type panel struct {
	ID         int            `json:"id"`
	Type       string         `json:"type"`
	Title      string         `json:"title"`
	Datasource *datasourceRef `json:"datasource"`
	Targets    []struct {
		Expr       string         `json:"expr"`
		RefID      string         `json:"refId"`
		Datasource *datasourceRef `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

// datasourceRef names a data source.
type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

// flatten lists the panels with the panels of rows in place of the rows.
func flatten(panels []panel) []panel {
	var all []panel
	for _, p := range panels {
		if p.Type == "row" {
			all = append(all, flatten(p.Panels)...)
			continue
		}
		all = append(all, p)
	}
	return all
}

// Every panel has a title and takes its data source from the datasource
// variable, and every metric its queries select is one the remediator
// exports; between them, the panels show every metric it exports.
func TestDashboardPanels(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Errorf("the dashboard lacks a uid or a title")
	}
	checkVariables(t, d.Templating.List)
	exported := exportedSeries()
	shown := map[string]bool{}
	panels := map[string]panel{}
	for _, p := range flatten(d.Panels) {
		if _, dup := panels[p.Title]; dup || p.Title == "" {
			t.Errorf("panel %d has no title, or one another panel has: %q", p.ID, p.Title)
		}
		panels[p.Title] = p
	}
	for title, p := range panels {
		t.Run(title, func(t *testing.T) {
			if !isDatasourceVar(p.Datasource) {
				t.Errorf("its datasource is %+v, want the %s variable", p.Datasource, datasourceVar)
			}
			if len(p.Targets) == 0 {
				t.Error("it has no query")
			}
			for _, q := range p.Targets {
				if q.Datasource != nil && !isDatasourceVar(q.Datasource) {
					t.Errorf("query %s's datasource is %+v, want the %s variable", q.RefID, q.Datasource, datasourceVar)
				}
				names, err := metricNames(q.Expr)
				if err != nil || len(names) == 0 {
					t.Errorf("query %s selects no metric, or does not parse: %v\n%s", q.RefID, err, q.Expr)
				}
				for _, n := range names {
					if !exported[n] {
						t.Errorf("query %s reads %s, which the remediator does not export", q.RefID, n)
					}
					shown[n] = true
				}
			}
		})
	}
	// The histogram is shown by its buckets; its _sum and _count may be left out.
	optional := []string{contract.MetricTriggerToActionSeconds + "_sum", contract.MetricTriggerToActionSeconds + "_count"}
	for m := range exported {
		if !shown[m] && !slices.Contains(optional, m) {
			t.Errorf("no panel shows %s", m)
		}
	}
}

func isDatasourceVar(ds *datasourceRef) bool {
	return ds != nil && ds.Type == "prometheus" && (ds.UID == datasourceVar || ds.UID == "$datasource")
}

// checkVariables checks that the dashboard has a Prometheus datasource
// variable, and that the queries of its query variables read exported
// metrics from it.
func checkVariables(t *testing.T, vars []templateVar) {
	t.Helper()
	i := slices.IndexFunc(vars, func(v templateVar) bool { return "${"+v.Name+"}" == datasourceVar })
	if i < 0 || vars[i].Type != "datasource" || vars[i].Query != "prometheus" {
		t.Fatalf("the dashboard has no Prometheus datasource variable named %s", datasourceVar)
	}
	for _, v := range vars {
		if v.Type != "query" {
			continue
		}
		if !isDatasourceVar(v.Datasource) {
			t.Errorf("variable %s's datasource is %+v, want the %s variable", v.Name, v.Datasource, datasourceVar)
		}
		q, _ := v.Query.(map[string]any)
		query, _ := q["query"].(string)
		inner, ok := strings.CutPrefix(query, "label_values(")
		if !ok {
			t.Errorf("variable %s's query %q is not label_values(SELECTOR, LABEL)", v.Name, query)
			continue
		}
		selector := inner[:max(strings.LastIndex(inner, ","), 0)]
		names, err := metricNames(selector)
		if err != nil || len(names) != 1 || !exportedSeries()[names[0]] {
			t.Errorf("variable %s reads %v, not one metric the remediator exports: %v", v.Name, names, err)
		}
	}
}
