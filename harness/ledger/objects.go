package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// object is the part of a Kubernetes object, as a request or response body
// carries it, that grading reads.
type object struct {
	Kind string `json:"kind"`
	Spec struct {
		Unschedulable *bool `json:"unschedulable"`
		Taints        *[]struct {
			Key    string `json:"key"`
			Value  string `json:"value"`
			Effect string `json:"effect"`
		} `json:"taints"`
		Replicas *int32          `json:"replicas"`
		Paused   *bool           `json:"paused"`
		Suspend  *bool           `json:"suspend"`
		Template json.RawMessage `json:"template"`
	} `json:"spec"`
	Status struct {
		Conditions []struct {
			Type               string    `json:"type"`
			Status             string    `json:"status"`
			Reason             string    `json:"reason"`
			LastTransitionTime time.Time `json:"lastTransitionTime"`
		} `json:"conditions"`
	} `json:"status"`
}

// stateOf reads the state an accepted write left its object in: from the
// response body (the object as stored), else, for a create or an update,
// from the request body (the whole object as sent). A patch's request body
// is only the change, so without a response body it gives nothing. It
// returns nil when no body is recorded or the body is not an object grading
// reads.
func stateOf(response, request json.RawMessage, verb string) *scorecard.ObjectState {
	body := response
	if len(body) == 0 && (verb == "create" || verb == "update") {
		body = request
	}
	if len(body) == 0 {
		return nil
	}
	var o object
	if err := json.Unmarshal(body, &o); err != nil {
		return nil
	}
	var st scorecard.ObjectState
	switch o.Kind {
	case "Node":
		unschedulable := o.Spec.Unschedulable != nil && *o.Spec.Unschedulable
		st.Unschedulable = &unschedulable
		if o.Spec.Taints != nil {
			for _, t := range *o.Spec.Taints {
				s := t.Key
				if t.Value != "" {
					s += "=" + t.Value
				}
				st.Taints = append(st.Taints, s+":"+t.Effect)
			}
		}
	case "Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Scale", "ReplicationController":
		st.Replicas = o.Spec.Replicas
		st.Paused = o.Spec.Paused
		if len(o.Spec.Template) > 0 {
			sum := sha256.Sum256(o.Spec.Template)
			st.Template = hex.EncodeToString(sum[:8])
		}
	case "CronJob", "Job":
		st.Paused = o.Spec.Suspend
	case "Automation":
		for _, c := range o.Status.Conditions {
			if c.Type == "Halted" {
				st.Halted = &scorecard.Condition{Status: c.Status, Reason: c.Reason, LastTransitionTime: c.LastTransitionTime}
			}
		}
	default:
		return nil
	}
	return &st
}
