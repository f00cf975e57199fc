// Package safetycases holds the shipped safety cases, one embedded YAML file per built-in automation, which the remediator runs with and the harness grades against.
package safetycases
