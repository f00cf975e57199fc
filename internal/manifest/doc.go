// Package manifest decodes interlock's YAML files (scenarios, safety cases, failure patterns, RBAC rules) strictly, finds them by name in a file set or by path, and names the file, document and field path of every problem; it imports no package of this module, so that api/ may use it.
package manifest
