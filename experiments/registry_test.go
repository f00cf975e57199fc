package experiments_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/experiments"
)

var errConnect = errors.New("no cluster here")

// registerTest registers an injector named name that refuses every fault
// with one error and cannot connect.
func registerTest(name string) {
	experiments.Register(experiments.Registration{
		Name: name,
		Validate: func(f experiments.Fault, p *field.Path) field.ErrorList {
			return field.ErrorList{field.Forbidden(p, "refused by "+name)}
		},
		Connect: func(*rest.Config) (experiments.ClusterInjector, error) { return nil, errConnect },
	})
}

func TestRegistry(t *testing.T) {
	registerTest("test-registry")
	if !slices.Contains(experiments.Injectors(), "test-registry") {
		t.Errorf("Injectors() = %v, want test-registry among them", experiments.Injectors())
	}
	inj, ok := experiments.Lookup("test-registry")
	if !ok {
		t.Fatal("Lookup did not find a registered injector")
	}
	if inj.Name() != "test-registry" {
		t.Errorf("Name() = %q", inj.Name())
	}
	errs := inj.Validate(experiments.Fault{}, faultPath)
	if len(errs) != 1 || errs[0].Detail != "refused by test-registry" {
		t.Errorf("Validate = %v, want the registered validation's", errs)
	}
	if _, err := inj.Inject(context.Background(), experiments.Fault{}); !errors.Is(err, experiments.ErrNotConnected) {
		t.Errorf("Inject = %v, want ErrNotConnected", err)
	}
	if err := inj.Recover(context.Background(), experiments.Fault{}); !errors.Is(err, experiments.ErrNotConnected) {
		t.Errorf("Recover = %v, want ErrNotConnected", err)
	}
	if _, err := experiments.Connect("test-registry", &rest.Config{}); !errors.Is(err, errConnect) {
		t.Errorf("Connect = %v, want the connection's error", err)
	}
}

func TestRegistryUnknown(t *testing.T) {
	if _, ok := experiments.Lookup("no-such-injector"); ok {
		t.Error("Lookup found an injector never registered")
	}
	_, err := experiments.Connect("no-such-injector", &rest.Config{})
	if err == nil || !strings.Contains(err.Error(), `unknown injector "no-such-injector"`) {
		t.Errorf("Connect = %v, want an unknown injector error", err)
	}
}

func TestRegisterRefuses(t *testing.T) {
	registerTest("test-twice")
	tests := map[string]experiments.Registration{
		"a name registered twice": {Name: "test-twice", Validate: experiments.ValidateFault,
			Connect: func(*rest.Config) (experiments.ClusterInjector, error) { return nil, nil }},
		"no name": {Validate: experiments.ValidateFault,
			Connect: func(*rest.Config) (experiments.ClusterInjector, error) { return nil, nil }},
		"no validation": {Name: "test-no-validate",
			Connect: func(*rest.Config) (experiments.ClusterInjector, error) { return nil, nil }},
		"no connection": {Name: "test-no-connect", Validate: experiments.ValidateFault},
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			experiments.Register(r)
		})
	}
}
