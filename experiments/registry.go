package experiments

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/rest"
)

// ClusterInjector is an Injector acting on a cluster, which can also take
// back every fault it ever applied there, those of an interrupted run too.
type ClusterInjector interface {
	Injector
	// RecoverAll takes back every fault the injector applied to the
	// cluster.
	RecoverAll(ctx context.Context) error
}

// Registration is what an injector package registers: its name, its
// validation, which reads only the fault, and how to connect it to a
// cluster.
type Registration struct {
	// Name names the injector, as a run's options and scorecards do.
	// Required and unique.
	Name string
	// Validate reports every field of a fault the injector cannot honour
	// (see Injector.Validate). Required. It needs no cluster and no
	// instance.
	Validate func(f Fault, fldPath *field.Path) field.ErrorList
	// Connect returns the injector acting on the cluster cfg reaches.
	// Required.
	Connect func(cfg *rest.Config) (ClusterInjector, error)
}

// ErrNotConnected is returned by Inject and Recover of an injector
// Lookup returned: it validates faults, and acts on no cluster.
var ErrNotConnected = errors.New("the injector is not connected to a cluster: use experiments.Connect")

var (
	registryMu sync.RWMutex
	registry   = map[string]Registration{}
)

// Register makes an injector known by its name. The injector packages
// call it from init, so that importing one registers it. It panics on a
// registration without a name, a Validate or a Connect, or with a name
// already registered: all are programming errors.
func Register(r Registration) {
	registryMu.Lock()
	defer registryMu.Unlock()
	switch {
	case r.Name == "" || r.Validate == nil || r.Connect == nil:
		panic(fmt.Sprintf("experiments: incomplete registration of injector %q", r.Name))
	case registry[r.Name].Name != "":
		panic(fmt.Sprintf("experiments: injector %q registered twice", r.Name))
	}
	registry[r.Name] = r
}

// Injectors returns the names of the registered injectors, sorted.
func Injectors() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Lookup returns the injector registered under name, for validation: its
// Validate needs no cluster, and its Inject and Recover return
// ErrNotConnected. False if no injector has that name; the caller must
// import the injector's package (or have it imported) to register it.
func Lookup(name string) (Injector, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	r, ok := registry[name]
	if !ok {
		return nil, false
	}
	return unconnected{r}, true
}

// Connect returns the injector registered under name, acting on the
// cluster cfg reaches.
func Connect(name string, cfg *rest.Config) (ClusterInjector, error) {
	registryMu.RLock()
	r, ok := registry[name]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown injector %q: want %s", name, strings.Join(Injectors(), " or "))
	}
	inj, err := r.Connect(cfg)
	if err != nil {
		return nil, fmt.Errorf("failed to connect the %s injector: %w", name, err)
	}
	return inj, nil
}

// unconnected is a registered injector before it is connected.
type unconnected struct{ r Registration }

func (u unconnected) Name() string { return u.r.Name }

func (u unconnected) Validate(f Fault, fldPath *field.Path) field.ErrorList {
	return u.r.Validate(f, fldPath)
}

func (u unconnected) Inject(context.Context, Fault) (Effect, error) {
	return Effect{}, fmt.Errorf("%s: %w", u.r.Name, ErrNotConnected)
}

func (u unconnected) Recover(context.Context, Fault) error {
	return fmt.Errorf("%s: %w", u.r.Name, ErrNotConnected)
}
