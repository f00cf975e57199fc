package builtin

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kwokv1alpha1 "sigs.k8s.io/kwok/pkg/apis/v1alpha1"
)

// stageGVR is kwok's Stage resource, which the embedded cluster serves.
var stageGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "stages"}

// Stage roles, the value of RoleLabel.
const (
	// roleMark stages mark pods created while a fault lasts, so that
	// replacements inherit it.
	roleMark = "mark"
	// roleEffect stages make marked objects report the fault.
	roleEffect = "effect"
	// roleRecoverPods and roleRecoverNodes stages bring objects whose
	// marker reads "recovering" back to health and remove the marker.
	roleRecoverPods  = "recover-pods"
	roleRecoverNodes = "recover-nodes"
)

// stageWeight outweighs kwok's default lifecycle stages (weight 0): when a
// fault's stage matches an object, kwok always plays it, never the default.
const stageWeight = 1000

// stage is a kwok Stage for one fault, before it is turned into an API object.
type stage struct {
	fault string
	// suffix tells the fault's stages apart in their names.
	suffix string
	role   string
	// kind is Pod or Node.
	kind        string
	matchLabels map[string]string
	exprs       []kwokv1alpha1.MatchExpression
	delay       time.Duration
	// delayFrom, if set, is a JQ expression for the time to play the stage
	// at (RFC 3339); delay is the fallback.
	delayFrom string
	steps     []kwokv1alpha1.StageStep
}

func stageName(fault, suffix string) string { return "interlock-" + fault + "-" + suffix }

func (s stage) object() (*unstructured.Unstructured, error) {
	st := &kwokv1alpha1.Stage{
		TypeMeta: metav1.TypeMeta{APIVersion: kwokv1alpha1.GroupVersion.String(), Kind: kwokv1alpha1.StageKind},
		ObjectMeta: metav1.ObjectMeta{
			Name:   stageName(s.fault, s.suffix),
			Labels: map[string]string{FaultLabel: s.fault, RoleLabel: s.role},
		},
		Spec: kwokv1alpha1.StageSpec{
			ResourceRef: kwokv1alpha1.StageResourceRef{APIGroup: "v1", Kind: s.kind},
			Selector: &kwokv1alpha1.StageSelector{
				MatchLabels:      s.matchLabels,
				MatchExpressions: s.exprs,
			},
			Weight: stageWeight,
			Steps:  s.steps,
		},
	}
	if s.delay > 0 {
		st.Spec.Delay = &kwokv1alpha1.StageDelay{DurationMilliseconds: new(s.delay.Milliseconds())}
		if s.delayFrom != "" {
			st.Spec.Delay.DurationFrom = &kwokv1alpha1.ExpressionFrom{JQ: &kwokv1alpha1.ExpressionJQ{Expression: s.delayFrom}}
		}
	}
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(st)
	if err != nil {
		return nil, fmt.Errorf("failed to convert stage %s: %w", st.Name, err)
	}
	return &unstructured.Unstructured{Object: raw}, nil
}

// createStages creates the stages in order. A stage that already exists is
// replaced, so that a retried injection does not keep a stale one.
func (i *Injector) createStages(ctx context.Context, stages ...stage) error {
	for _, s := range stages {
		obj, err := s.object()
		if err != nil {
			return err
		}
		_, err = i.dc.Resource(stageGVR).Create(ctx, obj, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			if err = i.deleteStage(ctx, obj.GetName()); err == nil {
				_, err = i.dc.Resource(stageGVR).Create(ctx, obj, metav1.CreateOptions{})
			}
		}
		if err != nil {
			return fmt.Errorf("failed to create stage %s: %w", obj.GetName(), err)
		}
	}
	return nil
}

func (i *Injector) deleteStage(ctx context.Context, name string) error {
	err := i.dc.Resource(stageGVR).Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("failed to delete stage %s: %w", name, err)
	}
	return nil
}

// jq is a selector expression evaluated by kwok with JQ.
func jq(key string, op kwokv1alpha1.SelectorOperator, values ...string) kwokv1alpha1.MatchExpression {
	return kwokv1alpha1.MatchExpression{JQ: &kwokv1alpha1.SelectorJQ{Key: key, Operator: op, Values: values}}
}

func labelKey(key string) string { return fmt.Sprintf(".metadata.labels[%s]", strconv.Quote(key)) }

// Selector expressions shared by the stages.
var (
	notDeleting = jq(".metadata.deletionTimestamp", kwokv1alpha1.SelectorOpDoesNotExist)
	notFinished = jq(".status.phase", kwokv1alpha1.SelectorOpNotIn, "Succeeded", "Failed")
)

func markerIs(fault string, values ...string) kwokv1alpha1.MatchExpression {
	return jq(labelKey(Marker(fault)), kwokv1alpha1.SelectorOpIn, values...)
}

func unmarked(fault string) kwokv1alpha1.MatchExpression {
	return jq(labelKey(Marker(fault)), kwokv1alpha1.SelectorOpDoesNotExist)
}

// nodeReadyIs matches nodes by the status of their Ready condition.
func nodeReadyIs(op kwokv1alpha1.SelectorOperator, values ...string) kwokv1alpha1.MatchExpression {
	return jq(`.status.conditions.[] | select( .type == "Ready" ) | .status`, op, values...)
}

// labelStep sets (value non-nil) or removes (nil) a label.
func labelStep(key string, value *string) kwokv1alpha1.StageStep {
	tpl, _ := json.Marshal(map[string]map[string]*string{"labels": {key: value}})
	return kwokv1alpha1.StageStep{Patch: &kwokv1alpha1.StagePatch{Root: "metadata", Template: string(tpl)}}
}

func statusStep(template string) kwokv1alpha1.StageStep {
	return kwokv1alpha1.StageStep{Patch: &kwokv1alpha1.StagePatch{Subresource: "status", Root: "status", Template: template}}
}

// markStage marks the pods a fault's selector matches that did not exist
// when it was injected: pods created while the fault lasts (replacements of
// restarted pods, scale-ups) inherit the fault, as they would inherit a bad
// configuration or a broken dependency.
func markStage(fault, namespace string, matchLabels map[string]string, existing []string) stage {
	exprs := []kwokv1alpha1.MatchExpression{
		jq(".metadata.namespace", kwokv1alpha1.SelectorOpIn, namespace),
		unmarked(fault),
		notDeleting,
		notFinished,
	}
	if len(existing) > 0 {
		exprs = append(exprs, jq(".metadata.name", kwokv1alpha1.SelectorOpNotIn, existing...))
	}
	return stage{
		fault: fault, suffix: "mark", role: roleMark, kind: "Pod",
		matchLabels: matchLabels,
		exprs:       exprs,
		steps:       []kwokv1alpha1.StageStep{labelStep(Marker(fault), new(markerActive))},
	}
}

// Pod status modes of podStatusTemplate.
const (
	podCrash   = "crash"
	podUnready = "unready"
	podHealthy = "healthy"
)

// podEffectStage makes the fault's marked pods report mode: crash repeats
// every period, raising the restart count each time; unready is applied once.
func podEffectStage(fault, mode string, targets []string, period time.Duration) stage {
	s := stage{
		fault: fault, suffix: mode, role: roleEffect, kind: "Pod",
		exprs: []kwokv1alpha1.MatchExpression{markerIs(fault, markerActive, markerNudged), notDeleting, notFinished},
		steps: []kwokv1alpha1.StageStep{statusStep(podStatusTemplate(mode, targets))},
	}
	if mode == podCrash {
		s.delay = period
	}
	return s
}

// recoverPodsStage brings pods whose marker reads recovering back to
// Running and Ready, keeping their restart count, and removes the marker.
// The marker goes first: once it is gone no stage of the fault matches the
// pod, whatever kwok still has queued.
func recoverPodsStage(fault string) stage {
	return stage{
		fault: fault, suffix: "recover-pods", role: roleRecoverPods, kind: "Pod",
		exprs: []kwokv1alpha1.MatchExpression{markerIs(fault, markerRecovering, markerRecoveringAgain), notDeleting, notFinished},
		steps: []kwokv1alpha1.StageStep{
			labelStep(Marker(fault), nil),
			statusStep(podStatusTemplate(podHealthy, nil)),
		},
	}
}

// nodeConditionStage makes the fault's marked nodes report a condition.
func nodeConditionStage(fault, suffix string, exprs []kwokv1alpha1.MatchExpression, delay time.Duration, steps ...kwokv1alpha1.StageStep) stage {
	return stage{
		fault: fault, suffix: suffix, role: roleEffect, kind: "Node",
		exprs: exprs, delay: delay, steps: steps,
	}
}

// readyFor is a JQ expression for when a node's Ready condition will have
// held for period: its last transition plus period. Other updates to the
// node (taints) would otherwise restart a plain delay.
func readyFor(period time.Duration) string {
	return fmt.Sprintf(`.status.conditions[] | select( .type == "Ready" ) | .lastTransitionTime | fromdateiso8601 + %d | todateiso8601`,
		int64(period.Round(time.Second)/time.Second))
}

// recoverNodesStage brings nodes whose marker reads recovering back to
// kwok's healthy conditions and removes the marker.
func recoverNodesStage(fault string) stage {
	return stage{
		fault: fault, suffix: "recover-nodes", role: roleRecoverNodes, kind: "Node",
		exprs: []kwokv1alpha1.MatchExpression{markerIs(fault, markerRecovering, markerRecoveringAgain)},
		steps: []kwokv1alpha1.StageStep{
			labelStep(Marker(fault), nil),
			statusStep(nodeHealthyTemplate),
		},
	}
}

// podStatusTemplate renders a pod's status (kwok's Go template) in one of
// three modes, for the containers named in targets (all if empty):
//
//   - crash: the containers wait in CrashLoopBackOff after exiting 1, their
//     restart count one higher than before; the others run.
//   - unready: the containers run but are not ready (a failing readiness
//     probe); the restart count is kept.
//   - healthy: every container runs and is ready; the restart count and the
//     last termination are kept, as a kubelet keeps them.
//
// Pending pods get what kwok's pod-ready stage gives them (IPs, start
// time). Timestamps of conditions already in the wanted state are kept, so
// that the unready and healthy renderings are fixed points (kwok then does
// not patch again) and a remediator's "not ready for 2 minutes" is measured
// from the first failure, not the last crash.
func podStatusTemplate(mode string, targets []string) string {
	quoted := make([]string, len(targets))
	for i, t := range targets {
		quoted[i] = strconv.Quote(t)
	}
	return fmt.Sprintf("{{ $mode := %s }}\n{{ $targets := list %s }}\n", strconv.Quote(mode), strings.Join(quoted, " ")) + podStatusBody
}

const podStatusBody = `
{{ $now := Now }}
{{ $root := . }}
{{ $status := or .status dict }}
{{ $conds := dict }}
{{ range (or $status.conditions list) }}{{ $_ := set $conds .type . }}{{ end }}
{{ $prev := dict }}
{{ range (or $status.containerStatuses list) }}{{ $_ := set $prev .name . }}{{ end }}
{{ $healthy := eq $mode "healthy" }}
{{ $failing := list }}
{{ range .spec.containers }}{{ if and (not $healthy) (or (eq (len $targets) 0) (has .name $targets)) }}{{ $failing = append $failing .name }}{{ end }}{{ end }}
{{ $want := ternary "True" "False" $healthy }}
phase: Running
startTime: {{ or $status.startTime $now | Quote }}
{{ if not $status.podIP }}
{{ with NodeIPsWith .spec.nodeName }}
hostIP: {{ index . 0 | Quote }}
hostIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
{{ with PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
podIP: {{ index . 0 | Quote }}
podIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
{{ end }}
conditions:
{{ $c := or (index $conds "Initialized") dict }}
- type: Initialized
  status: "True"
  lastTransitionTime: {{ if eq (toString (index $c "status")) "True" }}{{ index $c "lastTransitionTime" | Quote }}{{ else }}{{ $now | Quote }}{{ end }}
{{ range $type := list "Ready" "ContainersReady" }}
{{ $c := or (index $conds $type) dict }}
- type: {{ $type }}
  status: {{ $want | Quote }}
{{ if $healthy }}
  reason: null
  message: null
{{ else }}
  reason: ContainersNotReady
  message: {{ printf "containers with unready status: [%s]" (join " " $failing) | Quote }}
{{ end }}
  lastTransitionTime: {{ if eq (toString (index $c "status")) $want }}{{ index $c "lastTransitionTime" | Quote }}{{ else }}{{ $now | Quote }}{{ end }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
{{ $p := or (index $prev .name) dict }}
{{ $rc := 0 }}
{{ with index $p "restartCount" }}{{ $rc = atoi (toString .) }}{{ end }}
{{ $state := or (index $p "state") dict }}
{{ $fail := has .name $failing }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
{{ if and $fail (eq $mode "crash") }}
  ready: false
  started: false
  restartCount: {{ add1 $rc }}
  lastState:
    terminated:
      exitCode: 1
      reason: Error
      startedAt: {{ with $state.running }}{{ .startedAt | Quote }}{{ else }}{{ $now | Quote }}{{ end }}
      finishedAt: {{ $now | Quote }}
  state:
    waiting:
      reason: CrashLoopBackOff
      message: {{ printf "back-off restarting failed container=%s pod=%s" .name $root.metadata.name | Quote }}
{{ else }}
  ready: {{ not $fail }}
  started: true
  restartCount: {{ $rc }}
{{ with index $p "lastState" }}
  lastState: {{ toJson . }}
{{ end }}
  state:
    running:
      startedAt: {{ with $state.running }}{{ .startedAt | Quote }}{{ else }}{{ $now | Quote }}{{ end }}
{{ end }}
{{ end }}
`

// nodeConditionTemplate renders one node condition. Its timestamps are
// kept while the condition already reads status, so that kwok does not
// patch the node again and again.
func nodeConditionTemplate(typ, status, reason, message string) string {
	return fmt.Sprintf("{{ $type := %s }}\n{{ $want := %s }}\n{{ $reason := %s }}\n{{ $message := %s }}\n",
		strconv.Quote(typ), strconv.Quote(status), strconv.Quote(reason), strconv.Quote(message)) + nodeConditionBody
}

const nodeConditionBody = `
{{ $now := Now }}
{{ $status := or .status dict }}
{{ $c := dict }}
{{ range (or $status.conditions list) }}{{ if eq .type $type }}{{ $c = . }}{{ end }}{{ end }}
{{ $keep := eq (toString (index $c "status")) $want }}
conditions:
- type: {{ $type | Quote }}
  status: {{ $want | Quote }}
  reason: {{ $reason | Quote }}
  message: {{ $message | Quote }}
  lastHeartbeatTime: {{ if $keep }}{{ index $c "lastHeartbeatTime" | Quote }}{{ else }}{{ $now | Quote }}{{ end }}
  lastTransitionTime: {{ if $keep }}{{ index $c "lastTransitionTime" | Quote }}{{ else }}{{ $now | Quote }}{{ end }}
`

// nodeHealthyTemplate renders kwok's healthy node conditions (Ready True,
// no pressure) and sets any other condition (a node-problem-detector one) to
// False.
const nodeHealthyTemplate = `
{{ $now := Now }}
{{ $status := or .status dict }}
{{ $defaults := dict }}
{{ range NodeConditions }}{{ $_ := set $defaults .type . }}{{ end }}
{{ $cur := dict }}
{{ range (or $status.conditions list) }}{{ $_ := set $cur .type . }}{{ end }}
conditions:
{{ range NodeConditions }}
{{ $c := or (index $cur .type) dict }}
- type: {{ .type | Quote }}
  status: {{ .status | Quote }}
  reason: {{ .reason | Quote }}
  message: {{ .message | Quote }}
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ if eq (toString (index $c "status")) .status }}{{ index $c "lastTransitionTime" | Quote }}{{ else }}{{ $now | Quote }}{{ end }}
{{ end }}
{{ range (or $status.conditions list) }}
{{ if not (hasKey $defaults .type) }}
- type: {{ .type | Quote }}
  status: "False"
  reason: InterlockFaultRecovered
  message: "the fault that set this condition was recovered"
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ if eq (toString .status) "False" }}{{ .lastTransitionTime | Quote }}{{ else }}{{ $now | Quote }}{{ end }}
{{ end }}
{{ end }}
`
