// Package imports holds the test that keeps the house's import rules: the harness never imports the remediator it grades, and the API imports neither side.
package imports
