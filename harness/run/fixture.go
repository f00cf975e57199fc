package run

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/harness/workload"
	"github.com/interlock-dev/interlock/scenarios"
)

// fixture creates the scenario's objects and waits for its workloads.
func (r *runner) fixture(ctx context.Context) error {
	objs, err := scenarios.Render(r.opts.Scenario)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if r.opts.NoRemediator {
			if _, ok := o.(*v1alpha1.Automation); ok {
				continue
			}
		}
		if err := r.admin.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("failed to create %T %s: %w", o, o.GetName(), err)
		}
	}
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		var deps appsv1.DeploymentList
		if err := r.admin.List(ctx, &deps); err != nil {
			return false, nil
		}
		for _, d := range deps.Items {
			if d.Spec.Replicas != nil && d.Status.AvailableReplicas < *d.Spec.Replicas {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("fixture workloads never became available: %w", err)
	}
	if workload.NeedsMetrics(r.opts.Scenario) {
		return workload.Settle(ctx, r.workloadEnv(nil), r.loads, r.opts.SampleEvery, r.sample)
	}
	return nil
}

// workloadEnv is what the loads need of the run.
func (r *runner) workloadEnv(inj experiments.Injector) workload.Env {
	return workload.Env{Client: r.admin, Injector: inj, Progress: r.progress}
}
