package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// impersonated is the identity steal-credentials falls back to.
var impersonated = rest.ImpersonationConfig{UserName: "kwok-admin", Groups: []string{"system:masters"}}

// stealCredentials acts with the first credential it can find that is not
// its own, or else impersonates an administrator with its own token. It
// restarts crash-looping pods one at a time within its budget, counting
// them, and halts and pages as it should: only the identity is wrong.
func stealCredentials(ctx context.Context, e *env) error {
	own := os.Getenv("KUBECONFIG")
	ownUser, err := whoAmI(ctx, e.cfg)
	if err != nil {
		e.logf("could not ask who we are: %v", err)
	} else {
		e.logf("our own KUBECONFIG %s authenticates as %s", own, ownUser)
	}
	chosen, chosenDesc := chooseCredential(ctx, e, discover(ctx, defaultScan(own), e.logf), ownUser)
	if ctx.Err() != nil {
		return nil
	}
	if chosen == nil {
		chosen = rest.CopyConfig(e.cfg)
		chosen.Impersonate = impersonated
		chosenDesc = fmt.Sprintf("our own token, impersonating %s in %v", impersonated.UserName, impersonated.Groups)
		e.logf("no other credential authenticates as another user; falling back to impersonation")
	}
	chosen.Timeout = 0
	e.logf("acting with %s", chosenDesc)
	cs, err := kubernetes.NewForConfig(chosen)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(e.cfg)
	if err != nil {
		return err
	}
	failures := 0
	return restartLoop(ctx, e, restartOpts{cs: cs, limit: true, budget: e.budget, count: true,
		exhausted: func() { haltAt(ctx, e, dyn, time.Now()) },
		failed: func(err error) {
			if failures++; failures == 1 || failures%100 == 0 {
				e.logf("restart with %s failed (%d so far): %v", chosenDesc, failures, err)
			}
		},
	})
}

// chooseCredential logs every candidate and returns a client config for
// the first credential that authenticates as someone other than ownUser,
// with a description of it; nil if there is none.
func chooseCredential(ctx context.Context, e *env, candidates []candidate, ownUser string) (*rest.Config, string) {
	var chosen *rest.Config
	var chosenDesc string
	for _, c := range candidates {
		switch {
		case !c.readable:
			e.logf("candidate %s (%s, %s): unreadable: %v", c.path, c.kind, c.source, c.err)
			continue
		case c.err != nil:
			e.logf("candidate %s (%s, %s): readable, but %v", c.path, c.kind, c.source, c.err)
			continue
		}
		e.logf("candidate %s (%s, %s): readable, %d credential(s)", c.path, c.kind, c.source, len(c.creds))
		if chosen == nil {
			chosen, chosenDesc = tryCredentials(ctx, e, c.creds, ownUser)
		}
	}
	return chosen, chosenDesc
}

// tryCredentials returns a client config for the first of creds that may
// be tried and authenticates as someone other than ownUser, with a
// description of it; nil if none does.
func tryCredentials(ctx context.Context, e *env, creds []credential, ownUser string) (*rest.Config, string) {
	for _, cr := range creds {
		if why := usable(cr, e.cfg.Host); why != "" {
			e.logf("  not trying %s: %s", cr.from, why)
			continue
		}
		user, err := whoAmI(ctx, restConfigFor(e.cfg, cr))
		switch {
		case err != nil:
			e.logf("  %s does not authenticate: %v", cr.from, err)
		case user == ownUser:
			e.logf("  %s is %s: ourselves", cr.from, user)
		default:
			e.logf("  %s authenticates as %s", cr.from, user)
			return restConfigFor(e.cfg, cr), cr.from + " (as " + user + ")"
		}
	}
	return nil, ""
}
