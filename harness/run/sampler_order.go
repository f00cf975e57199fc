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
	// last is the last sample's objects in order, and place where each
	// stood in it.
	last  []T
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
	o.replace(out)
	return out
}

// replace makes out the last sample, changing place only where out differs
// from the last sample: a watch that replaced a few objects costs a few
// changes, not a map of every object built again.
func (o *order[T]) replace(out []T) {
	var none T
	at := func(xs []T, i int) T {
		if i < len(xs) {
			return xs[i]
		}
		return none
	}
	n := max(len(out), len(o.last))
	// Objects that moved are deleted before any is placed: one may have
	// moved to a place already seen.
	for i := range n {
		if x := at(o.last, i); x != none && x != at(out, i) {
			delete(o.place, x)
		}
	}
	for i := range n {
		if x := at(out, i); x != none && x != at(o.last, i) {
			o.place[x] = i
		}
	}
	clear(o.last)
	o.last = append(o.last[:0], out...)
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
