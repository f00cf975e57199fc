// Package pager sends pages to a human through an Alertmanager v2-compatible webhook.
package pager
