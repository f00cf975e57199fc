// Command interlock is the chaos harness that tests remediators against their safety cases; its main only turns signals into a cancelled context and hands the command line to internal/cli, the one package of the module it may import.
package main
