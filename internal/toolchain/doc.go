// Package toolchain builds the embedded cluster's components from pinned Go modules into a per-version cache.
package toolchain
