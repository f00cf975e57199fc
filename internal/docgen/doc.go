// Package docgen writes the reference pages of docs/ from the Go types the data files decode into, so that they cannot drift from them; it reads source files only and imports nothing of the module.
package docgen
