package experiments

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// GroupVersion is the API group and version of interlock's own fault types.
var GroupVersion = schema.GroupVersion{Group: "interlock.dev", Version: "v1alpha1"}

// NodeChaosKind is the kind of NodeChaos.
const NodeChaosKind = "NodeChaos"

// NodeChaos is a node lifecycle fault: a node reporting NotReady, a node
// whose heartbeat stops, a node condition such as DiskPressure, or a node
// flapping between NotReady and Ready.
//
// It exists because Chaos Mesh has no node-lifecycle fault: its kinds act
// inside pods (PodChaos, NetworkChaos, StressChaos, ...) or on cloud and
// physical machines (AWSChaos, GCPChaos, PhysicalMachineChaos), never on the
// Node object and its kubelet's reports, which is what node remediators
// (reschedule off a dead node, cordon a sick one) watch. Its shape follows
// Chaos Mesh: a selector, a mode and a value.
type NodeChaos struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec NodeChaosSpec `json:"spec"`
}

var _ runtime.Object = (*NodeChaos)(nil)

// NodeChaosAction is what a NodeChaos does to its nodes.
type NodeChaosAction string

const (
	// NodeNotReadyAction makes the node's kubelet report Ready=False. The
	// node keeps its heartbeat: it is alive and says it is unwell.
	NodeNotReadyAction NodeChaosAction = "not-ready"
	// NodeHeartbeatLossAction stops the node's heartbeat (its Lease is no
	// longer renewed, and the kubelet stops acting), so that
	// kube-controller-manager marks it Ready=Unknown after its grace period
	// and taints it unreachable, as for a dead or partitioned node.
	NodeHeartbeatLossAction NodeChaosAction = "heartbeat-loss"
	// NodeConditionAction sets the condition in spec.condition, such as
	// DiskPressure=True.
	NodeConditionAction NodeChaosAction = "condition"
	// NodeFlapAction makes the node alternate between NotReady and Ready,
	// each held for spec.period.
	NodeFlapAction NodeChaosAction = "flap"
)

// NodeChaosActions lists every action, in documentation order.
var NodeChaosActions = []NodeChaosAction{NodeNotReadyAction, NodeHeartbeatLossAction, NodeConditionAction, NodeFlapAction}

// NodeChaosSpec describes the fault.
type NodeChaosSpec struct {
	// Action is what happens to the selected nodes. Required.
	Action NodeChaosAction `json:"action"`
	// Selector chooses the candidate nodes. Required: name nodes, labels or both.
	Selector NodeSelectorSpec `json:"selector"`
	// Mode chooses among the candidates, as in Chaos Mesh: one, all, fixed
	// (Value nodes) or fixed-percent (Value percent of them). Required.
	Mode chaosv1alpha1.SelectorMode `json:"mode"`
	// Value is the count for fixed and the percentage for fixed-percent.
	// Must be empty for the other modes.
	Value string `json:"value,omitempty"`
	// Condition is the condition to set. Required for the condition
	// action, forbidden for the others.
	Condition *NodeConditionSpec `json:"condition,omitempty"`
	// Period is how long each NotReady and each Ready phase lasts. Required
	// for the flap action (at least 1s), forbidden for the others.
	Period *metav1.Duration `json:"period,omitempty"`
}

// NodeSelectorSpec chooses nodes. Both parts are ANDed.
type NodeSelectorSpec struct {
	// Nodes names the candidate nodes.
	Nodes []string `json:"nodes,omitempty"`
	// LabelSelectors is a map of label keys and values the candidates carry.
	LabelSelectors map[string]string `json:"labelSelectors,omitempty"`
}

// NodeConditionSpec is a node condition to report.
type NodeConditionSpec struct {
	// Type is the condition, such as DiskPressure, MemoryPressure,
	// PIDPressure, NetworkUnavailable or a node-problem-detector condition.
	// Ready is not allowed: use the not-ready action.
	Type corev1.NodeConditionType `json:"type"`
	// Status is the reported status. Defaults to True.
	Status corev1.ConditionStatus `json:"status,omitempty"`
	// Reason is the condition's reason. Defaults to InterlockFault.
	Reason string `json:"reason,omitempty"`
	// Message is the condition's message. Defaults to a sentence naming the fault.
	Message string `json:"message,omitempty"`
}

// Validate reports every invalid field of the NodeChaos, each with its path
// under fldPath (the object's own path, such as spec.faults[0].nodeChaos).
func (c *NodeChaos) Validate(fldPath *field.Path) field.ErrorList {
	if c == nil {
		return field.ErrorList{field.Required(fldPath, "NodeChaos is missing")}
	}
	var errs field.ErrorList
	if gvk := c.GroupVersionKind(); gvk.Kind != "" || gvk.Group != "" || gvk.Version != "" {
		if gvk.GroupVersion() != GroupVersion {
			errs = append(errs, field.Invalid(fldPath.Child("apiVersion"), c.APIVersion, "must be "+GroupVersion.String()))
		}
		if gvk.Kind != NodeChaosKind {
			errs = append(errs, field.Invalid(fldPath.Child("kind"), c.Kind, "must be "+NodeChaosKind))
		}
	}
	spec := fldPath.Child("spec")
	s := &c.Spec
	switch s.Action {
	case "":
		errs = append(errs, field.Required(spec.Child("action"), "name what happens to the nodes"))
	case NodeNotReadyAction, NodeHeartbeatLossAction, NodeConditionAction, NodeFlapAction:
	default:
		errs = append(errs, field.NotSupported(spec.Child("action"), s.Action, NodeChaosActions))
	}
	errs = append(errs, validateNodeSelector(&s.Selector, spec.Child("selector"))...)
	errs = append(errs, ValidateMode(s.Mode, s.Value, spec)...)

	switch {
	case s.Action == NodeConditionAction && s.Condition == nil:
		errs = append(errs, field.Required(spec.Child("condition"), "the condition action needs the condition to set"))
	case s.Action == NodeConditionAction:
		errs = append(errs, validateCondition(s.Condition, spec.Child("condition"))...)
	case s.Condition != nil:
		errs = append(errs, field.Invalid(spec.Child("condition"), s.Condition.Type,
			fmt.Sprintf("only the %s action sets a condition", NodeConditionAction)))
	}
	switch {
	case s.Action == NodeFlapAction && s.Period == nil:
		errs = append(errs, field.Required(spec.Child("period"), "the flap action needs how long each phase lasts"))
	case s.Action == NodeFlapAction && s.Period.Duration < time.Second:
		errs = append(errs, field.Invalid(spec.Child("period"), s.Period.Duration.String(), "must be at least 1s"))
	case s.Action != NodeFlapAction && s.Period != nil:
		errs = append(errs, field.Invalid(spec.Child("period"), s.Period.Duration.String(),
			fmt.Sprintf("only the %s action has a period", NodeFlapAction)))
	}
	return errs
}

func validateNodeSelector(s *NodeSelectorSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(s.Nodes) == 0 && len(s.LabelSelectors) == 0 {
		errs = append(errs, field.Required(fldPath, "name nodes, label selectors or both: a NodeChaos never selects every node by default"))
	}
	for i, n := range s.Nodes {
		for _, msg := range validation.IsDNS1123Subdomain(n) {
			errs = append(errs, field.Invalid(fldPath.Child("nodes").Index(i), n, msg))
		}
	}
	errs = append(errs, ValidateLabels(s.LabelSelectors, fldPath.Child("labelSelectors"))...)
	return errs
}

func validateCondition(c *NodeConditionSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case c.Type == "":
		errs = append(errs, field.Required(fldPath.Child("type"), "name the condition, such as DiskPressure"))
	case c.Type == corev1.NodeReady:
		errs = append(errs, field.Invalid(fldPath.Child("type"), c.Type,
			fmt.Sprintf("use the %s action to make a node NotReady", NodeNotReadyAction)))
	default:
		for _, msg := range validation.IsQualifiedName(string(c.Type)) {
			errs = append(errs, field.Invalid(fldPath.Child("type"), c.Type, msg))
		}
	}
	switch c.Status {
	case "", corev1.ConditionTrue, corev1.ConditionFalse, corev1.ConditionUnknown:
	default:
		errs = append(errs, field.NotSupported(fldPath.Child("status"), c.Status,
			[]corev1.ConditionStatus{corev1.ConditionTrue, corev1.ConditionFalse, corev1.ConditionUnknown}))
	}
	return errs
}

// Modes lists the selector modes interlock honours.
var Modes = []chaosv1alpha1.SelectorMode{
	chaosv1alpha1.OneMode, chaosv1alpha1.AllMode, chaosv1alpha1.FixedMode, chaosv1alpha1.FixedPercentMode,
}

// ValidateMode checks a Chaos Mesh style mode and value, found at
// fldPath.mode and fldPath.value. random-max-percent is not honoured: its
// count is random, which would make runs unrepeatable.
func ValidateMode(mode chaosv1alpha1.SelectorMode, value string, fldPath *field.Path) field.ErrorList {
	switch mode {
	case "":
		return field.ErrorList{field.Required(fldPath.Child("mode"), "choose one, all, fixed or fixed-percent")}
	case chaosv1alpha1.OneMode, chaosv1alpha1.AllMode:
		if value != "" {
			return field.ErrorList{field.Invalid(fldPath.Child("value"), value,
				fmt.Sprintf("mode %s takes no value", mode))}
		}
	case chaosv1alpha1.FixedMode:
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 {
			return field.ErrorList{field.Invalid(fldPath.Child("value"), value, "mode fixed needs a count of at least 1")}
		}
	case chaosv1alpha1.FixedPercentMode:
		p, err := strconv.Atoi(value)
		if err != nil || p < 1 || p > 100 {
			return field.ErrorList{field.Invalid(fldPath.Child("value"), value, "mode fixed-percent needs a percentage from 1 to 100")}
		}
	default:
		return field.ErrorList{field.NotSupported(fldPath.Child("mode"), mode, Modes)}
	}
	return nil
}

// SelectCount is how many of n candidates mode and value choose. Validate
// them with ValidateMode first.
func SelectCount(mode chaosv1alpha1.SelectorMode, value string, n int) int {
	var k int
	switch mode {
	case chaosv1alpha1.OneMode:
		k = 1
	case chaosv1alpha1.AllMode:
		k = n
	case chaosv1alpha1.FixedMode:
		k, _ = strconv.Atoi(value)
	case chaosv1alpha1.FixedPercentMode:
		p, _ := strconv.Atoi(value)
		// Chaos Mesh rounds down; at least one, so that a small fleet is
		// not silently spared.
		k = max(n*p/100, 1)
	}
	return min(k, n)
}

// ValidateLabels checks a map of label keys and values.
func ValidateLabels(m map[string]string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedKeys(m) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(fldPath.Key(k), k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(m[k]) {
			errs = append(errs, field.Invalid(fldPath.Key(k), m[k], msg))
		}
	}
	return errs
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// DeepCopyObject implements runtime.Object.
func (c *NodeChaos) DeepCopyObject() runtime.Object {
	if c == nil {
		return nil
	}
	return c.DeepCopy()
}

// DeepCopy returns a deep copy of the NodeChaos.
func (c *NodeChaos) DeepCopy() *NodeChaos {
	if c == nil {
		return nil
	}
	out := &NodeChaos{TypeMeta: c.TypeMeta}
	c.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec = c.Spec
	out.Spec.Selector.Nodes = slices.Clone(c.Spec.Selector.Nodes)
	out.Spec.Selector.LabelSelectors = maps.Clone(c.Spec.Selector.LabelSelectors)
	if c.Spec.Condition != nil {
		cond := *c.Spec.Condition
		out.Spec.Condition = &cond
	}
	if c.Spec.Period != nil {
		p := *c.Spec.Period
		out.Spec.Period = &p
	}
	return out
}
