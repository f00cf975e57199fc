package run

import (
	"context"
	"fmt"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// freshEvery is how often the sampler checks its watches against the API
// server. A watch that, at a check, still shows an object older than the
// API server listed it at the check before has fallen at least this far
// behind, and the truth it gives is no longer the cluster's.
const freshEvery = 30 * time.Second

// freshPage is how many objects a check lists per request; a check reads
// every pod, Deployment and node, a page at a time.
const freshPage = 1000

// versions are the resource versions the API server listed, by
// kind/namespace/name.
type versions map[string]uint64

// behind names an object that the watch shows older than the API server
// listed it at the previous check (prev), or not at all though the API
// server still has the object it listed then (existed, asked after the
// watch): the watch has missed an event that is at least a check old.
// Objects whose versions are not numbers are not compared. cached reads
// the watch's version of an object.
//
// A list is a snapshot: an object it still shows may have been deleted
// since, and the watch, rightly, no longer has it. So a missing object is
// a lag only if the API server still has it once the watch was asked.
func behind(prev versions, cached func(key string) (uint64, bool), existed func(key string) bool) (string, bool) {
	for key, was := range prev {
		have, ok := cached(key)
		switch {
		case ok && have < was:
			return fmt.Sprintf("%s at resource version %d, though the API server listed it at %d %s ago", key, have, was, freshEvery), true
		case !ok && existed(key):
			return fmt.Sprintf("no %s, though the API server has had it for at least %s", key, freshEvery), true
		}
	}
	return "", false
}

// keep records an object's version, if it is a number.
func (v versions) keep(kind, namespace, name, rv string) {
	if n, err := strconv.ParseUint(rv, 10, 64); err == nil {
		v[kind+" "+namespace+"/"+name] = n
	}
}

// list reads every pod, Deployment and node from the API server itself,
// a page at a time. A page is not enough: a stalled watch keeps the
// objects that stopped changing before it stalled, such as the first pods
// of a fixture, at their right versions.
func list(ctx context.Context, cs kubernetes.Interface) (versions, error) {
	v := versions{}
	err := eachPage(ctx, cs.CoreV1().Pods("").List, func(l *corev1.PodList) string {
		for _, p := range l.Items {
			v.keep("pod", p.Namespace, p.Name, p.ResourceVersion)
		}
		return l.Continue
	})
	if err != nil {
		return nil, fmt.Errorf("failed to list pods: %w", err)
	}
	err = eachPage(ctx, cs.AppsV1().Deployments("").List, func(l *appsv1.DeploymentList) string {
		for _, d := range l.Items {
			v.keep("deployment", d.Namespace, d.Name, d.ResourceVersion)
		}
		return l.Continue
	})
	if err != nil {
		return nil, fmt.Errorf("failed to list deployments: %w", err)
	}
	err = eachPage(ctx, cs.CoreV1().Nodes().List, func(l *corev1.NodeList) string {
		for _, n := range l.Items {
			v.keep("node", "", n.Name, n.ResourceVersion)
		}
		return l.Continue
	})
	if err != nil {
		return nil, fmt.Errorf("failed to list nodes: %w", err)
	}
	return v, nil
}

// eachPage lists page after page, freshPage objects each, handing each page
// to keep, which returns the page's continue token, until the last.
func eachPage[L any](ctx context.Context, list func(context.Context, metav1.ListOptions) (L, error), keep func(L) string) error {
	opts := metav1.ListOptions{Limit: freshPage}
	for {
		page, err := list(ctx, opts)
		if err != nil {
			return err
		}
		if opts.Continue = keep(page); opts.Continue == "" {
			return nil
		}
	}
}

// cachedVersion is the watch's version of the object key names.
func (s *sampler) cachedVersion(key string) (uint64, bool) {
	var rv string
	switch kind, nsName, _ := cut(key); kind {
	case "pod":
		ns, name := splitKey(nsName)
		p, err := s.pods.Pods(ns).Get(name)
		if err != nil {
			return 0, false
		}
		rv = p.ResourceVersion
	case "deployment":
		ns, name := splitKey(nsName)
		d, err := s.deps.Deployments(ns).Get(name)
		if err != nil {
			return 0, false
		}
		rv = d.ResourceVersion
	case "node":
		_, name := splitKey(nsName)
		n, err := s.nodes.Get(name)
		if err != nil {
			return 0, false
		}
		rv = n.ResourceVersion
	}
	n, err := strconv.ParseUint(rv, 10, 64)
	return n, err == nil
}

// watchFreshness checks the watches against the API server every
// freshEvery until ctx ends, and records the first lag it finds: from then
// on every sample is an error, and the run ends without a verdict on a
// truth it cannot trust. A check the API server does not answer is not a
// lag; the next one tries again.
func (s *sampler) watchFreshness(ctx context.Context, cs kubernetes.Interface) {
	t := time.NewTicker(freshEvery)
	defer t.Stop()
	var prev versions
	var prevAt time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		at := time.Now()
		cur, err := list(ctx, cs)
		if err != nil {
			continue
		}
		if what, lag := behind(prev, s.cachedVersion, existedAt(ctx, cs, prevAt)); lag {
			s.lagged(fmt.Errorf("the harness's watch of the cluster fell behind the API server: it shows %s", what))
			return
		}
		prev, prevAt = cur, at
	}
}

// existedAt reports whether the API server has, now, the object key names
// as it was when listed: created before then (creation times are stored to
// the second), so not one made again under the same name since. Asked
// after the watch, an object the API server still has was there when the
// watch was asked, deleting or not. An object the API server cannot be
// asked about is taken as gone: the next check asks again.
func existedAt(ctx context.Context, cs kubernetes.Interface, listed time.Time) func(key string) bool {
	return func(key string) bool {
		var obj metav1.Object
		var err error
		kind, nsName, _ := cut(key)
		ns, name := splitKey(nsName)
		switch kind {
		case "pod":
			obj, err = cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		case "deployment":
			obj, err = cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		case "node":
			obj, err = cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		default:
			return false
		}
		return err == nil && obj.GetCreationTimestamp().Time.Before(listed.Truncate(time.Second))
	}
}
