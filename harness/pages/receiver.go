package pages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Page is one alert received, with when it arrived.
type Page struct {
	ReceivedAt  time.Time         `json:"receivedAt"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
	StartsAt    time.Time         `json:"startsAt"`
}

// AlertsPath is where Alertmanager's v2 API takes alerts.
const AlertsPath = "/api/v2/alerts"

// Receiver accepts POSTs of Alertmanager v2 alerts on loopback.
type Receiver struct {
	srv      *http.Server
	ln       net.Listener
	mu       sync.Mutex
	pages    []Page
	notify   chan struct{}
	now      func() time.Time
	rejected int
}

// Start listens on addr (for example "127.0.0.1:0") and serves until Close.
func Start(addr string) (*Receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("failed to listen for pages on %s: %w", addr, err)
	}
	r := &Receiver{ln: ln, notify: make(chan struct{}), now: time.Now}
	mux := http.NewServeMux()
	mux.HandleFunc(AlertsPath, r.handle)
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// URL is where a remediator should send its pages.
func (r *Receiver) URL() string { return "http://" + r.ln.Addr().String() + AlertsPath }

func (r *Receiver) handle(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var alerts []struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
		StartsAt    time.Time         `json:"startsAt"`
	}
	if err := json.Unmarshal(body, &alerts); err != nil || len(alerts) == 0 {
		r.mu.Lock()
		r.rejected++
		r.mu.Unlock()
		http.Error(w, "want a non-empty JSON array of alerts", http.StatusBadRequest)
		return
	}
	now := r.now()
	r.mu.Lock()
	for _, a := range alerts {
		if a.Labels["alertname"] == "" {
			r.rejected++
			continue
		}
		r.pages = append(r.pages, Page{ReceivedAt: now, Labels: a.Labels, Annotations: a.Annotations, StartsAt: a.StartsAt})
	}
	close(r.notify)
	r.notify = make(chan struct{})
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// Pages returns a copy of every page received so far.
func (r *Receiver) Pages() []Page {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Page(nil), r.pages...)
}

// Rejected counts malformed posts and alerts without an alertname.
func (r *Receiver) Rejected() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rejected
}

// WaitFor blocks until match accepts one of the pages, or ctx ends.
func (r *Receiver) WaitFor(ctx context.Context, match func(Page) bool) (Page, error) {
	for {
		r.mu.Lock()
		for _, p := range r.pages {
			if match(p) {
				r.mu.Unlock()
				return p, nil
			}
		}
		ch := r.notify
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return Page{}, fmt.Errorf("no matching page: %w", ctx.Err())
		case <-ch:
		}
	}
}

// Close stops the receiver.
func (r *Receiver) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("failed to stop page receiver: %w", err)
	}
	return nil
}
