// Package safetycase validates safety cases and the Automations that carry them, and lints safety-case files with a field path in every finding.
package safetycase
