// Package catalog holds the embedded failure-pattern entries and the incidents behind them, decoded by internal/manifest; it must not import the scenarios, the harness or the remediator, which read it.
package catalog
