package scale

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/interlock-dev/interlock/harness/ledger"
)

// ParseAuditLog parses the audit log at path with the ledger, every user's
// writes, runs times, and returns its lines and the median rate in lines
// per second.
func ParseAuditLog(path string, runs int) (int, float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("failed to read the audit log: %w", err)
	}
	lines := bytes.Count(data, []byte{'\n'})
	rates := make([]float64, 0, runs)
	for range runs {
		start := time.Now()
		if _, err := ledger.Parse(bytes.NewReader(data), ""); err != nil {
			return 0, 0, fmt.Errorf("failed to parse the audit log: %w", err)
		}
		rates = append(rates, float64(lines)/time.Since(start).Seconds())
	}
	return lines, Median(rates), nil
}
