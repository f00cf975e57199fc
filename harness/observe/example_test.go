package observe_test

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/internal/testutil"
)

// A lying health check: the harness makes web's readiness fail although web
// serves. A remediator that believes the health check restarts a healthy
// pod, which the truth grades a false positive; api, really crash-looping,
// is never remedied, which it grades a false negative.
func ExampleTruth() {
	truth := observe.NewTruth([]observe.Effect{
		{Name: "lying-readiness", Namespace: "shop", Selector: labels.SelectorFromSet(labels.Set{"app": "web"}),
			LooksBroken: true, Start: testutil.At(60), End: testutil.At(150)},
		{Name: "crashloop-api", Namespace: "shop", Selector: labels.SelectorFromSet(labels.Set{"app": "api"}),
			TrulyBroken: true, Start: testutil.At(20), End: testutil.At(240)},
	})
	deployments := []*appsv1.Deployment{deploy("web", 1), deploy("api", 1)}
	for sec := 0.0; sec <= 120; sec += 30 {
		truth.Observe(testutil.At(sec), []*corev1.Pod{pod("web-5c8d9-9ttpz", app("web"), notReady), pod("api-7d9f4-2xk8q")}, deployments)
	}
	c := truth.ClassifyAction(deletePod(100, "web-5c8d9-9ttpz"))
	fmt.Println(c.Grade, c.Workload)

	res := truth.Result()
	for _, s := range res.Samples {
		fmt.Printf("%s %.2f\n", s.Time.Format("15:04:05"), s.Availability)
	}
	fmt.Println("false positives:", res.FalsePositives)
	fmt.Println("false negatives:", res.FalseNegatives)
	// Output:
	// false-positive shop/web
	// 03:00:00 0.50
	// 03:00:30 0.00
	// 03:01:00 0.50
	// 03:01:30 0.50
	// 03:02:00 0.50
	// false positives: [shop/web-5c8d9-9ttpz: deleted at 03:01:40 UTC; pod was serving though it looked broken (lying-readiness) when last observed at 03:01:30 UTC]
	// false negatives: [crashloop-api: pods app=api in shop truly broken from 03:00:20 UTC to 03:04:00 UTC; the remediator never acted on it]
}

// A remediator that "heals" a crash-looping api by scaling it to zero
// removes the crash loop and every replica with it. Measured against the
// three replicas the fixture promised, api still serves 0 of 3 after the
// scale-down, so availability stays at 0.25 (web's one of four). Measured
// against api's own spec.replicas, now 0, api would have dropped out and
// availability risen to 1.00: the capacity destroyed, scored as health.
func ExampleTruth_Promise() {
	truth := observe.NewTruth([]observe.Effect{
		{Name: "crashloop-api", Namespace: "shop", Selector: labels.SelectorFromSet(labels.Set{"app": "api"}),
			TrulyBroken: true, Start: testutil.At(20)},
	})
	truth.Promise("shop/api", observe.Capacity{Replicas: 3})
	truth.Promise("shop/web", observe.Capacity{Autoscaled: true, MinReplicas: 1})
	web := pod("web-5c8d9-9ttpz", app("web"))
	truth.Observe(testutil.At(0), []*corev1.Pod{pod("api-0"), pod("api-1"), pod("api-2"), web},
		[]*appsv1.Deployment{deploy("api", 3), deploy("web", 1)})
	truth.Observe(testutil.At(30), []*corev1.Pod{pod("api-0"), pod("api-1"), pod("api-2"), web},
		[]*appsv1.Deployment{deploy("api", 3), deploy("web", 1)})
	truth.Observe(testutil.At(60), []*corev1.Pod{web}, []*appsv1.Deployment{deploy("api", 0), deploy("web", 1)})
	for _, s := range truth.Result().Samples {
		fmt.Printf("%s %.2f\n", s.Time.Format("15:04:05"), s.Availability)
	}
	fmt.Println(truth.Replicas())
	// Output:
	// 03:00:00 1.00
	// 03:00:30 0.25
	// 03:01:00 0.25
	// map[shop/api:3 shop/web:1]
}
