package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/interlock-dev/interlock/harness/scorecard/render"
)

// Recorder appends to a history. A record, once appended, is never changed.
type Recorder interface {
	// Append adds the record of one run.
	Append(r Record) error
	// AppendPromotion adds the record of one move on the ladder.
	AppendPromotion(p Promotion) error
}

// Reader reads a history.
type Reader interface {
	// List returns the run records that match f, oldest first.
	List(f Filter) ([]Record, error)
	// Promotions returns the ladder moves of an automation (of every
	// automation if empty), oldest first.
	Promotions(automation string) ([]Promotion, error)
}

// Store is a history that is appended to and read.
type Store interface {
	Recorder
	Reader
}

var _ Store = (*Dir)(nil)

// Filter selects run records; an empty field matches every record.
type Filter struct {
	// Automation matches a record with an automation of this name or type.
	Automation string
	// Scenario matches a record of this scenario.
	Scenario string
	// Suite matches a record of this suite: nightly, pr or adhoc.
	Suite string
}

func (f Filter) match(r *Record) bool {
	return (f.Automation == "" || r.Has(f.Automation)) &&
		(f.Scenario == "" || r.Scenario == f.Scenario) &&
		(f.Suite == "" || r.Suite == f.Suite)
}

// Subdirectories of a Dir.
const (
	runsDir       = "runs"
	promotionsDir = "promotions"
	// tmpPrefix starts the name of a file being written. Readers skip
	// such files: they are either about to be renamed or left by a writer
	// that crashed.
	tmpPrefix = ".tmp-"
)

// Dir is a Store in a directory: DIR/runs/ID.json holds one run record and
// DIR/promotions/ID.json one ladder move. Each file is written whole under a
// temporary name and then linked (or renamed) into place, so a reader never
// sees part of a record and appenders in several processes never overwrite
// each other. A file in either directory that is not a valid record (other
// than a temporary one, whose name starts with ".tmp-") makes List and
// Promotions fail with an error naming it.
type Dir struct {
	root string
}

// NewDir returns the store in root. The directory is created on the first
// append; until then the store is empty.
func NewDir(root string) *Dir { return &Dir{root: root} }

// Root is the store's directory.
func (d *Dir) Root() string { return d.root }

// Append writes r to DIR/runs/ID.json. It fails if the record is invalid
// (Validate) or a record with its ID exists.
func (d *Dir) Append(r Record) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("failed to append run record %s: %w", r.ID, err)
	}
	return writeNew(filepath.Join(d.root, runsDir), r.ID, r)
}

// AppendPromotion writes p to DIR/promotions/ID.json. It fails if the
// record is invalid (Validate) or a record with its ID exists.
func (d *Dir) AppendPromotion(p Promotion) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("failed to append promotion record %s: %w", p.ID, err)
	}
	return writeNew(filepath.Join(d.root, promotionsDir), p.ID, p)
}

// List returns the run records that match f, sorted by start time (then ID).
func (d *Dir) List(f Filter) ([]Record, error) {
	var out []Record
	err := readAll(filepath.Join(d.root, runsDir), func(path string, data []byte) error {
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		if err := checkFile(path, r.ID, r.Validate()); err != nil {
			return err
		}
		if f.match(&r) {
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Record) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Promotions returns the ladder moves of the automation (all, if empty),
// sorted by time (then ID).
func (d *Dir) Promotions(automation string) ([]Promotion, error) {
	var out []Promotion
	err := readAll(filepath.Join(d.root, promotionsDir), func(path string, data []byte) error {
		var p Promotion
		if err := json.Unmarshal(data, &p); err != nil {
			return err
		}
		if err := checkFile(path, p.ID, p.Validate()); err != nil {
			return err
		}
		if automation == "" || p.Automation == automation {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Promotion) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// checkFile joins a record's validation error with a mismatch between its ID
// and its file name.
func checkFile(path, id string, invalid error) error {
	if want := strings.TrimSuffix(filepath.Base(path), ".json"); id != want {
		invalid = errors.Join(invalid, fmt.Errorf("its id %q does not match its file name", id))
	}
	return invalid
}

// readAll calls read with every record file in dir, in name order. A
// missing dir holds no records. Every file that cannot be read, or that
// read rejects, is named in the error returned, which joins them all.
func readAll(dir string, read func(path string, data []byte) error) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("failed to read history directory %s: %w", dir, err)
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, tmpPrefix) {
			continue
		}
		path := filepath.Join(dir, name)
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			errs = append(errs, fmt.Errorf("%s: not a history record: want only ID.json files in %s", path, dir))
			continue
		}
		data, err := os.ReadFile(path)
		if err == nil {
			err = read(path, data)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: not a valid history record: %w", path, err))
		}
	}
	return errors.Join(errs...)
}

// writeNew writes v as DIR/ID.json: whole under a temporary name, then
// linked into place so that an existing record is never replaced.
func writeNew(dir, id string, v any) error {
	final := filepath.Join(dir, id+".json")
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("failed to encode %s: %w", final, err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("failed to create history directory %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("failed to write %s: %w", final, err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	if err := errors.Join(werr, serr, tmp.Close()); err != nil {
		return fmt.Errorf("failed to write %s: %w", final, err)
	}
	if err := os.Link(tmp.Name(), final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("failed to write %s: a record with ID %s exists: %w", final, id, err)
		}
		// A file system without hard links: rename instead, which is
		// atomic too but would replace a record of the same name. IDs
		// carry 32 random bits, so check first and accept the tiny race.
		if _, serr := os.Lstat(final); serr == nil {
			return fmt.Errorf("failed to write %s: a record with ID %s exists: %w", final, id, fs.ErrExist)
		}
		if rerr := os.Rename(tmp.Name(), final); rerr != nil {
			return fmt.Errorf("failed to write %s: %w", final, errors.Join(err, rerr))
		}
	}
	if d, err := os.Open(dir); err == nil { // make the new name durable
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// Validate reports what makes the record unfit to keep or to count as
// evidence.
func (r *Record) Validate() error {
	var errs []error
	if !validID.MatchString(r.ID) {
		errs = append(errs, fmt.Errorf("id %q is not a record ID", r.ID))
	}
	if r.Scenario == "" {
		errs = append(errs, errors.New("scenario is missing"))
	}
	if !slices.Contains(Suites, r.Suite) {
		errs = append(errs, fmt.Errorf("suite %q must be one of %s", r.Suite, strings.Join(Suites, ", ")))
	}
	if r.StartedAt.IsZero() {
		errs = append(errs, errors.New("startedAt is missing"))
	}
	if r.Verdict == "" {
		errs = append(errs, errors.New("verdict is missing"))
	}
	if r.Commit == "" {
		errs = append(errs, errors.New("commit is missing"))
	}
	for i, a := range r.Automations {
		if a.Type == "" || a.SafetyCaseDigest == "" {
			errs = append(errs, fmt.Errorf("automations[%d]: type and safetyCaseDigest are required", i))
		}
	}
	return errors.Join(errs...)
}

// MarshalJSON writes the record as its scorecard's JSON (render.WriteJSON:
// every list present, never null) with the record's own fields first.
func (r Record) MarshalJSON() ([]byte, error) {
	autos := r.Automations
	if autos == nil {
		autos = []Automation{}
	}
	head, err := json.Marshal(struct {
		ID          string       `json:"id"`
		Commit      string       `json:"commit"`
		Suite       string       `json:"suite"`
		Automations []Automation `json:"automations"`
	}{r.ID, r.Commit, r.Suite, autos})
	if err != nil {
		return nil, err
	}
	var sc bytes.Buffer
	if err := render.WriteJSON(&sc, &r.Scorecard); err != nil {
		return nil, err
	}
	body := bytes.TrimSpace(sc.Bytes())
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("failed to encode record %s: the scorecard is not a JSON object", r.ID)
	}
	out := append(head[:len(head)-1:len(head)-1], ',')
	return append(out, body[1:]...), nil
}
