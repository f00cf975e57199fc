// Package flock serializes work across processes with an advisory file lock.
package flock
