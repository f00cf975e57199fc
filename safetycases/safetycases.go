package safetycases

import (
	"embed"
	"errors"
	"fmt"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
	"github.com/interlock-dev/interlock/internal/manifest"
)

// files holds one SafetyCase per built-in automation; each file is named
// after the automation type and the SafetyCase it holds.
//
//go:embed *.yaml
var files embed.FS

// ErrNotFound is wrapped by the error Get returns for a name that is not a
// shipped safety case.
var ErrNotFound = errors.New("no such safety case")

// shipped is the set of shipped safety cases.
var shipped = manifest.Set{FS: files, NotFound: ErrNotFound, Noun: "safety cases"}

// Files returns the shipped safety-case files by file name, for example
// "node-loss.yaml". The map and its contents are the caller's to keep.
func Files() map[string][]byte {
	out, err := shipped.Files()
	if err != nil {
		panic(fmt.Sprintf("failed to read the embedded safety cases: %v", err)) // cannot happen: the FS is embedded
	}
	return out
}

// Names returns the names of the shipped safety cases, sorted. Each is the
// name of the built-in automation type it is for.
func Names() []string { return shipped.Names() }

// Get returns a fresh copy of the shipped SafetyCase with the given name,
// which is also the built-in automation type it is for (for example
// string(v1alpha1.NodeLoss)). For an unknown name the error wraps
// ErrNotFound and lists the shipped safety cases.
func Get(name string) (*v1alpha1.SafetyCase, error) {
	file, data, err := shipped.Read(name)
	if err != nil {
		return nil, err
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
