package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// maxSuggestDistance is the largest edit distance at which a known name is
// suggested for a mistyped one, as cobra suggests subcommands.
const maxSuggestDistance = 2

// suggest returns the known names close to typed: within
// maxSuggestDistance edits (case-insensitive), or starting with it, in the
// order of known.
func suggest(typed string, known []string) []string {
	if typed == "" {
		return nil
	}
	lower := strings.ToLower(typed)
	var out []string
	for _, k := range known {
		kl := strings.ToLower(k)
		if editDistance(lower, kl) <= maxSuggestDistance || strings.HasPrefix(kl, lower) {
			out = append(out, k)
		}
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// didYouMean is " (did you mean X?)" or " (did you mean X or Y?)" for the
// names close to typed, or "" when none is.
func didYouMean(typed string, known []string) string {
	s := suggest(typed, known)
	if len(s) == 0 {
		return ""
	}
	quoted := make([]string, len(s))
	for i, n := range s {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return " (did you mean " + strings.Join(quoted, " or ") + "?)"
}

// unknownName is the error for a name that is not among known: it wraps
// notFound, names the bad value, suggests the close ones and lists every
// known one, such as
//
//	no such scenario "strom" (did you mean "storm"?); known scenarios: a, b
func unknownName(notFound error, typed, noun string, known []string) error {
	return fmt.Errorf("%w %q%s; known %s: %s", notFound, typed, didYouMean(typed, known), noun, strings.Join(known, ", "))
}

// unknownSubcommand is the Args of a command that only groups others: an
// argument is a mistyped subcommand, an error with cobra's suggestions.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return errors.New(msg)
}

// groupCommands makes every command of the tree that only groups others
// refuse an unknown subcommand, with suggestions, rather than print its
// help and succeed; without arguments it still prints its help.
func groupCommands(cmd *cobra.Command) {
	for _, sub := range cmd.Commands() {
		groupCommands(sub)
	}
	cmd.SuggestionsMinimumDistance = maxSuggestDistance
	if cmd.HasParent() && cmd.HasSubCommands() && !cmd.Runnable() {
		cmd.Args = unknownSubcommand
		cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
}

// flagError adds to an unknown flag's error the flags of cmd close to it,
// and says where to look, on one line.
func flagError(cmd *cobra.Command, err error) error {
	if name, ok := strings.CutPrefix(err.Error(), "unknown flag: --"); ok {
		var known []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && f.Deprecated == "" {
				known = append(known, "--"+f.Name)
			}
		})
		slices.Sort(known)
		return fmt.Errorf("%w%s (see '%s --help')", err, didYouMean("--"+name, known), cmd.CommandPath())
	}
	return fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())
}
