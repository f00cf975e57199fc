package scenarios_test

import (
	"errors"
	"fmt"

	"github.com/interlock-dev/interlock/scenarios"
)

func ExampleLoad() {
	s, err := scenarios.Load("storm")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Name(), s.Spec.Pattern, s.Spec.Tier, s.Spec.Duration)
	for _, f := range s.Faults() {
		fmt.Printf("%s: %s at %s for %s\n", f.Name, f.Object.GetObjectKind().GroupVersionKind().Kind, f.At, f.For)
	}
	// Output:
	// storm remediation-storm pr 1m40s
	// storm-pods-fail: PodChaos at 5s for 1m35s
}

func ExampleParse() {
	_, err := scenarios.Parse("mine.yaml", []byte(`apiVersion: interlock.dev/v1alpha1
kind: Scenario
metadata:
  name: mine
spec:
  description: A workload that crashes.
  pattern: remediation-storm
  tier: pr
  duration: 1m
  fixture:
    nodes: 1
    workloads:
    - name: api
      namespace: shop
      replicas: 2
  faults:
  - name: crash
    at: 90s
    podChaos:
      action: pod-kill
      mode: one
      selector:
        namespaces: [shop]
        labelSelectors: {app: api}
  automations:
  - name: restart
    type: unhealthy-workload
    rung: unsupervised
    namespaces: [shop]
`))
	var se *scenarios.Error
	if errors.As(err, &se) {
		for _, line := range se.Lines() {
			fmt.Println(line)
		}
	}
	// Output:
	// mine.yaml: spec.faults[0].at: Invalid value: "1m30s": starts after the run ends (duration 1m0s)
	// mine.yaml: spec.automations[0].safetyCase: Required value: name a shipped safety case (bad-deploy, certificate-expiry, disk-pressure, node-loss, unhealthy-workload) or write one inline in safetyCaseSpec
	// mine.yaml: spec.expect: Required value: a remediator that does nothing would pass this scenario: expect something only acting satisfies (mustHalt: true, mustPage: true, minActions, minProposals or maxFalseNegatives), or mark it spec.restraint: true if doing nothing is correct
}
