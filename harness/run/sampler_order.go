package run

import (
	"slices"
	"strings"
)

// keyed is a watched object: a pointer the watch replaces, never changes,
// whenever the object changes.
type keyed interface {
	comparable
	GetNamespace() string
	GetName() string
}

// order puts each sample's objects of one kind in namespace/name order at
// the cost of a lookup an object, not of a sort: an object the last sample
// held (the same pointer, so the same namespace and name) goes back to its
// place in that sample, and only the objects it did not hold, created or
// changed since, are sorted and merged in. Sorting ten thousand pods on
// every sample made a sample grow as n log n, with a cache miss on each
// comparison. It is not safe for concurrent use.
type order[T keyed] struct {
	// place is where each object of the last sample stood in it.
	place map[T]int
	// slots and fresh are scratch space kept from sample to sample: this
	// sample's objects at their last places, and the objects new to it.
	slots []T
	fresh []T
}

// sort puts list in namespace/name order in place and returns it.
func (o *order[T]) sort(list []T) []T {
	if o.place == nil {
		o.place = map[T]int{}
	}
	o.slots = slices.Grow(o.slots[:0], len(o.place))[:len(o.place)]
	o.fresh = o.fresh[:0]
	for _, x := range list {
		if i, ok := o.place[x]; ok {
			o.slots[i] = x
		} else {
			o.fresh = append(o.fresh, x)
		}
	}
	changed := len(o.fresh) > 0 || len(list) != len(o.place)
	slices.SortFunc(o.fresh, byKey[T])
	out, next := list[:0], 0
	var none T
	for _, x := range o.slots {
		if x == none {
			continue // gone or changed since the last sample
		}
		for next < len(o.fresh) && byKey(o.fresh[next], x) < 0 {
			out = append(out, o.fresh[next])
			next++
		}
		out = append(out, x)
	}
	out = append(out, o.fresh[next:]...)
	clear(o.slots)
	clear(o.fresh)
	if changed {
		clear(o.place)
		for i, x := range out {
			o.place[x] = i
		}
	}
	return out
}

// byKey orders objects by namespace, then name.
func byKey[T interface {
	GetNamespace() string
	GetName() string
}](a, b T) int {
	if c := strings.Compare(a.GetNamespace(), b.GetNamespace()); c != 0 {
		return c
	}
	return strings.Compare(a.GetName(), b.GetName())
}
