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

// The formats -o takes. Every command that prints data prints it as text
// for people by default, and as JSON or YAML for machines.
const (
	outputText     = "text"
	outputJSON     = "json"
	outputYAML     = "yaml"
	outputMarkdown = "markdown"
	outputJUnit    = "junit"
	outputHTML     = "html"
)

// outputDescriptions describe the formats in shell completion.
var outputDescriptions = map[string]string{
	outputText:     "tables and pages for people",
	outputJSON:     "JSON, for machines",
	outputYAML:     "YAML, for machines",
	outputMarkdown: "Markdown, for people and CI summaries",
	outputJUnit:    "JUnit XML, for CI",
	outputHTML:     "a self-contained HTML page",
}

// outputAliases are values -o still takes, deprecated, for scripts written
// before every command named its default format alike, with the format
// each stands for.
var outputAliases = map[string]string{"table": outputText}

// outputFlag is the -o/--output flag, checked against the formats a command supports.
type outputFlag struct {
	allowed []string
	value   string
	// cmd is the command it is registered on; it is warned on of a
	// deprecated value.
	cmd *cobra.Command
}

// dataOutput is the -o flag of a command that prints data: text (the
// default), json or yaml.
func dataOutput() outputFlag {
	return outputFlag{allowed: []string{outputText, outputJSON, outputYAML}, value: outputText}
}

func (o *outputFlag) register(cmd *cobra.Command) {
	o.cmd = cmd
	cmd.Flags().StringVarP(&o.value, "output", "o", o.value, "output format: "+strings.Join(o.allowed, "|"))
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		out := make([]cobra.Completion, len(o.allowed))
		for i, f := range o.allowed {
			out[i] = cobra.CompletionWithDesc(f, outputDescriptions[f])
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
}

// validate checks the format, turning a deprecated alias into the format
// it stands for with a warning.
func (o *outputFlag) validate() error {
	if to, ok := outputAliases[o.value]; ok && slices.Contains(o.allowed, to) {
		if o.cmd != nil {
			fmt.Fprintf(o.cmd.ErrOrStderr(), "Warning: -o %s is deprecated, use -o %s\n", o.value, to)
		}
		o.value = to
	}
	if !slices.Contains(o.allowed, o.value) {
		return fmt.Errorf("invalid --output %q: must be one of %s", o.value, strings.Join(o.allowed, ", "))
	}
	return nil
}

// structured reports whether the format is JSON or YAML.
func (o *outputFlag) structured() bool { return o.value == outputJSON || o.value == outputYAML }

// print writes v as JSON or YAML.
func (o *outputFlag) print(w io.Writer, v any) error {
	switch o.value {
	case outputJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case outputYAML:
		data, err := yaml.Marshal(v)
		if err != nil {
			return fmt.Errorf("failed to encode YAML: %w", err)
		}
		_, err = w.Write(data)
		return err
	}
	return fmt.Errorf("output %q is not structured", o.value)
}
