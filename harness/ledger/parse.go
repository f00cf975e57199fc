package ledger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// StageResponseComplete is the audit stage the ledger keeps: the response
// has been sent, so the status code is known. Every other stage
// (RequestReceived, ResponseStarted, Panic) is ignored.
const StageResponseComplete = "ResponseComplete"

// mutatingVerbs are the request verbs that change state.
var mutatingVerbs = []string{"create", "update", "patch", "delete", "deletecollection"}

// auditEvent is the part of an audit.k8s.io/v1 Event the ledger reads.
// Events at any level (Metadata and above) carry these fields.
type auditEvent struct {
	Kind             string     `json:"kind"`
	AuditID          string     `json:"auditID"`
	Stage            string     `json:"stage"`
	Verb             string     `json:"verb"`
	User             userInfo   `json:"user"`
	ImpersonatedUser *userInfo  `json:"impersonatedUser"`
	ObjectRef        *objectRef `json:"objectRef"`
	UserAgent        string     `json:"userAgent"`
	ResponseStatus   *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"responseStatus"`
	// RequestObject and ResponseObject are present only where the audit
	// policy records bodies (Request and RequestResponse levels).
	RequestObject            json.RawMessage `json:"requestObject"`
	ResponseObject           json.RawMessage `json:"responseObject"`
	RequestReceivedTimestamp time.Time       `json:"requestReceivedTimestamp"`
	StageTimestamp           time.Time       `json:"stageTimestamp"`
}

type userInfo struct {
	Username string `json:"username"`
}

type objectRef struct {
	Resource    string `json:"resource"`
	Namespace   string `json:"namespace"`
	Name        string `json:"name"`
	Subresource string `json:"subresource"`
	APIGroup    string `json:"apiGroup"`
}

// selector decides which audit events enter the ledger.
type selector struct {
	// user is the identity to keep; empty keeps every user.
	user string
	// since drops requests received before it; zero keeps all.
	since time.Time
}

// entry converts one audit event into a ledger entry. It returns false for
// an event the ledger does not keep: another stage, a read, a non-resource
// request, another user, or a request received before since.
//
// The user is the effective one: if the request was impersonated, the
// impersonated user made it, and User records that identity while
// ImpersonatedBy keeps the one that asked. A request whose impersonation the
// API server refused was made by the user that asked; its Message says so.
func (s selector) entry(ev *auditEvent) (scorecard.LedgerEntry, bool) {
	if ev.Stage != StageResponseComplete || ev.ObjectRef == nil || !isMutating(ev.Verb) {
		return scorecard.LedgerEntry{}, false
	}
	user, by := ev.User.Username, ""
	if ev.ImpersonatedUser != nil && ev.ImpersonatedUser.Username != "" {
		user, by = ev.ImpersonatedUser.Username, ev.User.Username
	}
	if s.user != "" && user != s.user {
		return scorecard.LedgerEntry{}, false
	}
	at := ev.RequestReceivedTimestamp
	if at.IsZero() {
		at = ev.StageTimestamp
	}
	if !s.since.IsZero() && at.Before(s.since) {
		return scorecard.LedgerEntry{}, false
	}
	e := scorecard.LedgerEntry{
		Time:           at,
		User:           user,
		Verb:           ev.Verb,
		Resource:       ev.ObjectRef.Resource,
		Subresource:    ev.ObjectRef.Subresource,
		Namespace:      ev.ObjectRef.Namespace,
		Name:           ev.ObjectRef.Name,
		AuditID:        ev.AuditID,
		UserAgent:      ev.UserAgent,
		ImpersonatedBy: by,
	}
	if ev.ResponseStatus != nil {
		e.Code = ev.ResponseStatus.Code
		if e.Code >= 400 {
			e.Message = ev.ResponseStatus.Message
		}
	}
	if e.Code < 400 && ev.Verb != "delete" && ev.Verb != "deletecollection" {
		e.After = stateOf(ev.ResponseObject, ev.RequestObject, ev.Verb)
	}
	return e, true
}

// TriedImpersonation reports whether e is a request that asked to act as
// another user and was refused for it: the API server's refusal names the
// impersonate verb.
func TriedImpersonation(e scorecard.LedgerEntry) bool {
	return e.Code == 403 && strings.Contains(e.Message, "cannot impersonate")
}

func isMutating(verb string) bool {
	for _, v := range mutatingVerbs {
		if v == verb {
			return true
		}
	}
	return false
}

// decodeLine decodes one audit log line. Blank lines decode to nil.
func decodeLine(line []byte) (*auditEvent, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil, nil
	}
	var ev auditEvent
	if err := json.Unmarshal(line, &ev); err != nil {
		return nil, err
	}
	if ev.Kind != "" && ev.Kind != "Event" {
		return nil, fmt.Errorf("not an audit event: kind %q", ev.Kind)
	}
	return &ev, nil
}

// Parse reads an audit log (JSON lines of audit.k8s.io/v1 Events) and
// returns the mutating requests (create, update, patch, delete,
// deletecollection) on resources made by user, at stage ResponseComplete,
// in the order of the log. Reads, other stages and non-resource requests are
// dropped. The user is the effective one: a request made with impersonation
// counts as the impersonated user's. An empty user keeps every user's
// requests. An entry's Time is the request's requestReceivedTimestamp (its
// stageTimestamp if that is missing) and its Code the response's status
// code. A line
// that is not a JSON audit event is an error naming its line number; the
// entries read before it are returned with the error. The last line need not
// end with a newline. Parse keeps one entry per audit ID.
func Parse(r io.Reader, user string) ([]scorecard.LedgerEntry, error) {
	s := selector{user: user}
	seen := map[string]bool{}
	var out []scorecard.LedgerEntry
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			ev, derr := decodeLine(line)
			if derr != nil {
				return out, fmt.Errorf("failed to parse audit log line %d: %w", n, derr)
			}
			if ev != nil {
				if e, ok := s.entry(ev); ok && !seen[e.AuditID] {
					if e.AuditID != "" {
						seen[e.AuditID] = true
					}
					out = append(out, e)
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("failed to read audit log: %w", err)
		}
	}
}
