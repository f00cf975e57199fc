package manifest

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Set is a set of files in a file system, such as an embedded one, each
// named after the document it holds: DIR/NAME.yaml.
type Set struct {
	// FS holds the files.
	FS fs.FS
	// Dir is the directory of the files in FS; empty means ".".
	Dir string
	// NotFound is wrapped by the error Read returns for a name not in the
	// set; its message starts that error, such as "no such scenario".
	NotFound error
	// Noun names the set's documents in the plural, such as "scenarios",
	// in the list of names the not-found error gives.
	Noun string
}

// Names returns the names of the set's files, sorted: their base names
// without ".yaml".
func (s Set) Names() []string {
	entries, err := fs.ReadDir(s.FS, s.dir())
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// File returns the path in FS of the file of the given name.
func (s Set) File(name string) string { return path.Join(s.dir(), name+".yaml") }

// Read returns the path in FS and the contents of the file of the given
// name. For a name not in the set the error wraps NotFound and lists the
// names that are.
func (s Set) Read(name string) (file string, data []byte, err error) {
	names := s.Names()
	if !slices.Contains(names, name) {
		return "", nil, fmt.Errorf("%w %q; known %s: %s", s.NotFound, name, s.Noun, strings.Join(names, ", "))
	}
	file = s.File(name)
	data, err = fs.ReadFile(s.FS, file)
	if err != nil {
		return "", nil, fmt.Errorf("failed to read %s: %w", file, err)
	}
	return file, data, nil
}

// Files returns the set's files by base name, such as "storm.yaml". The
// map and its contents are the caller's to keep.
func (s Set) Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, name := range s.Names() {
		file, data, err := s.Read(name)
		if err != nil {
			return nil, err
		}
		out[path.Base(file)] = data
	}
	return out, nil
}

func (s Set) dir() string {
	if s.Dir == "" {
		return "."
	}
	return s.Dir
}
