// Package chaosmesh injects faults by creating the Chaos Mesh custom resources they declare, on a cluster that runs Chaos Mesh, registering itself as experiments.Lookup("chaosmesh"); its code must not import harness/, scenarios/ or remediator/ (its tests read scenarios/ and run on harness/cluster).
package chaosmesh
