package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
)

// outputFlag is the -o/--output flag, checked against the formats a command supports.
type outputFlag struct {
	allowed []string
	value   string
}

func (o *outputFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&o.value, "output", "o", o.value, "output format: "+strings.Join(o.allowed, "|"))
}

func (o *outputFlag) validate() error {
	if !slices.Contains(o.allowed, o.value) {
		return fmt.Errorf("invalid --output %q: must be one of %s", o.value, strings.Join(o.allowed, ", "))
	}
	return nil
}

// print writes v as JSON or YAML.
func (o *outputFlag) print(w io.Writer, v any) error {
	switch o.value {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "yaml":
		data, err := yaml.Marshal(v)
		if err != nil {
			return fmt.Errorf("failed to encode YAML: %w", err)
		}
		_, err = w.Write(data)
		return err
	}
	return fmt.Errorf("output %q is not structured", o.value)
}
