// Package suite runs a tier of scenarios, each paired with a baseline run, and writes one summary of their verdicts.
package suite
