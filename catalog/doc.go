// Package catalog holds the embedded failure-pattern entries and the incidents behind them.
package catalog
