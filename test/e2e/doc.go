// Package e2e holds interlock's end-to-end tests on the embedded cluster as e2e-framework features, built by the library files and run by thin _test.go files; it drives interlock as a built binary, so it may import any package of the module but internal/cli, and nothing may import it.
package e2e
