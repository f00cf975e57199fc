// Package cli implements the interlock command line with cobra, one file per command, and is the one package where the harness and the remediator meet: it may import any package of the module but nothing under test/, and only cmd/interlock may import it.
package cli
