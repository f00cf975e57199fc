// Package docgen writes the reference pages and JSON Schemas of docs/ from the Go types the data files decode into (scenarios, safety cases, the scorecard), so that they cannot drift from them; only tools and tests import it.
package docgen
