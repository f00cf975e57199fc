package e2e

import (
	"context"
	"sync"
	"testing"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
)

// undo is a feature's teardown: what its steps made, undone last first by
// the feature's Teardown step. A feature's setup calls guard, so that what
// was made is undone too when a step stops the feature before its
// teardown.
type undo struct {
	mu  sync.Mutex
	fns []func()
}

// push adds fn to what the teardown undoes.
func (u *undo) push(fn func()) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.fns = append(u.fns, fn)
}

// guard undoes what is left when t, a feature's setup's, ends.
func (u *undo) guard(t *testing.T) { t.Cleanup(u.run) }

// run undoes everything pushed so far, last first, once.
func (u *undo) run() {
	for {
		u.mu.Lock()
		n := len(u.fns)
		if n == 0 {
			u.mu.Unlock()
			return
		}
		fn := u.fns[n-1]
		u.fns = u.fns[:n-1]
		u.mu.Unlock()
		fn()
	}
}

// teardown is the feature's Teardown step.
func (u *undo) teardown(ctx context.Context, _ *testing.T, _ *envconf.Config) context.Context {
	u.run()
	return ctx
}
