// Package safetycases holds the shipped safety cases, one embedded YAML file per built-in automation, which the remediator runs with and the harness grades against; it must not import the remediator, the harness or the scenarios.
package safetycases
