// Package toolchain builds the embedded cluster's components, and the examples' tools on demand, from pinned Go modules into a per-version cache; it must not import the harness or the remediator.
package toolchain
