package scenarios_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/scenarios"
)

// windowFields are the fields of a fault that are not a kind.
var windowFields = []string{"name", "at", "for"}

// Fault has a field for every kind of the table of fault kinds, holding a
// pointer to the kind's spec type, and no field besides its window that is
// not a kind: the table and the scenario format stay in step.
func TestFaultFieldsFollowTheTable(t *testing.T) {
	fields := map[string]reflect.Type{}
	var order []string
	ft := reflect.TypeFor[scenarios.Fault]()
	for i := range ft.NumField() {
		name, _, _ := strings.Cut(ft.Field(i).Tag.Get("json"), ",")
		if slices.Contains(windowFields, name) {
			continue
		}
		fields[name] = ft.Field(i).Type
		order = append(order, name)
	}
	var kinds []string
	for _, k := range experiments.FaultKinds() {
		kinds = append(kinds, k.Field)
		typ, ok := fields[k.Field]
		if !ok {
			t.Errorf("Fault has no field %s for kind %s of the table", k.Field, k.Kind)
			continue
		}
		if typ.Kind() != reflect.Pointer {
			t.Errorf("Fault.%s is a %s, want a pointer to the kind's spec", k.Field, typ)
			continue
		}
		if _, ok := k.NewObject(metav1.ObjectMeta{}, reflect.New(typ.Elem()).Interface()); !ok {
			t.Errorf("Fault.%s holds a %s, which is not the spec of kind %s", k.Field, typ, k.Kind)
		}
	}
	if !slices.Equal(order, kinds) {
		t.Errorf("Fault's kind fields are %v, the table's kinds %v: keep them in one order", order, kinds)
	}
	if !slices.Equal(scenarios.FaultKinds, kinds) {
		t.Errorf("FaultKinds = %v, want the table's %v", scenarios.FaultKinds, kinds)
	}
}
