// Package observe watches a run from outside the remediator: it scrapes the remediator's metrics and computes the truth of what was broken, what served, and which actions were false positives or missed outages.
package observe
