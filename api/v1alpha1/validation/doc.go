// Package validation validates safety cases and the Automations that carry them, and lints safety-case files with a field path in every finding; it imports the API types only, never the remediator or the harness.
package validation
