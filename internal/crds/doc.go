// Package crds reads CustomResourceDefinition manifests embedded in the binary and installs them on a cluster; it imports nothing of interlock but the API machinery.
package crds
