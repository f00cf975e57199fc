package scenarios_test

import (
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/scenarios"
)

// parseErrorCases are edits of the shipped storm scenario (or another) and the
// lines of the *Error Parse returns for each.
var parseErrorCases = map[string]struct {
	file string // defaults to storm.yaml
	data func(t *testing.T) string
	want []string
}{
	"unknown field": {
		data: func(t *testing.T) string {
			return edit(t, "  tier: pr\n", "  tier: pr\n  colour: red\n", "      replicas: 2\n", "      replicas: 2\n      image: nginx\n")
		},
		want: []string{
			"storm.yaml: spec.colour: Forbidden: unknown field",
			"storm.yaml: spec.fixture.workloads[1].image: Forbidden: unknown field",
		},
	},
	"unknown fault kind": {
		data: func(t *testing.T) string { return edit(t, "    podChaos:\n", "    ioChaos:\n") },
		want: []string{
			`storm.yaml: spec.faults[0].ioChaos: Unsupported value: "ioChaos": unknown fault kind: must be one of podChaos, httpChaos, timeChaos, networkChaos, stressChaos, nodeChaos`,
			"storm.yaml: spec.faults[0]: Required value: set exactly one fault kind: podChaos, httpChaos, timeChaos, networkChaos, stressChaos, nodeChaos",
		},
	},
	"two fault kinds": {
		data: func(t *testing.T) string {
			return edit(t, "  automations:\n", `    nodeChaos:
      action: not-ready
      mode: one
      selector:
        nodes: [kwok-node-0]
  automations:
`)
		},
		want: []string{
			"storm.yaml: spec.faults[0].nodeChaos: Forbidden: a fault has exactly one kind, and this one already has podChaos; make another fault",
		},
	},
	"unknown Chaos Mesh field": {
		data: func(t *testing.T) string {
			return edit(t, "      mode: all\n", "      mode: all\n      gracePeriodz: 5\n")
		},
		want: []string{
			"storm.yaml: spec.faults[0].podChaos.gracePeriodz: Forbidden: unknown field",
		},
	},
	"Chaos Mesh fields the builtin injector cannot honour": {
		data: func(t *testing.T) string {
			return edit(t, "      mode: all\n", "      mode: random-max-percent\n      value: \"50\"\n      gracePeriod: 5\n",
				"        namespaces: [default]\n", "        namespaces: [default]\n        pods:\n          default: [storm-0]\n")
		},
		want: []string{
			`storm.yaml: spec.faults[0].podChaos.selector.pods: Invalid value: {"default":["storm-0"]}: the builtin injector cannot honour this field: leave it out, or run the scenario with Chaos Mesh`,
			`storm.yaml: spec.faults[0].podChaos.mode: Unsupported value: "random-max-percent": supported values: "one", "all", "fixed", "fixed-percent"`,
			"storm.yaml: spec.faults[0].podChaos.gracePeriod: Invalid value: 5: only pod-kill deletes pods, with this grace period",
		},
	},
	"HTTPChaos the builtin injector cannot honour": {
		file: "lying-health-check.yaml",
		data: func(t *testing.T) string {
			data := string(scenarios.Files()["lying-health-check.yaml"])
			data = strings.Replace(data, "      port: 8080\n", "      port: 9090\n      delay: 1s\n", 1)
			return strings.Replace(data, "        code: 503\n", "        code: 404\n", 1)
		},
		want: []string{
			"lying-health-check.yaml: spec.faults[0].httpChaos.port: Invalid value: 9090: the fixture's pods serve and are probed on port 8080",
			"lying-health-check.yaml: spec.faults[0].httpChaos.replace.code: Invalid value: 404: must be a server error (500-599): the builtin injector models failing requests",
			`lying-health-check.yaml: spec.faults[0].httpChaos.delay: Invalid value: "1s": the builtin injector cannot honour this field: leave it out, or run the scenario with Chaos Mesh`,
		},
	},
	"fault kind the builtin injector does not apply": {
		data: func(t *testing.T) string {
			return edit(t, "    podChaos:\n      action: pod-failure\n", "    stressChaos:\n      stressngStressors: --cpu 1\n")
		},
		want: []string{
			`storm.yaml: spec.faults[0].stressChaos: Unsupported value: "StressChaos": supported values: "PodChaos", "HTTPChaos", "TimeChaos", "NodeChaos"`,
		},
	},
	"Chaos Mesh duration instead of for": {
		data: func(t *testing.T) string {
			return edit(t, "      mode: all\n", "      mode: all\n      duration: 30s\n")
		},
		want: []string{
			"storm.yaml: spec.faults[0].podChaos.duration: Forbidden: set the fault's for instead: the window of a fault is its at and for",
		},
	},
	"bad durations": {
		data: func(t *testing.T) string {
			return edit(t, "duration: 100s", "duration: 100 seconds", "at: 5s", "at: soon")
		},
		want: []string{
			`storm.yaml: spec.duration: Invalid value: "100 seconds": not a duration: write a number with a unit, such as 90s, 5m or 1h30m`,
			`storm.yaml: spec.faults[0].at: Invalid value: "soon": not a duration: write a number with a unit, such as 90s, 5m or 1h30m`,
		},
	},
	"duration as a number": {
		data: func(t *testing.T) string { return edit(t, "duration: 100s", "duration: 100") },
		want: []string{
			`storm.yaml: spec.duration: Invalid value: "100": not a duration: write a number with a unit, such as 90s, 5m or 1h30m`,
		},
	},
	"fault starts after the run": {
		data: func(t *testing.T) string { return edit(t, "at: 5s", "at: 2m") },
		want: []string{
			`storm.yaml: spec.faults[0].at: Invalid value: "2m0s": starts after the run ends (duration 1m40s)`,
		},
	},
	"fault ends after the run": {
		data: func(t *testing.T) string { return edit(t, "at: 5s", "at: 5s\n    for: 100s") },
		want: []string{
			`storm.yaml: spec.faults[0].for: Invalid value: "1m40s": ends at 1m45s, after the run ends (duration 1m40s): leave for out to last until the end`,
		},
	},
	"no safety case": {
		data: func(t *testing.T) string { return edit(t, "    safetyCase: unhealthy-workload\n", "") },
		want: []string{
			"storm.yaml: spec.automations[0].safetyCase: Required value: name a shipped safety case (bad-deploy, certificate-expiry, disk-pressure, node-loss, unhealthy-workload) or write one inline in safetyCaseSpec",
		},
	},
	"unknown safety case": {
		data: func(t *testing.T) string {
			return edit(t, "safetyCase: unhealthy-workload", "safetyCase: unhealthy-workloads")
		},
		want: []string{
			`storm.yaml: spec.automations[0].safetyCase: Unsupported value: "unhealthy-workloads": supported values: "bad-deploy", "certificate-expiry", "disk-pressure", "node-loss", "unhealthy-workload"`,
		},
	},
	"safety case for another automation": {
		data: func(t *testing.T) string { return edit(t, "safetyCase: unhealthy-workload", "safetyCase: node-loss") },
		want: []string{
			`storm.yaml: spec.automations[0].safetyCase: Invalid value: "node-loss": the shipped safety case "node-loss" is written for the node-loss automation, not unhealthy-workload`,
		},
	},
	"both safety cases": {
		data: func(t *testing.T) string {
			return edit(t, "    safetyCase: unhealthy-workload\n", "    safetyCase: unhealthy-workload\n"+inlineCase("restart"))
		},
		want: []string{
			"storm.yaml: spec.automations[0].safetyCaseSpec: Forbidden: set safetyCase or safetyCaseSpec, not both",
		},
	},
	"incomplete inline safety case": {
		data: func(t *testing.T) string {
			return edit(t, "    safetyCase: unhealthy-workload\n",
				strings.Replace(strings.Replace(inlineCase("restart"), "      owner: team-platform-sre\n", "", 1), "timeToReverse: 10m", "timeToReverse: 0s", 1))
		},
		want: []string{
			"storm.yaml: spec.automations[0].safetyCaseSpec.owner: Required value: owner is missing: name the accountable person or team",
			"storm.yaml: spec.automations[0].safetyCaseSpec.reversal.timeToReverse: Required value: time to reverse is missing: state how long undoing the action takes",
		},
	},
	"bad duration in an inline safety case": {
		data: func(t *testing.T) string {
			return edit(t, "    safetyCase: unhealthy-workload\n", strings.Replace(inlineCase("restart"), "window: 1h", "window: an hour", 1))
		},
		want: []string{
			`storm.yaml: spec.automations[0].safetyCaseSpec.budget.window: Invalid value: "an hour": time: invalid duration "an hour"`,
		},
	},
	"rung above posture": {
		data: func(t *testing.T) string {
			return edit(t, "    safetyCase: unhealthy-workload\n", inlineCase("destructive"))
		},
		want: []string{
			`storm.yaml: spec.automations[0].rung: Invalid value: "unsupervised": rung "unsupervised" exceeds the posture of class "destructive" (highest allowed: "supervised")`,
		},
	},
	"shipped safety case above posture": {
		data: func(t *testing.T) string {
			return edit(t, "    type: unhealthy-workload\n", "    type: certificate-expiry\n", "safetyCase: unhealthy-workload", "safetyCase: certificate-expiry")
		},
		want: []string{
			`storm.yaml: spec.automations[0].rung: Invalid value: "unsupervised": rung "unsupervised" exceeds the posture of class "destructive" (highest allowed: "supervised")`,
		},
	},
	"wrong type": {
		data: func(t *testing.T) string { return edit(t, "nodes: 3", "nodes: three", "replicas: 2", "replicas: [2]") },
		want: []string{
			`storm.yaml: spec.fixture.nodes: Invalid value: "three": wrong type: got a string, want a whole number`,
			`storm.yaml: spec.fixture.workloads[1].replicas: Invalid value: wrong type: got a list, want a whole number`,
		},
	},
	"selector matches no workload": {
		data: func(t *testing.T) string { return edit(t, "          app: storm\n", "          app: tempest\n") },
		want: []string{
			"storm.yaml: spec.faults[0].podChaos.selector: Invalid value: selects no workload of the fixture: match the app label (the workload's name, NAME-i for a copy), the workload's labels or a rollout's",
		},
	},
	"bad load": {
		data: func(t *testing.T) string {
			return edit(t, "  expect:\n", "  load:\n  - name: q\n    namespace: default\n    workload: db\n    demand: 100m\n    podCapacity: 0m\n    coldStart:\n      workload: storm\n      cost: 10m\n  expect:\n")
		},
		want: []string{
			`storm.yaml: spec.load[0].workload: Not found: "db": no workload of the fixture is default/db`,
			`storm.yaml: spec.load[0].podCapacity: Invalid value: "0": must be a positive quantity, such as 300m`,
			`storm.yaml: spec.load[0].coldStart.window: Required value: say how long a starting pod adds its cost, such as 20s`,
		},
	},
	"autoscale without a CPU request, outside its range": {
		data: func(t *testing.T) string {
			return edit(t, "      replicas: 3\n", "      replicas: 3\n      autoscale:\n        minReplicas: 4\n        maxReplicas: 8\n        targetCPUUtilizationPercent: 50\n")
		},
		want: []string{
			"storm.yaml: spec.fixture.workloads[0].cpuRequest: Required value: an autoscaled workload needs a CPU request, such as 100m: the autoscaler measures utilization against it",
			"storm.yaml: spec.fixture.workloads[0].replicas: Invalid value: 3: the autoscaler keeps the workload within 4 to 8 replicas: start within them",
		},
	},
	"bad autoscale figures": {
		data: func(t *testing.T) string {
			return edit(t, "      replicas: 3\n", "      replicas: 3\n      cpuRequest: 0m\n      autoscale:\n        maxReplicas: 2\n        targetCPUUtilizationPercent: -5\n",
				"      replicas: 2\n", "      replicas: 2\n      cpuRequest: 100m\n      autoscale:\n        minReplicas: 3\n        maxReplicas: 2\n        targetCPUUtilizationPercent: 50\n")
		},
		want: []string{
			`storm.yaml: spec.fixture.workloads[0].cpuRequest: Invalid value: "0": must be a positive quantity, such as 100m`,
			"storm.yaml: spec.fixture.workloads[0].autoscale.minReplicas: Required value: say the fewest replicas the autoscaler scales to, at least 1",
			"storm.yaml: spec.fixture.workloads[0].autoscale.targetCPUUtilizationPercent: Invalid value: -5: must be a positive percentage",
			"storm.yaml: spec.fixture.workloads[1].autoscale.maxReplicas: Invalid value: 2: must be at least minReplicas (3)",
		},
	},
	"bad rollouts": {
		data: func(t *testing.T) string {
			return edit(t, "      replicas: 3\n", "      replicas: 3\n      rollouts:\n      - at: 200s\n        labels:\n          app: v2\n      - at: 20s\n")
		},
		want: []string{
			`storm.yaml: spec.fixture.workloads[0].rollouts[0].at: Invalid value: "3m20s": starts after the run ends (duration 1m40s)`,
			`storm.yaml: spec.fixture.workloads[0].rollouts[0].labels[app]: Forbidden: the app label is always the workload's name`,
			`storm.yaml: spec.fixture.workloads[0].rollouts[1].labels: Required value: say which labels mark the new revision's pods, such as version: v2`,
		},
	},
	"selector names a namespace without workloads": {
		data: func(t *testing.T) string {
			return edit(t, "        namespaces: [default]\n", "        namespaces: [default, shop]\n")
		},
		want: []string{
			`storm.yaml: spec.faults[0].podChaos.selector.namespaces[1]: Not found: "shop": no workload of the fixture is in namespace "shop"`,
			`storm.yaml: spec.faults[0].podChaos.selector.namespaces: Invalid value: ["default","shop"]: the builtin injector targets one namespace per fault: split the fault`,
		},
	},
	"node that does not exist": {
		data: func(t *testing.T) string {
			return edit(t, "    podChaos:\n      action: pod-failure\n      mode: all\n      selector:\n        namespaces: [default]\n        labelSelectors:\n          app: storm\n",
				"    nodeChaos:\n      action: heartbeat-loss\n      mode: all\n      selector:\n        nodes: [kwok-node-3]\n")
		},
		want: []string{
			`storm.yaml: spec.faults[0].nodeChaos.selector.nodes[0]: Not found: "kwok-node-3": the fixture's nodes are kwok-node-0, kwok-node-1, kwok-node-2`,
		},
	},
	"fixture without nodes or namespace": {
		data: func(t *testing.T) string {
			return edit(t, "    nodes: 3\n", "", "    - name: bystander\n      namespace: default\n", "    - name: bystander\n")
		},
		want: []string{
			"storm.yaml: spec.fixture.nodes: Required value: say how many nodes the cluster has, from 1 to 2000",
			"storm.yaml: spec.fixture.workloads[1].namespace: Required value: name the workload's namespace; there is no default",
		},
	},
	"copies that clash, overflow or do not fit": {
		data: func(t *testing.T) string {
			return edit(t, "      replicas: 2\n", "      replicas: 2\n      copies: 4\n    - name: bystander-2\n      namespace: default\n      replicas: 400\n      copies: 1\n    - name: a-name-that-is-already-sixty-characters-long-before-its-copies\n      namespace: default\n      replicas: 1\n      copies: 11\n    - name: minus\n      namespace: default\n      replicas: 1\n      copies: -2\n")
		},
		want: []string{
			`storm.yaml: spec.fixture.workloads[3].copies: Invalid value: 11: the last copy would be named "a-name-that-is-already-sixty-characters-long-before-its-copies-10", which is not a DNS label of at most 63 characters: shorten the name`,
			"storm.yaml: spec.fixture.workloads[4].copies: Invalid value: -2: must be at least 1, or left out for one",
			`storm.yaml: spec.fixture.workloads[2].name: Duplicate value: "bystander-2": copy 2 of spec.fixture.workloads[1] (bystander, copies 4) has the same namespace and name`,
			"storm.yaml: spec.fixture.workloads: Invalid value: the fixture's 423 pods do not fit on its 3 node(s) of 110 pods each (330): add nodes or take pods away",
		},
	},
	"copies with what a copy cannot share": {
		data: func(t *testing.T) string {
			return edit(t, "      replicas: 3\n", "      replicas: 3\n      copies: 2\n      tlsSecret: storm-tls\n      validFor: 1h\n      rollouts:\n      - at: 10s\n        labels: {version: v2}\n")
		},
		want: []string{
			"storm.yaml: spec.fixture.workloads[0].tlsSecret: Forbidden: not with copies: declare each workload that needs one on its own",
			"storm.yaml: spec.fixture.workloads[0].rollouts: Forbidden: not with copies: declare each workload that needs one on its own",
			"storm.yaml: spec.faults[0].podChaos.selector: Invalid value: selects no workload of the fixture: match the app label (the workload's name, NAME-i for a copy), the workload's labels or a rollout's",
		},
	},
	"duplicate names": {
		data: func(t *testing.T) string { return edit(t, "    - name: bystander\n", "    - name: storm\n") },
		want: []string{
			`storm.yaml: spec.fixture.workloads[1].name: Duplicate value: "storm": spec.fixture.workloads[0] has the same namespace and name`,
		},
	},
	"remediator faults": {
		data: func(t *testing.T) string {
			return edit(t, "  automations:\n", `  remediatorFaults:
  - at: 30s
    action: kill
    for: 10s
  - at: 40s
    action: reboot
  - at: 50s
    action: stale-cache
  - at: 55s
    action: kill-restart
    lag: 5s
  automations:
`)
		},
		want: []string{
			"storm.yaml: spec.remediatorFaults[0].for: Forbidden: a killed remediator is not restarted; use kill-restart to restart it after for",
			`storm.yaml: spec.remediatorFaults[1].action: Unsupported value: "reboot": supported values: "kill-restart", "kill", "stale-cache"`,
			`storm.yaml: spec.remediatorFaults[2].lag: Required value: say how far behind the remediator's view runs, such as 30s`,
			`storm.yaml: spec.remediatorFaults[3].lag: Forbidden: only a stale-cache fault has a lag`,
		},
	},
	"rbac rules": {
		data: func(t *testing.T) string {
			return edit(t, "  expect:\n", "  rbac:\n  - apiGroups: [\"\"]\n    resources: [pods]\n  - verbs: [get]\n    resources: [nodes]\n  expect:\n")
		},
		want: []string{
			"storm.yaml: spec.rbac[0].verbs: Required value: name the verbs the rule grants",
			`storm.yaml: spec.rbac[1].apiGroups: Required value: name the API groups of the resources ("" for the core group)`,
		},
	},
	"expectations out of range": {
		data: func(t *testing.T) string {
			return edit(t, "    mustPage: true\n", "    mustPage: true\n    minAvailability: 1.5\n    minActions: -1\n")
		},
		want: []string{
			"storm.yaml: spec.expect.minAvailability: Invalid value: 1.5: must be a share from 0 to 1",
			"storm.yaml: spec.expect.minActions: Invalid value: -1: must not be negative",
		},
	},
	"nothing an inert remediator fails": {
		data: func(t *testing.T) string {
			return edit(t, "    mustHalt: true\n    mustPage: true\n", "    mustHalt: false\n")
		},
		want: []string{
			"storm.yaml: spec.expect: Required value: a remediator that does nothing would pass this scenario: expect something only acting satisfies (mustHalt: true, mustPage: true, minActions, minProposals or maxFalseNegatives), or mark it spec.restraint: true if doing nothing is correct",
		},
	},
	"a restraint scenario that asks for action": {
		data: func(t *testing.T) string {
			return edit(t, "  automations:\n", "  restraint: true\n  automations:\n")
		},
		want: []string{
			"storm.yaml: spec.restraint: Invalid value: true: a restraint scenario is one a remediator that does nothing passes, yet spec.expect asks for action (mustHalt, mustPage, minActions, minProposals or maxFalseNegatives)",
		},
	},
	"unknown pattern, tier and rung": {
		data: func(t *testing.T) string {
			return edit(t, "pattern: remediation-storm", "pattern: storm", "tier: pr", "tier: weekly", "rung: unsupervised", "rung: autonomous")
		},
		want: []string{
			`storm.yaml: spec.pattern: Unsupported value: "storm": supported values: "autoscaler-feedback-loop", "capacity-removal", "cascading-restarts", "lying-health-check-false-negative", "lying-health-check-false-positive", "remediation-storm", "retry-amplification", "stale-view", "unsafe-failover"`,
			`storm.yaml: spec.tier: Unsupported value: "weekly": supported values: "pr", "nightly"`,
			`storm.yaml: spec.automations[0].rung: Unsupported value: "autonomous": supported values: "alert", "runbook", "supervised", "unsupervised"`,
		},
	},
	"name does not match the file": {
		file: "tempest.yaml",
		data: func(t *testing.T) string { return storm },
		want: []string{
			`tempest.yaml: metadata.name: Invalid value: "storm": must match the file name "tempest": set metadata.name: tempest (a copy of the shipped scenario "storm" runs under its own name, so the history keeps them apart)`,
		},
	},
	"not a scenario": {
		data: func(t *testing.T) string { return edit(t, "kind: Scenario", "kind: SafetyCase") },
		want: []string{
			`storm.yaml: kind: Unsupported value: unknown kind "SafetyCase": must be Scenario`,
		},
	},
	"not YAML": {
		data: func(t *testing.T) string { return "spec: [\n" },
		want: []string{
			"storm.yaml: Invalid value: invalid YAML: yaml: line 1: did not find expected node content",
		},
	},
	"empty": {
		data: func(t *testing.T) string { return "# nothing\n" },
		want: []string{
			"storm.yaml: Invalid value: no document: want a Scenario of apiVersion interlock.dev/v1alpha1",
		},
	},
}
