// Command gendocs writes the reference pages of docs/ from the Go types
// (internal/docgen). Run it from the repository's root: make generate does.
package main
