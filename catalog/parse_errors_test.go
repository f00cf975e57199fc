package catalog_test

// parseErrorCases are edits of validEntry and the problems Parse reports for
// each, one per line.
var parseErrorCases = map[string]struct {
	file string // default: sampleFile
	old  string // text in validEntry to replace
	new  string
	// want are the problems expected, each after "<file>: ".
	want []string
}{
	"wrong apiVersion": {
		old: "interlock.dev/v1alpha1", new: "interlock.dev/v1",
		want: []string{`apiVersion: unknown apiVersion "interlock.dev/v1": must be interlock.dev/v1alpha1`},
	},
	"wrong kind": {
		old: "kind: FailurePattern", new: "kind: Scenario",
		want: []string{`kind: unknown kind "Scenario": must be FailurePattern`},
	},
	"name does not match file": {
		file: "patterns/other.yaml",
		want: []string{`metadata.name: must match the file name "other.yaml", got "sample"`},
	},
	"name not a DNS label": {
		file: "patterns/Sample_1.yaml", old: "name: sample", new: "name: Sample_1",
		want: []string{`metadata.name: must be a DNS label`},
	},
	"missing name": {
		old: "  name: sample\n", new: "",
		want: []string{`metadata.name: required`},
	},
	"missing title and description": {
		old: "  title: Sample\n  description: A pattern used in tests.\n", new: "",
		want: []string{`spec.title: required`, `spec.description: required`},
	},
	"multi-line title": {
		old: "title: Sample", new: "title: \"Sample\\nmore\"",
		want: []string{`spec.title: must be one line`},
	},
	"missing arises": {
		old: "  arises:\n    trigger: Something breaks.\n    sustainingEffect: Something keeps it broken.\n", new: "",
		want: []string{`spec.arises.trigger: required`, `spec.arises.sustainingEffect: required`},
	},
	"no defenses": {
		old: "  defenses:\n    - path: budget.maxActions\n      why: Caps the actions.\n", new: "",
		want: []string{`spec.defenses: at least one defense is required`},
	},
	"unknown defense path": {
		old: "path: budget.maxActions", new: "path: budget.maxRestarts",
		want: []string{`spec.defenses[0].path: unknown safety-case field "budget.maxRestarts"`},
	},
	"duplicate defense path and missing why": {
		old: "      why: Caps the actions.\n", new: "      why: Caps the actions.\n    - path: budget.maxActions\n",
		want: []string{`spec.defenses[1].path: duplicate of spec.defenses[0]`, `spec.defenses[1].why: required`},
	},
	"no incidents": {
		old:  "  incidents:\n    - year: 2020\n      organization: Example\n      summary: Something happened.\n      source: https://example.com/postmortem\n",
		new:  "",
		want: []string{`spec.incidents: at least one incident with a public source is required`},
	},
	"year too early": {
		old: "year: 2020", new: "year: 1989",
		want: []string{`spec.incidents[0].year: must be between 1990 and 2026, got 1989`},
	},
	"year in the future": {
		old: "year: 2020", new: "year: 2031",
		want: []string{`spec.incidents[0].year: must be between 1990 and 2026, got 2031`},
	},
	"year missing": {
		old: "    - year: 2020\n      organization", new: "    - organization",
		want: []string{`spec.incidents[0].year: must be between 1990 and 2026, got 0`},
	},
	"year not a number": {
		old: "year: 2020", new: "year: twenty",
		want: []string{`spec.incidents[0].year: wrong type: got a string, want a whole number`},
	},
	"bad year basis": {
		old: "year: 2020", new: "year: 2020\n      yearBasis: guessed",
		want: []string{`spec.incidents[0].yearBasis: must be "incident" or "published", got "guessed"`},
	},
	"http source": {
		old: "https://example.com/postmortem", new: "http://example.com/postmortem",
		want: []string{`spec.incidents[0].source: must be an https URL, got "http://example.com/postmortem"`},
	},
	"second incident with bad source and no summary": {
		old:  "      source: https://example.com/postmortem\n",
		new:  "      source: https://example.com/postmortem\n    - year: 2021\n      organization: Other\n      source: example.com/other\n",
		want: []string{`spec.incidents[1].summary: required`, `spec.incidents[1].source: must be an https URL, got "example.com/other"`},
	},
	"duplicate source": {
		old:  "      source: https://example.com/postmortem\n",
		new:  "      source: https://example.com/postmortem\n    - year: 2021\n      organization: Other\n      summary: Again.\n      source: https://example.com/postmortem\n",
		want: []string{`spec.incidents[1].source: duplicate of spec.incidents[0]`},
	},
	"summary without a period": {
		old: "summary: Something happened.", new: "summary: Something happened",
		want: []string{`spec.incidents[0].summary: must be one sentence ending with a period`},
	},
	"missing organization": {
		old: "      organization: Example\n", new: "",
		want: []string{`spec.incidents[0].organization: required`},
	},
	"scenario not a DNS label": {
		old: "    - storm\n", new: "    - storm\n    - Node_Loss\n",
		want: []string{`spec.scenarios[1]: must be a scenario name, a DNS label`},
	},
	"duplicate scenario": {
		old: "    - storm\n", new: "    - storm\n    - storm\n",
		want: []string{`spec.scenarios[1]: duplicate of spec.scenarios[0]`},
	},
	"unknown top-level field": {
		old: "kind: FailurePattern", new: "kind: FailurePattern\nstatus: {}",
		want: []string{`status: unknown field`},
	},
	"unknown nested field": {
		old: "summary: Something happened.", new: "summary: Something happened.\n      sumary: typo",
		want: []string{`spec.incidents[0].sumary: unknown field`},
	},
	"several unknown fields": {
		old:  "  title: Sample\n",
		new:  "  title: Sample\n  severity: high\n  arises2: x\n",
		want: []string{`spec.arises2: unknown field`, `spec.severity: unknown field`},
	},
	"defenses not a list": {
		old:  "  defenses:\n    - path: budget.maxActions\n      why: Caps the actions.\n",
		new:  "  defenses: budget.maxActions\n",
		want: []string{`spec.defenses: wrong type: got a string, want a list`},
	},
	"duplicate key": {
		old: "  title: Sample\n", new: "  title: Sample\n  title: Again\n",
		want: []string{`invalid YAML: yaml: unmarshal errors: line 7: key "title" already set in map`},
	},
}
