package catalog_test

import (
	"fmt"

	"github.com/interlock-dev/interlock/catalog"
)

func ExampleGet() {
	p, err := catalog.Get("unsafe-failover")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Spec.Title, p.Spec.Scenarios)
	// Output: Unsafe failover [node-loss node-flap bad-deploy node-loss-at-scale]
}

func ExampleCoverage() {
	patterns, err := catalog.All()
	if err != nil {
		fmt.Println(err)
		return
	}
	// Scenario files and the patterns they declare; "storm" exists, the
	// other scenarios the catalog lists do not yet.
	scenarios := map[string][]string{"storm": {"remediation-storm"}, "bad-deploy": nil}
	gaps := catalog.Coverage(patterns, scenarios).Gaps()
	fmt.Println(len(gaps), "gaps, for example:")
	fmt.Println(gaps[0])
	fmt.Println(gaps[len(gaps)-1])
	// Output:
	// 22 gaps, for example:
	// pattern "autoscaler-feedback-loop" has no existing scenario
	// pattern "unsafe-failover" lists scenario "node-loss-at-scale", which does not exist
}
