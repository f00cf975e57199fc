// Package scenarios holds the embedded scenario files that the harness runs, with their format, validation (faults against the table of fault kinds and the builtin injector's registered validation) and rendering; its code must not import harness/ or remediator/.
package scenarios
