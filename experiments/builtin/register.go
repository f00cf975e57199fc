package builtin

import (
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/experiments"
)

// Name names the builtin injector in the registry, a run's options and
// scorecards.
const Name = "builtin"

// Importing the package registers the injector (see experiments.Lookup).
func init() {
	experiments.Register(experiments.Registration{
		Name:     Name,
		Validate: validate,
		Connect: func(cfg *rest.Config) (experiments.ClusterInjector, error) {
			i, err := New(cfg)
			if err != nil {
				return nil, err
			}
			return i, nil
		},
	})
}
