package flock_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/internal/flock"
)

func TestLockExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := flock.Lock(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	// A second holder waits; with a short deadline it gives up.
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := flock.Lock(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock while held: %v, want deadline exceeded", err)
	}
	unlock()
	unlock2, err := flock.Lock(t.Context(), path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	unlock2()
}

func TestTryLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := flock.TryLock(path)
	if err != nil || unlock == nil {
		t.Fatalf("TryLock of a free lock: %v, %v", unlock != nil, err)
	}
	if again, err := flock.TryLock(path); err != nil || again != nil {
		t.Fatalf("TryLock of a held lock: got the lock %v, %v", again != nil, err)
	}
	unlock()
	again, err := flock.TryLock(path)
	if err != nil || again == nil {
		t.Fatalf("TryLock after release: %v, %v", again != nil, err)
	}
	again()
}
