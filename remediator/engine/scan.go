package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// indexed is an informer that lets its store be read: client-go's shared
// informers, which the controller-runtime cache hands out, are.
type indexed interface {
	GetIndexer() toolscache.Indexer
}

// Scan calls fn with each object of list's kind that the informer cache
// holds in namespace ns ("" for all of them), until fn returns false.
// They are the cache's own objects: fn must only read them, and must not
// keep them.
//
// Counting the scope of an automation with a label selector reads every
// pod of its namespaces on each action it considers. A List, even without
// deep copies, builds a slice of every object by value: at 10,000 pods
// that was 12 MB and most of the decision's time. Scan walks the
// informer's namespace index, and lists only when there is no informer to
// read (Informers unset, or a cache that is not client-go's).
func (e *Engine) Scan(ctx context.Context, list client.ObjectList, ns string, fn func(client.Object) bool) error {
	if e.Informers != nil {
		if store, ok, err := e.store(ctx, list); err != nil {
			return err
		} else if ok {
			var objs []any
			if ns == "" {
				objs = store.List()
			} else if objs, err = store.ByIndex(toolscache.NamespaceIndex, ns); err != nil {
				return fmt.Errorf("failed to read the cache's namespace index: %w", err)
			}
			for _, o := range objs {
				obj, ok := o.(client.Object)
				if !ok {
					return fmt.Errorf("the cache holds a %T, not an API object", o)
				}
				if !fn(obj) {
					return nil
				}
			}
			return nil
		}
	}
	var opts []client.ListOption
	if ns != "" {
		opts = append(opts, client.InNamespace(ns))
	}
	if err := e.Client.List(ctx, list, append(opts, client.UnsafeDisableDeepCopy)...); err != nil {
		return fmt.Errorf("failed to list: %w", err)
	}
	err := meta.EachListItem(list, func(o runtime.Object) error {
		obj, ok := o.(client.Object)
		if !ok {
			return fmt.Errorf("the list holds a %T, not an API object", o)
		}
		if !fn(obj) {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// store is the informer's store for list's kind, if it can be read.
func (e *Engine) store(ctx context.Context, list client.ObjectList) (toolscache.Indexer, bool, error) {
	gvk, err := e.Client.GroupVersionKindFor(list)
	if err != nil {
		return nil, false, fmt.Errorf("failed to find the kind of %T: %w", list, err)
	}
	gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
	obj, err := e.Client.Scheme().New(gvk)
	if err != nil {
		return nil, false, fmt.Errorf("failed to make a %s: %w", gvk.Kind, err)
	}
	co, ok := obj.(client.Object)
	if !ok {
		return nil, false, fmt.Errorf("%s is not an API object", gvk.Kind)
	}
	return e.storeOf(ctx, co)
}

// storeOf is the informer's store for obj's kind, if it can be read.
func (e *Engine) storeOf(ctx context.Context, obj client.Object) (toolscache.Indexer, bool, error) {
	inf, err := e.Informers.GetInformer(ctx, obj, cache.BlockUntilSynced(true))
	if err != nil {
		return nil, false, fmt.Errorf("failed to get the %T informer: %w", obj, err)
	}
	idx, ok := inf.(indexed)
	if !ok {
		return nil, false, nil
	}
	return idx.GetIndexer(), true, nil
}

// Indexed counts the objects of obj's kind that the informer cache's
// index holds under value, without reading them. ok is false when there
// is no such index to read (Informers unset, a cache that is not
// client-go's, or an index that was never added): the caller then walks
// the objects with Scan.
func (e *Engine) Indexed(ctx context.Context, obj client.Object, index, value string) (n int, ok bool, err error) {
	if e.Informers == nil {
		return 0, false, nil
	}
	store, ok, err := e.storeOf(ctx, obj)
	if err != nil || !ok {
		return 0, false, err
	}
	if _, ok := store.GetIndexers()[index]; !ok {
		return 0, false, nil
	}
	keys, err := store.IndexKeys(index, value)
	if err != nil {
		return 0, false, fmt.Errorf("failed to read the cache's index %s: %w", index, err)
	}
	return len(keys), true, nil
}

// errStop ends a walk over a list early.
var errStop = errors.New("stop")

// InformerGetter hands out the informer cache's informers.
type InformerGetter interface {
	GetInformer(ctx context.Context, obj client.Object, opts ...cache.InformerGetOption) (cache.Informer, error)
}
