// Package validation validates safety cases and the Automations that carry them, and lints safety-case files with a field path in every finding; it imports the API types and internal/manifest only, never the remediator, the harness or the scenarios.
package validation
