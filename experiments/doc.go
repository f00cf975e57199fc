// Package experiments declares faults with Chaos Mesh API types and injects them through role-named injectors.
package experiments
