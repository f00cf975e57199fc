// Package safetycases holds the safety cases shipped with the remediator's built-in automations, one embedded YAML file per automation.
package safetycases
