package cli

import (
	"fmt"
	"io"

	"github.com/interlock-dev/interlock/harness/cluster"
)

// clusterProvider returns the provider named by --provider.
func clusterProvider(name string, progress io.Writer) (cluster.Provider, error) {
	switch name {
	case "embedded":
		return embeddedProvider(progress)
	case "kind":
		return nil, fmt.Errorf("the kind provider is not available in this build")
	}
	return nil, fmt.Errorf("invalid --provider %q: must be embedded or kind", name)
}
