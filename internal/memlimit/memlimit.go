package memlimit

import (
	"context"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Headroom is the limit's multiple of the live heap once that multiple is
// above the floor: the collector then runs when the heap has grown by half
// of what survived the last collection, never near every allocation.
const Headroom = 1.5

// Limit is the soft limit for a live heap of live bytes: floor, or
// Headroom times live once that is more.
//
// A fixed limit bounds a small process tightly, its caches' initial list
// included, but one whose live heap reaches it collects without pause
// (the runtime caps that at about half the CPU). Following the live heap
// with headroom keeps the first and never the second.
func Limit(live uint64, floor int64) int64 {
	if want := float64(live) * Headroom; want > float64(floor) {
		if want >= math.MaxInt64 {
			return math.MaxInt64
		}
		return int64(want)
	}
	return floor
}

// liveHeap is the runtime's metric of the heap that survived the last
// collection.
const liveHeap = "/gc/heap/live:bytes"

// Live is the heap that survived the last collection, in bytes.
func Live() uint64 {
	s := []metrics.Sample{{Name: liveHeap}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// Follow sets the runtime's soft memory limit to Limit(Live(), floor) now
// and then every interval until ctx ends.
func Follow(ctx context.Context, floor int64, every time.Duration) {
	debug.SetMemoryLimit(Limit(Live(), floor))
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			debug.SetMemoryLimit(Limit(Live(), floor))
		}
	}
}
