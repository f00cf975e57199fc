// Package flock serializes work across processes with an advisory file lock; it imports the standard library only.
package flock
