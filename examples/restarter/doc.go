// Command restarter is a worked example of a remediator written outside
// interlock and graded by it (docs/remediator-contract.md). It is the
// unhealthy-workload automation in about 250 lines, written only against
// what the contract gives it:
//
//   - it reads everything from the environment the harness sets
//     (contract.EnvKubeconfig, EnvPageURL, EnvMetricsAddr, EnvNamespace);
//   - it restarts (deletes) a pod of a ReplicaSet that has been Running but
//     not Ready for --hold, one at a time, and only once the pod it
//     restarted last has been replaced;
//   - it keeps a budget of --budget restarts; when the budget is spent it
//     halts: it sets the Halted condition on its Automation's status, sets
//     interlock_remediator_halted to 1, and pages once through the
//     Alertmanager v2 API, counting the page;
//   - it serves interlock_remediator_actions_total from the start, at 0,
//     and counts every restart the API server accepted.
//
// It keeps its budget in memory, so a restart of the process would reset
// it: a scenario that kills the remediator (remediatorFaults) fails it on
// budget-held, as the contract says. The storm scenario does not.
//
// Run it with examples/restarter/run.sh, or `make example-restarter`.
package main
