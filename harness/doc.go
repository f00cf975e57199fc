// Package harness runs scenarios against remediators and grades them: harness/run carries out one run, harness/assert grades it, and the other packages under it observe, record and report; nothing under it imports the remediator it grades.
package harness
