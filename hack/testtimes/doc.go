// Command testtimes reads `go test -json` on stdin and prints, slowest
// first, how long each package and each test took, and for each package
// how much of its time its tests spent running at once: the figures
// docs/test-suite.md reports.
//
//	GOTEST_FLAGS=-json ./hack/test.sh e2e | go run ./hack/testtimes
package main
