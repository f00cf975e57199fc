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
	}},
}
