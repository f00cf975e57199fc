// Package config embeds the generated CRDs and manifests.
package config
