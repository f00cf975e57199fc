package ledger_test

import (
	"fmt"
	"os"

	"github.com/interlock-dev/interlock/harness/ledger"
)

// Parse an audit log for the remediator's mutating requests, then count its
// pod restarts: the deletion and the eviction that went through, but not the
// eviction a disruption budget refused, nor its bookkeeping writes.
func ExampleParse() {
	f, err := os.Open("testdata/audit.log")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	entries, err := ledger.Parse(f, "system:serviceaccount:interlock-system:remediator")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range ledger.Actions(entries, ledger.PodRestarts) {
		fmt.Printf("%s %s %s %d\n", e.Time.Format("15:04:05"), e.Verb, e.Object(), e.Code)
	}
	fmt.Println("entries:", len(entries))
	fmt.Println("pod restarts:", ledger.Count(entries, ledger.PodRestarts))
	fmt.Println("node writes:", ledger.Count(entries, ledger.NodeWrites))
	// Output:
	// 03:00:50 delete pods shop/api-7d9f4-2xk8q 200
	// 03:01:05 create pods/eviction shop/api-7d9f4-8pl2m 201
	// 03:01:05 create pods/eviction shop/api-7d9f4-r5c7w 429
	// entries: 11
	// pod restarts: 2
	// node writes: 1
}
