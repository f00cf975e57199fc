// Package policy makes the remediator's safety decisions as pure functions: a snapshot and the time in, a decision with a reason out.
package policy
