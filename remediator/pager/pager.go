package pager

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Alert is one page, in Alertmanager's v2 API shape
// (POST /api/v2/alerts takes a JSON array of these).
type Alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       *time.Time        `json:"endsAt,omitempty"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Pager sends pages.
type Pager interface {
	Page(ctx context.Context, alerts ...Alert) error
}

// Alertmanager posts alerts to an Alertmanager v2-compatible endpoint.
type Alertmanager struct {
	// URL receives the POST, for example http://alertmanager:9093/api/v2/alerts. Required.
	URL string
	// Client sends the request. Defaults to a client with a 10 s timeout.
	Client *http.Client
	// Attempts is how many times to try. Defaults to 3.
	Attempts int
	// Backoff is the wait before the second attempt; it doubles. Defaults to 500ms.
	Backoff time.Duration
}

var _ Pager = (*Alertmanager)(nil)

// Page posts the alerts, retrying on network errors and 5xx answers.
func (a *Alertmanager) Page(ctx context.Context, alerts ...Alert) error {
	if a.URL == "" {
		return fmt.Errorf("failed to page: no page URL configured")
	}
	body, err := json.Marshal(alerts)
	if err != nil {
		return fmt.Errorf("failed to encode alerts: %w", err)
	}
	client := a.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	attempts, backoff := a.Attempts, a.Backoff
	if attempts <= 0 {
		attempts = 3
	}
	if backoff <= 0 {
		backoff = 500 * time.Millisecond
	}
	var last error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("failed to page: %w (last error: %w)", ctx.Err(), last)
			case <-time.After(backoff):
			}
			backoff *= 2
		}
		last = a.post(ctx, client, body)
		if last == nil {
			return nil
		}
		if permanent(last) {
			break
		}
	}
	return fmt.Errorf("failed to page %s: %w", a.URL, last)
}

type statusError struct{ code int }

func (e statusError) Error() string { return fmt.Sprintf("receiver answered %d", e.code) }

func permanent(err error) bool {
	se, ok := err.(statusError)
	return ok && se.code >= 400 && se.code < 500
}

func (a *Alertmanager) post(ctx context.Context, client *http.Client, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return statusError{code: resp.StatusCode}
	}
	return nil
}
