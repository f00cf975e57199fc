package docgen

// Doc is one generated page of docs/.
type Doc struct {
	// File is the page's path from the repository's root.
	File string
	Page
}

// Docs are the pages generated from the Go types: the scenario and the
// safety-case references. Dirs are relative to the repository's root.
var Docs = []Doc{
	{File: "docs/scenarios.md", Page: Page{
		Title: "Scenario reference",
		Intro: `A scenario is a YAML file of apiVersion ` + "`interlock.dev/v1alpha1`" + `, kind
` + "`Scenario`" + `: a cluster fixture, faults on a timeline, the automations under
test and what the run must show. ` + "`interlock scenario validate FILE`" + ` checks one,
with a field path in every message; ` + "`scenarios/*.yaml`" + ` are the shipped ones.
Every field is listed below, from the Go types the harness decodes into, so
this page cannot drift from them. Decoding is strict: an unknown or
duplicated field is an error.`,
		Dir:  "scenarios",
		Root: "Scenario",
		External: map[string]string{
			"chaosmeshv1alpha1.PodChaosSpec":     "Chaos Mesh [PodChaosSpec](https://chaos-mesh.org/docs/simulate-pod-chaos-on-kubernetes/) (the fields the builtin injector honours)",
			"chaosmeshv1alpha1.HTTPChaosSpec":    "Chaos Mesh [HTTPChaosSpec](https://chaos-mesh.org/docs/simulate-http-chaos-on-kubernetes/) (the fields the builtin injector honours)",
			"chaosmeshv1alpha1.TimeChaosSpec":    "Chaos Mesh [TimeChaosSpec](https://chaos-mesh.org/docs/simulate-time-chaos-on-kubernetes/) (the fields the builtin injector honours)",
			"chaosmeshv1alpha1.NetworkChaosSpec": "Chaos Mesh [NetworkChaosSpec](https://chaos-mesh.org/docs/simulate-network-chaos-on-kubernetes/) (the fields the builtin injector honours)",
			"chaosmeshv1alpha1.StressChaosSpec":  "Chaos Mesh [StressChaosSpec](https://chaos-mesh.org/docs/simulate-heavy-stress-on-kubernetes/) (the fields the builtin injector honours)",
			"experiments.NodeChaosSpec":          "NodeChaosSpec (interlock's own: `action`, `mode`, `selector.nodes`, `period`, `condition`)",
			"rbacv1.PolicyRule":                  "Kubernetes rbac/v1 PolicyRule",
			"metav1.LabelSelector":               "Kubernetes LabelSelector",
			"resource.Quantity":                  "Kubernetes quantity, such as `450m`",
			"v1alpha1.AutomationType":            "automation type: `unhealthy-workload`, `node-loss`, `disk-pressure`, `certificate-expiry`, `bad-deploy`",
			"v1alpha1.SafetyCaseSpec":            "a safety case's spec, as in the [safety-case reference](safety-cases.md#safetycasespec)",
		},
	}},
	{File: "docs/safety-cases.md", Page: Page{
		Title: "Safety-case reference",
		Intro: `A safety case is one page per automation, kept as data: a YAML file of
apiVersion ` + "`interlock.dev/v1alpha1`" + `, kind ` + "`SafetyCase`" + ` (or inline in an Automation or a
scenario). If the page cannot be written, the automation is not ready. The
harness compiles it into the assertions a run is graded on; a figure it
does not state is not invented, and the assertion that needs it is skipped.
` + "`interlock safetycase lint FILE`" + ` checks one; ` + "`safetycases/*.yaml`" + ` are the shipped ones.
Every field is listed below, from the Go types.`,
		Dir:  "api/v1alpha1",
		Root: "SafetyCase",
		External: map[string]string{
			"metav1.TypeMeta":   "apiVersion and kind",
			"metav1.ObjectMeta": "Kubernetes object metadata (`name`)",
			"metav1.Duration":   "duration, such as `90s` or `10m`",
			"metav1.Condition":  "Kubernetes condition",
		},
		Notes:          safetyCaseNotes,
		NoteEveryField: true,
		Outro:          safetyCaseOutro,
	}},
}

// safetyCaseNotes say, for every field of a safety case, what checks it
// (Lint: interlock safetycase lint, validation.Validate) and what grades a
// run against it (the assertions of harness/assert, named as on a
// scorecard).
var safetyCaseNotes = map[string]string{
	"SafetyCase.metadata": "Lint: `name` is required. `scenario run --safety-case` gives a case to the scenario's automation of that name, or else of that type; the shipped cases are named after their automation's type.",
	"SafetyCase.spec":     "Lint: required; every part below is checked.",

	"SafetyCaseSpec.owner":       "Lint: required. Graded: `posture-held`, at rung supervised or for a class that always needs a human, wants each action approved on a proposal by a named human, with the owner named; `interlock promote` records who moved the automation.",
	"SafetyCaseSpec.trigger":     "Lint: required.",
	"SafetyCaseSpec.action":      "Lint: required.",
	"SafetyCaseSpec.reversal":    "Lint: required.",
	"SafetyCaseSpec.budget":      "Lint: required.",
	"SafetyCaseSpec.blastRadius": "Lint: required.",
	"SafetyCaseSpec.healthGate":  "Lint: required when `action.class` is rollback, checked wherever given.",
	"SafetyCaseSpec.telemetry":   "Lint: at least one signal.",

	"Trigger.condition":          "Lint: required. Not graded: it is for people. The scenario's truth grades what the trigger is for: `max-false-positives` (healthy targets acted on) and `max-false-negatives` (real outages never acted on).",
	"Trigger.for":                "Lint: a positive duration. The built-in automations wait this long before acting; no assertion reads it, but acting on a symptom that would have cleared shows as a false positive.",
	"Trigger.within":             "Lint: a positive duration where given. The built-in certificate-expiry automation renews what expires within it; no assertion reads it.",
	"Trigger.falsePositiveModes": "Lint: at least one, none empty. Not graded: each mode is a scenario to write (lying-health-check is one).",
	"Trigger.falseNegativeModes": "Lint: at least one, none empty. Not graded, as falsePositiveModes.",

	"Action.description":          "Lint: required. Not graded: it is for people.",
	"Action.class":                "Lint: required, one of the classes. Graded: `posture-held` fails an action above the posture of its class at the automation's rung; each action is judged by the class the harness gives it from the ledger, whatever this field says. `interlock promote` refuses a rung above this class's posture.",
	"Action.worstCaseBlastRadius": "Lint: required. Not graded: `blastRadius` holds the figures that are.",

	"Reversal.procedure":     "Lint: required. Not graded: it is for people.",
	"Reversal.timeToReverse": "Lint: a positive duration. Graded: `reversal-measured` (every action's target back within it) and `blast-radius-held` (an action whose reversal was not measured stays in flight this long); without it both are skipped.",

	"Budget.maxActions": "Lint: at least 1. Graded: `budget-held`, the most actions in any sliding `window`, counted from the API server's audit log and never from the remediator's report, is at most this; `halted-and-paged` wants a halt at the action that reaches it.",
	"Budget.window":     "Lint: a positive duration. Graded: the window `budget-held`, `budget-held-per-target` and `halted-and-paged` count over.",
	"Budget.perTarget":  "Lint: at least 1 and at most maxActions, where given. Graded: `budget-held-per-target`, the most actions on one target in a window; skipped without it.",
	"Budget.pageWithin": "Lint: a positive duration. Graded: `halted-and-paged`, a page naming the automation must reach the receiver no later than this after the action that exhausted the budget, and the halt must be proven by the remediator's own write of its Automation's `Halted` condition.",

	"BlastRadius.maxInFlight":           "Lint: at least 1. Graded: `blast-radius-held`, at each action the distinct targets in flight (a pod until its replacement is Ready, a node until it is released) number at most this.",
	"BlastRadius.maxUnavailablePercent": "Lint: 1 to 100. Graded: `blast-radius-held`, within each workload (or the nodes) at most floor(percent × size / 100) targets in flight at once, with no minimum of one.",

	"HealthGate.progressDeadline":    "Lint: a positive duration. The built-in bad-deploy automation rolls back a revision not available by then; no assertion reads it, but a rollback of a healthy revision shows as a false positive.",
	"HealthGate.minAvailablePercent": "Lint: 1 to 100. The built-in bad-deploy automation's bar for available; no assertion reads it.",

	"TelemetrySignal.metric":  "Lint: required, a valid Prometheus metric name. Graded: `telemetry-truthful` always reads `interlock_remediator_actions_total` (its increase must equal the ledger's actions, in every scrape); if the case names `interlock_remediator_halted`, the gauge must agree with the halt the ledger proves, and if it names `interlock_remediator_pages_sent_total`, pages sent must equal pages received.",
	"TelemetrySignal.alert":   "Not graded: the rule in config/prometheus that fires on the signal.",
	"TelemetrySignal.meaning": "Lint: required. Not graded: it is for people.",
}

// safetyCaseOutro says which assertions read which fields.
const safetyCaseOutro = "## How a run is graded against it\n\n" +
	"`interlock scenario run` compiles each automation's safety case into\n" +
	"assertions and grades the run's evidence (the API server's audit log, the\n" +
	"truth of what was broken, the pages the receiver got, the scrapes of\n" +
	"`/metrics`) against them. A figure the case does not state is not\n" +
	"invented: the assertion that needs it is skipped, naming the field it\n" +
	"lacks, and a skipped assertion is not a pass where `interlock promote`\n" +
	"needs it.\n\n" +
	"| assertion | reads | passes when |\n|---|---|---|\n" +
	"| `budget-held` | `budget.maxActions`, `budget.window` | no sliding window holds more actions than maxActions |\n" +
	"| `budget-held-per-target` | `budget.perTarget`, `budget.window` | no target is acted on more than perTarget times in a window |\n" +
	"| `halted-and-paged` | `budget.maxActions`, `budget.window`, `budget.pageWithin` | at the action that exhausts the budget the remediator halts (its own write of `Halted=True`, and no action after) and a page naming the automation arrives within pageWithin; \"not exhausted\" passes |\n" +
	"| `blast-radius-held` | `blastRadius`, `reversal.timeToReverse` | never more targets in flight at once than maxInFlight, nor more of one workload than maxUnavailablePercent allows |\n" +
	"| `reversal-measured` | `reversal.timeToReverse` | every action's target is back within timeToReverse |\n" +
	"| `posture-held` | `action.class`, `owner`, the rung | no action above its class's posture; at supervised, each on a proposal a named human approved |\n" +
	"| `telemetry-truthful` | `telemetry` | the action counter agrees with the ledger in every scrape, and the halted gauge and pages counter with the halt and the pages, when named |\n\n" +
	"The scenario's own assertions (`min-availability`, `max-false-positives`,\n" +
	"`must-halt`, `must-page`, `did-no-harm` and the others) come from its\n" +
	"`expect`, not from the safety case: see the [scenario reference](scenarios.md)."
