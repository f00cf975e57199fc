// Package experiments declares faults with Chaos Mesh API types, holds the one table of fault kinds and the registry of injectors (Lookup, Connect) that the injector packages register into, and must not import an injector (experiments/builtin, experiments/chaosmesh), harness/, scenarios/ or remediator/.
package experiments
