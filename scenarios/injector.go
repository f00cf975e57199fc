package scenarios

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
)

// injectorValidate reports what the built-in injector cannot honour in a
// fault. faultPath is the fault's path (spec.faults[i]) and kind the field
// that holds its spec. The injector reports the object's fields under
// faultPath.KIND.spec; a scenario holds the spec directly under KIND, so
// the ".spec" is dropped to name the field as it is written in the file.
func injectorValidate(f experiments.Fault, faultPath *field.Path, kind string) field.ErrorList {
	// Validate reads only the fault, so it needs no cluster and no instance.
	// Importing builtin registers it.
	inj, ok := experiments.Lookup(builtin.Name)
	if !ok {
		return field.ErrorList{field.InternalError(faultPath, fmt.Errorf("the %s injector is not registered", builtin.Name))}
	}
	errs := inj.Validate(f, faultPath)
	object := faultPath.Child(kind).String()
	for _, e := range errs {
		switch {
		case e.Field == object+".spec":
			e.Field = object
		case strings.HasPrefix(e.Field, object+".spec."):
			e.Field = object + strings.TrimPrefix(e.Field, object+".spec")
		}
	}
	return errs
}
