package staleview

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/interlock-dev/interlock/internal/certs"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Proxy forwards a remediator's requests to the API server unchanged, with
// the remediator's own credentials, so the audit log still names it. While
// a lag is set, the events of its watches reach it that much later, in
// order: its informers, and every cache built on them, run behind. When the
// lag is lifted the held events arrive in a burst, as a replay. Plain
// requests (GET, LIST, writes) are never delayed: a remediator that reads
// the live object before acting sees the truth.
type Proxy struct {
	// URL is where the proxy listens, https://127.0.0.1:PORT.
	URL string
	// CA is the PEM certificate the proxy serves with, self-signed for
	// 127.0.0.1. (client-go sends credentials only over TLS.)
	CA []byte

	lag  atomic.Int64
	srv  *http.Server
	mu   sync.Mutex
	held int
}

// Start listens on a free local port and forwards to the API server that
// kubeconfig names. Only the server's address and CA are taken from it;
// each request carries its own credentials.
func Start(kubeconfig []byte) (*Proxy, error) {
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("failed to read kubeconfig: %w", err)
	}
	up, err := url.Parse(cfg.Host)
	if err != nil {
		return nil, fmt.Errorf("invalid API server address %q: %w", cfg.Host, err)
	}
	tr, err := rest.TransportFor(&rest.Config{Host: cfg.Host, TLSClientConfig: rest.TLSClientConfig{
		CAData: cfg.CAData, CAFile: cfg.CAFile, ServerName: cfg.ServerName, Insecure: cfg.Insecure,
	}})
	if err != nil {
		return nil, fmt.Errorf("failed to build the upstream transport: %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("failed to listen: %w", err)
	}
	cert, caPEM, err := selfSigned()
	if err != nil {
		_ = l.Close()
		return nil, err
	}
	p := &Proxy{URL: "https://" + l.Addr().String(), CA: caPEM}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(up)
			r.Out.Host = up.Host
		},
		Transport:     tr,
		FlushInterval: -1,
		ModifyResponse: func(resp *http.Response) error {
			if isWatch(resp.Request) {
				resp.Body = p.delay(resp.Body)
			}
			return nil
		},
	}
	p.srv = &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	go func() { _ = p.srv.ServeTLS(l, "", "") }()
	return p, nil
}

func isWatch(r *http.Request) bool {
	if r == nil {
		return false
	}
	w := r.URL.Query().Get("watch")
	return w == "true" || w == "1"
}

// SetLag sets how far behind the watch events run from now on; 0 lifts
// the lag, and the events held so far follow at once, in order.
func (p *Proxy) SetLag(d time.Duration) { p.lag.Store(int64(d)) }

// Lag is the lag set now.
func (p *Proxy) Lag() time.Duration { return time.Duration(p.lag.Load()) }

// Held is how many chunks of watch events have been held back so far.
func (p *Proxy) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// Kubeconfig returns kubeconfig with its server replaced by the proxy, and
// its CA by the proxy's. The credentials are kept.
func (p *Proxy) Kubeconfig(kubeconfig []byte) ([]byte, error) {
	c, err := clientcmd.Load(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("failed to read kubeconfig: %w", err)
	}
	for _, cl := range c.Clusters {
		cl.Server = p.URL
		cl.CertificateAuthorityData, cl.CertificateAuthority = p.CA, ""
		cl.InsecureSkipTLSVerify = false
		cl.TLSServerName = ""
	}
	out, err := clientcmd.Write(*c)
	if err != nil {
		return nil, fmt.Errorf("failed to write kubeconfig: %w", err)
	}
	return out, nil
}

// Close stops the proxy and ends every watch through it.
func (p *Proxy) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := p.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return p.srv.Close()
	}
	return err
}

type chunk struct {
	data []byte
	due  time.Time
}

// delay returns body with each chunk released the lag after it arrived,
// the lag being the one set when it arrived; chunks keep their order.
func (p *Proxy) delay(body io.ReadCloser) io.ReadCloser {
	pr, pw := io.Pipe()
	ch := make(chan chunk, 4096)
	go func() {
		defer close(ch)
		buf := make([]byte, 32<<10)
		for {
			n, err := body.Read(buf)
			if n > 0 {
				lag := p.Lag()
				if lag > 0 {
					p.mu.Lock()
					p.held++
					p.mu.Unlock()
				}
				ch <- chunk{data: append([]byte(nil), buf[:n]...), due: time.Now().Add(lag)}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		defer body.Close()
		for c := range ch {
			// A chunk waits for its own due time, unless the lag has been
			// lifted since, when what is held is replayed at once.
			for wait := time.Until(c.due); wait > 0 && p.Lag() > 0; wait = time.Until(c.due) {
				time.Sleep(min(wait, 100*time.Millisecond))
			}
			if _, err := pw.Write(c.data); err != nil {
				break
			}
		}
		_ = pw.Close()
		for range ch { // unblock the reader after the client went away
		}
	}()
	return &pipeBody{pr: pr, body: body}
}

type pipeBody struct {
	pr   *io.PipeReader
	body io.ReadCloser
}

func (b *pipeBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *pipeBody) Close() error {
	_ = b.pr.Close()
	return b.body.Close()
}

// selfSigned makes the proxy's serving certificate, valid for 127.0.0.1
// for a day.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("failed to generate the proxy's key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "interlock-staleview"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, certPEM, err := certs.SelfSign(tmpl, key, nil)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("failed to issue the proxy's certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}
