package render

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Formats are the scorecard renderings by -o name, each with the file it is
// written to by WriteFiles.
var Formats = map[string]Format{
	"json":     {File: "scorecard.json", Write: WriteJSON},
	"junit":    {File: "junit.xml", Write: WriteJUnit},
	"markdown": {File: "scorecard.md", Write: WriteMarkdown},
	"html":     {File: "scorecard.html", Write: WriteHTML},
}

// Format is one rendering of a scorecard.
type Format struct {
	// File is the file name WriteFiles gives it.
	File string
	// Write renders a scorecard.
	Write func(io.Writer, *scorecard.Scorecard) error
}

// WriteFiles writes every format of s into dir, creating dir, each file
// named prefix + the format's file name ("baseline-" for a baseline run).
func WriteFiles(dir, prefix string, s *scorecard.Scorecard) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("failed to create %s: %w", dir, err)
	}
	for _, f := range Formats {
		path := filepath.Join(dir, prefix+f.File)
		out, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("failed to write %s: %w", path, err)
		}
		if err := errors.Join(f.Write(out, s), out.Close()); err != nil {
			return fmt.Errorf("failed to write %s: %w", path, err)
		}
	}
	return nil
}
