// Package chaosmesh injects faults by creating the Chaos Mesh custom resources they declare, on a cluster that runs Chaos Mesh.
package chaosmesh
