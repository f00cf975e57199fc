// Package cli implements the interlock command line with cobra.
package cli
