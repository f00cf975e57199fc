// Package pages is an Alertmanager-compatible webhook receiver that records every page a remediator sends.
package pages
