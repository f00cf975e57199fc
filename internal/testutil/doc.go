// Package testutil holds helpers for tests: golden files, the test clock, and waits on a cluster that say what they saw when they time out. The tests of any package import it, and so do the library files of test/e2e, which are test code that ships in no binary; no other package does. It must not import remediator/, harness/, scenarios/ or test/e2e, whose tests use it.
package testutil
