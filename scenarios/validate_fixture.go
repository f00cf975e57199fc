package scenarios

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func (v *validator) fixture(fp *field.Path) {
	fx := &v.s.Spec.Fixture
	p := fp.Child("nodes")
	switch {
	case fx.Nodes == 0:
		v.add(field.Required(p, fmt.Sprintf("say how many nodes the cluster has, from 1 to %d", MaxNodes)))
	case fx.Nodes < 0 || fx.Nodes > MaxNodes:
		v.add(field.Invalid(p, int64(fx.Nodes), fmt.Sprintf("must be from 1 to %d", MaxNodes)))
	}
	seen := map[string]int{}
	secrets := map[string]int{}
	for i := range fx.Workloads {
		w := &fx.Workloads[i]
		wp := fp.Child("workloads").Index(i)
		ok := v.dnsLabel(wp.Child("name"), w.Name)
		if w.Namespace == "" {
			v.add(field.Required(wp.Child("namespace"), "name the workload's namespace; there is no default"))
			ok = false
		} else if !v.namespace(wp.Child("namespace"), w.Namespace) {
			ok = false
		}
		key := w.Namespace + "/" + w.Name
		if j, dup := seen[key]; dup && w.Name != "" {
			v.add(duplicate(wp.Child("name"), w.Name, fmt.Sprintf("spec.fixture.workloads[%d] has the same namespace and name", j)))
			ok = false
		} else {
			seen[key] = i
		}
		if w.Kind != "" && w.Kind != KindDeployment {
			v.add(field.NotSupported(wp.Child("kind"), w.Kind, []WorkloadKind{KindDeployment}))
		}
		switch {
		case w.Replicas == 0:
			v.add(field.Required(wp.Child("replicas"), "say how many pods the workload has, at least 1"))
		case w.Replicas < 0:
			v.add(field.Invalid(wp.Child("replicas"), w.Replicas, "must be at least 1"))
		}
		v.podLabels(w.Labels, wp.Child("labels"))
		for j, r := range w.Rollouts {
			rp := wp.Child("rollouts").Index(j)
			v.window(rp, &r.At, nil)
			if len(r.Labels) == 0 {
				v.add(field.Required(rp.Child("labels"), "say which labels mark the new revision's pods, such as version: v2"))
			}
			v.podLabels(r.Labels, rp.Child("labels"))
		}
		if w.ReadinessPath != "" && !strings.HasPrefix(w.ReadinessPath, "/") {
			v.add(field.Invalid(wp.Child("readinessPath"), w.ReadinessPath, "must be an HTTP path starting with /"))
		}
		switch {
		case w.TLSSecret != "":
			sp := wp.Child("tlsSecret")
			for _, msg := range validation.IsDNS1123Subdomain(w.TLSSecret) {
				v.add(field.Invalid(sp, w.TLSSecret, msg))
			}
			skey := w.Namespace + "/" + w.TLSSecret
			if j, dup := secrets[skey]; dup {
				v.add(duplicate(sp, w.TLSSecret, fmt.Sprintf("spec.fixture.workloads[%d] has the same secret; each workload has its own", j)))
			} else {
				secrets[skey] = i
			}
			if w.ValidFor == nil {
				v.add(field.Required(wp.Child("validFor"), "say how long the certificate is valid, such as 24h"))
			} else {
				v.positive(wp.Child("validFor"), w.ValidFor, "say how long the certificate is valid, such as 24h")
			}
		case w.ValidFor != nil:
			v.add(field.Forbidden(wp.Child("validFor"), "only with tlsSecret"))
		}
		v.autoscale(w, wp)
		if v.copies(w, wp) && ok {
			v.workloads = append(v.workloads, w.expand()...)
		}
	}
	v.copyNames(fp.Child("workloads"))
	v.fits(fp)
}

// expand returns the workload, or its copies.
func (w *Workload) expand() []*Workload {
	fx := Fixture{Workloads: []Workload{*w}}
	if w.Copies <= 1 {
		return []*Workload{w}
	}
	var out []*Workload
	for _, c := range fx.Expand() {
		out = append(out, &c)
	}
	return out
}

// copies checks a workload's copies: not negative, a last copy's name that
// is still a DNS label, and none of what a copy cannot share with the
// others. It reports whether the copies can be stamped out.
func (v *validator) copies(w *Workload, wp *field.Path) bool {
	cp := wp.Child("copies")
	switch {
	case w.Copies < 0:
		v.add(field.Invalid(cp, w.Copies, "must be at least 1, or left out for one"))
		return false
	case w.Copies > MaxCopies:
		v.add(field.Invalid(cp, w.Copies, fmt.Sprintf("must be at most %d", MaxCopies)))
		return false
	case w.Copies <= 1:
		return true
	}
	ok := true
	if last := CopyName(w.Name, int(w.Copies)-1); w.Name != "" && len(validation.IsDNS1123Label(last)) > 0 {
		v.add(field.Invalid(cp, w.Copies, fmt.Sprintf("the last copy would be named %q, which is not a DNS label of at most 63 characters: shorten the name", last)))
		ok = false
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"tlsSecret", w.TLSSecret != ""}, {"rollouts", len(w.Rollouts) > 0}, {"autoscale", w.Autoscale != nil}} {
		if f.set {
			v.add(field.Forbidden(wp.Child(f.name), "not with copies: declare each workload that needs one on its own"))
			ok = false
		}
	}
	return ok
}

// copyNames reports a copy whose name another workload of the fixture has.
func (v *validator) copyNames(wp *field.Path) {
	fx := &v.s.Spec.Fixture
	declared := map[string]int{}
	for i, w := range fx.Workloads {
		declared[w.Namespace+"/"+w.Name] = i
	}
	for i, w := range fx.Workloads {
		if w.Copies <= 1 || w.Copies > MaxCopies {
			continue
		}
		for c := range int(w.Copies) {
			name := CopyName(w.Name, c)
			if j, dup := declared[w.Namespace+"/"+name]; dup {
				v.add(duplicate(wp.Index(j).Child("name"), name, fmt.Sprintf("copy %d of spec.fixture.workloads[%d] (%s, copies %d) has the same namespace and name", c, i, w.Name, w.Copies)))
			}
		}
	}
}

// fits checks that the fixture's pods, at the most its autoscalers allow,
// fit on its nodes.
func (v *validator) fits(fp *field.Path) {
	fx := &v.s.Spec.Fixture
	if fx.Nodes <= 0 || fx.Nodes > MaxNodes {
		return
	}
	pods := 0
	for _, w := range fx.Workloads {
		n := int(max(w.Replicas, 0))
		if w.Autoscale != nil {
			n = max(n, int(w.Autoscale.MaxReplicas))
		}
		pods += n * int(max(w.Copies, 1))
	}
	if room := fx.Nodes * NodePods; pods > room {
		v.add(field.Invalid(fp.Child("workloads"), omit, fmt.Sprintf(
			"the fixture's %d pods do not fit on its %d node(s) of %d pods each (%d): add nodes or take pods away", pods, fx.Nodes, NodePods, room)))
	}
}

// autoscale checks a workload's CPU request and autoscaler: a positive
// request, which the autoscaler needs; a range of at least one replica that
// holds the replicas the workload starts with; a positive target.
func (v *validator) autoscale(w *Workload, wp *field.Path) {
	if w.CPURequest != nil && w.CPURequest.Sign() <= 0 {
		v.add(field.Invalid(wp.Child("cpuRequest"), w.CPURequest.String(), "must be a positive quantity, such as 100m"))
	}
	a := w.Autoscale
	if a == nil {
		return
	}
	ap := wp.Child("autoscale")
	if w.CPURequest == nil {
		v.add(field.Required(wp.Child("cpuRequest"), "an autoscaled workload needs a CPU request, such as 100m: the autoscaler measures utilization against it"))
	}
	rangeOK := true
	switch {
	case a.MinReplicas == 0:
		v.add(field.Required(ap.Child("minReplicas"), "say the fewest replicas the autoscaler scales to, at least 1"))
		rangeOK = false
	case a.MinReplicas < 0:
		v.add(field.Invalid(ap.Child("minReplicas"), a.MinReplicas, "must be at least 1"))
		rangeOK = false
	}
	switch {
	case a.MaxReplicas == 0:
		v.add(field.Required(ap.Child("maxReplicas"), "say the most replicas the autoscaler scales to"))
		rangeOK = false
	case rangeOK && a.MaxReplicas < a.MinReplicas:
		v.add(field.Invalid(ap.Child("maxReplicas"), a.MaxReplicas, fmt.Sprintf("must be at least minReplicas (%d)", a.MinReplicas)))
		rangeOK = false
	case a.MaxReplicas < 0:
		v.add(field.Invalid(ap.Child("maxReplicas"), a.MaxReplicas, "must be at least 1"))
		rangeOK = false
	}
	if rangeOK && w.Replicas > 0 && (w.Replicas < a.MinReplicas || w.Replicas > a.MaxReplicas) {
		v.add(field.Invalid(wp.Child("replicas"), w.Replicas, fmt.Sprintf("the autoscaler keeps the workload within %d to %d replicas: start within them", a.MinReplicas, a.MaxReplicas)))
	}
	switch {
	case a.TargetCPUUtilizationPercent == 0:
		v.add(field.Required(ap.Child("targetCPUUtilizationPercent"), "say the average CPU utilization to keep the pods at, in percent of cpuRequest, such as 50"))
	case a.TargetCPUUtilizationPercent < 0:
		v.add(field.Invalid(ap.Child("targetCPUUtilizationPercent"), a.TargetCPUUtilizationPercent, "must be a positive percentage"))
	}
}
