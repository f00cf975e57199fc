// Package builtin injects a documented subset of the Chaos Mesh fault types, and NodeChaos, into the embedded cluster through the API and kwok Stages, registering itself as experiments.Lookup("builtin"); its code must not import harness/, scenarios/ or remediator/.
package builtin
