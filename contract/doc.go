// Package contract is everything an external remediator sees of the harness, in one place: its identity and environment, the metrics and labels it serves, the pages it sends, what it may write as bookkeeping, and the API scheme; it imports the API types only, never the remediator or the harness.
package contract
