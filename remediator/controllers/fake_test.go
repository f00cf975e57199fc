package controllers_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/remediator/engine"
	"github.com/interlock-dev/interlock/remediator/metrics"
)

// The error paths run on a fake client that fails where a test says: a
// real API server fails on no one's command.

// fakeNamespace holds the fake engine's automations.
const fakeNamespace = "interlock-system"

// builderIndexer adds the engine's indexes to a fake client, as a
// manager's cache has them.
type builderIndexer struct{ b *fake.ClientBuilder }

func (i builderIndexer) IndexField(_ context.Context, obj client.Object, field string, extract client.IndexerFunc) error {
	i.b.WithIndex(obj, field, extract)
	return nil
}

// fakeEngine returns an engine on a fake client holding objs, whose calls
// funcs intercepts.
func fakeEngine(t *testing.T, funcs interceptor.Funcs, objs ...client.Object) *engine.Engine {
	t.Helper()
	b := fake.NewClientBuilder().WithScheme(contract.Scheme()).WithObjects(objs...).
		WithStatusSubresource(&v1alpha1.Automation{}, &v1alpha1.RemediationProposal{}).
		WithInterceptorFuncs(funcs)
	if err := engine.IndexAutomations(context.Background(), builderIndexer{b}); err != nil {
		t.Fatal(err)
	}
	return &engine.Engine{
		Client:    b.Build(),
		Recorder:  events.NewFakeRecorder(100),
		Metrics:   metrics.New(prometheus.NewRegistry()),
		Pager:     &pageRecorder{},
		Clock:     clock.RealClock{},
		Namespace: fakeNamespace,
	}
}
