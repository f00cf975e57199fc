// Package scenarios holds the embedded scenario files that the harness runs.
package scenarios
