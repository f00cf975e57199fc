package safetycases

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
)

// files holds one SafetyCase per built-in automation; each file is named
// after the automation type and the SafetyCase it holds.
//
//go:embed *.yaml
var files embed.FS

// Files returns the shipped safety-case files by file name, for example
// "node-loss.yaml". The map and its contents are the caller's to keep.
func Files() map[string][]byte {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(fmt.Sprintf("failed to list embedded safety cases: %v", err)) // cannot happen: the FS is embedded
	}
	out := make(map[string][]byte, len(entries))
	for _, e := range entries {
		data, err := fs.ReadFile(files, e.Name())
		if err != nil {
			panic(fmt.Sprintf("failed to read embedded safety case %s: %v", e.Name(), err))
		}
		out[e.Name()] = data
	}
	return out
}

// Names returns the names of the shipped safety cases, sorted. Each is the
// name of the built-in automation type it is for.
func Names() []string {
	var names []string
	for file := range Files() {
		names = append(names, strings.TrimSuffix(file, ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Get returns a fresh copy of the shipped SafetyCase with the given name,
// which is also the built-in automation type it is for (for example
// string(v1alpha1.NodeLoss)).
func Get(name string) (*v1alpha1.SafetyCase, error) {
	file := name + ".yaml"
	data, err := fs.ReadFile(files, file)
	if err != nil {
		return nil, fmt.Errorf("no shipped safety case named %q (shipped: %s)", name, strings.Join(Names(), ", "))
	}
	docs, err := validation.Decode(file, data)
	if err != nil {
		return nil, fmt.Errorf("failed to decode shipped safety case %s: %w", file, err)
	}
	if len(docs) != 1 || docs[0].SafetyCase == nil {
		return nil, fmt.Errorf("failed to decode shipped safety case %s: want one SafetyCase document, got %d documents", file, len(docs))
	}
	return docs[0].SafetyCase, nil
}
