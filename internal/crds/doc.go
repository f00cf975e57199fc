// Package crds reads CustomResourceDefinition manifests embedded in the binary and installs them on a cluster.
package crds
