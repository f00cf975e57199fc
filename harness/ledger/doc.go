// Package ledger builds the ledger of a run, every mutating request a remediator made, from the API server's audit log, independently of what the remediator says of itself.
package ledger
