package chaosmesh

import (
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/experiments"
)

// Name names the chaosmesh injector in the registry, a run's options and
// scorecards.
const Name = "chaosmesh"

// Importing the package registers the injector (see experiments.Lookup),
// connected with the default Options.
func init() {
	experiments.Register(experiments.Registration{
		Name:     Name,
		Validate: validate,
		Connect: func(cfg *rest.Config) (experiments.ClusterInjector, error) {
			i, err := NewForConfig(cfg, Options{})
			if err != nil {
				return nil, err
			}
			return i, nil
		},
	})
}
