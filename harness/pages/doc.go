// Package pages is an Alertmanager-compatible webhook receiver that records every page a remediator sends; it speaks only the webhook format over HTTP, so it must import nothing of interlock, least of all remediator/ (the remediator's pager is tested against it, not built with it).
package pages
