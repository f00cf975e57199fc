// Package memlimit keeps the Go runtime's soft memory limit at a floor or at a multiple of the live heap, whichever is higher; it imports the standard library only.
package memlimit
