package render

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// WriteJSON writes s as indented JSON, in the format documented in FORMAT.md.
// Empty lists are written as [] rather than null. s is not modified.
func WriteJSON(w io.Writer, s *scorecard.Scorecard) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s.Normalized()); err != nil {
		return fmt.Errorf("failed to write scorecard JSON: %w", err)
	}
	return nil
}
