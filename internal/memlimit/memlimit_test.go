package memlimit_test

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/internal/memlimit"
	"github.com/interlock-dev/interlock/internal/testutil"
)

func TestLimit(t *testing.T) {
	const floor = 96 << 20
	tests := map[string]struct {
		live uint64
		want int64
	}{
		"nothing live":                     {live: 0, want: floor},
		"a small heap keeps the floor":     {live: 55 << 20, want: floor},
		"at the floor's edge":              {live: 64 << 20, want: floor},
		"a large heap gets its headroom":   {live: 200 << 20, want: 300 << 20},
		"a heap past int64 stays in range": {live: math.MaxUint64, want: math.MaxInt64},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := memlimit.Limit(tc.live, floor); got != tc.want {
				t.Errorf("Limit(%d, %d) = %d, want %d", tc.live, floor, got, tc.want)
			}
		})
	}
}

// TestFollowRaisesTheLimitWithTheLiveHeap runs Follow with a floor far
// below what this test keeps live, and checks the runtime's limit rises to
// the headroom above it rather than staying at the floor.
func TestFollowRaisesTheLimitWithTheLiveHeap(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	keep := make([]byte, 64<<20)
	for i := range keep {
		keep[i] = byte(i)
	}
	runtime.GC()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const floor = 1 << 20
	go memlimit.Follow(ctx, floor, 10*time.Millisecond)
	want := int64(float64(len(keep)) * memlimit.Headroom)
	var got int64
	err := testutil.Until(ctx, 10*time.Millisecond, 10*time.Second, func(context.Context) (bool, error) {
		got = debug.SetMemoryLimit(-1)
		return got >= want && got != math.MaxInt64, nil
	})
	if err != nil {
		t.Fatalf("limit %d, want at least %d for a live heap of %d: %v", got, want, len(keep), err)
	}
	runtime.KeepAlive(keep)
}
