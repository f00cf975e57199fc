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
}
