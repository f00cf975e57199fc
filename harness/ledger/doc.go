// Package ledger builds the ledger of a run, every mutating request a remediator made, from the API server's audit log, and classifies and attributes each write, independently of what the remediator says of itself; it must import nothing of the remediator (remediator/), only the shared language (api/, contract/) and the scorecard model.
package ledger
