// Package scorecard is the data model of one scenario run's result (its types, Finalize, ExitCode and the pure queries the renderings read) and must import nothing but the standard library, least of all anything else of the harness.
package scorecard
