package ledger_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/interlock-dev/interlock/harness/ledger"
)

// auditLog is n lines of a busy cluster's audit log: mostly the simulated
// kubelets' status writes, some controllers', one in fifty the
// remediator's, one node write in a hundred with its bodies.
func auditLog(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		switch {
		case i%100 == 0:
			fmt.Fprintf(&b, `{"kind":"Event","level":"RequestResponse","auditID":"a%d","stage":"ResponseComplete","verb":"patch","user":{"username":"system:serviceaccount:kube-system:node-controller"},"userAgent":"kube-controller-manager/v1.37.2","objectRef":{"resource":"nodes","name":"node-%d"},"responseStatus":{"code":200},"responseObject":{"kind":"Node","spec":{"taints":[{"key":"node.kubernetes.io/unreachable","effect":"NoExecute"}]}},"requestReceivedTimestamp":"2026-09-14T03:00:%02d.%06dZ"}`+"\n", i, i%1000, (i/100000)%60, i%1000000)
		case i%50 == 0:
			fmt.Fprintf(&b, `{"kind":"Event","level":"Metadata","auditID":"a%d","stage":"ResponseComplete","verb":"delete","user":{"username":"system:serviceaccount:interlock-system:remediator"},"userAgent":"interlock/v0.1.0","objectRef":{"resource":"pods","namespace":"shop","name":"api-%d"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-09-14T03:00:%02d.%06dZ"}`+"\n", i, i, (i/100000)%60, i%1000000)
		default:
			fmt.Fprintf(&b, `{"kind":"Event","level":"Metadata","auditID":"a%d","stage":"ResponseComplete","verb":"patch","user":{"username":"kwok-admin"},"userAgent":"kwok-controller/v0.8.0","objectRef":{"resource":"pods","namespace":"shop","name":"api-%d","subresource":"status"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-09-14T03:00:%02d.%06dZ"}`+"\n", i, i%10000, (i/100000)%60, i%1000000)
		}
	}
	return b.Bytes()
}

// BenchmarkParse measures the ledger's ingestion of an audit log of every
// user's writes, in lines per second, at two sizes: the ratio of their
// time per line shows how it grows.
func BenchmarkParse(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		log := auditLog(n)
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(log)))
			for b.Loop() {
				if _, err := ledger.Parse(bytes.NewReader(log), ""); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkClassify measures the classification of a ledger, per entry.
func BenchmarkClassify(b *testing.B) {
	entries, err := ledger.Parse(bytes.NewReader(auditLog(100_000)), "")
	if err != nil {
		b.Fatal(err)
	}
	scope := ledger.Scope{Automations: []string{"unhealthy-workload"}}
	b.ResetTimer()
	for b.Loop() {
		ledger.ClassifyAll(entries, scope)
	}
	b.ReportMetric(float64(len(entries))*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
