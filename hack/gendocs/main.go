package main

import (
	"fmt"
	"os"

	"github.com/interlock-dev/interlock/internal/docgen"
)

func main() {
	for _, d := range docgen.Docs {
		page, err := docgen.Reference(d.Page)
		if err == nil {
			err = os.WriteFile(d.File, []byte(page), 0o644)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "error: %s: %v\n", d.File, err)
			os.Exit(1)
		}
		fmt.Println("wrote", d.File)
	}
	if err := os.MkdirAll("docs/schema", 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	for _, s := range docgen.Schemas {
		out, err := s.Generate(".")
		if err == nil {
			err = os.WriteFile(s.File, out, 0o644)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "error: %s: %v\n", s.File, err)
			os.Exit(1)
		}
		fmt.Println("wrote", s.File)
	}
}
