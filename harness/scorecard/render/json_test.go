package render_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/scorecard/render"
)

func TestJSONRoundTrip(t *testing.T) {
	for name, fixture := range fixtures {
		t.Run(name, func(t *testing.T) {
			s := fixture()
			var first bytes.Buffer
			if err := render.WriteJSON(&first, s); err != nil {
				t.Fatal(err)
			}
			var back scorecard.Scorecard
			dec := json.NewDecoder(bytes.NewReader(first.Bytes()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&back); err != nil {
				t.Fatalf("failed to decode: %v", err)
			}
			if !reflect.DeepEqual(&back, s) {
				t.Errorf("decoded scorecard differs from the original:\n got %+v\nwant %+v", back, *s)
			}
			var second bytes.Buffer
			if err := render.WriteJSON(&second, &back); err != nil {
				t.Fatal(err)
			}
			if first.String() != second.String() {
				t.Errorf("JSON changed on a round trip:\n%s", firstDiff(second.String(), first.String()))
			}
		})
	}
}

// TestJSONNeverNull checks that WriteJSON writes every list, even of a
// scorecard never finalized, as [] and never as null.
func TestJSONNeverNull(t *testing.T) {
	var buf bytes.Buffer
	if err := render.WriteJSON(&buf, &scorecard.Scorecard{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "null") {
		t.Errorf("JSON of an empty scorecard holds null:\n%s", buf.String())
	}
}

// TestFormatDocumentsEveryField checks that FORMAT.md names every key the
// JSON goldens hold.
func TestFormatDocumentsEveryField(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "FORMAT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range fixtures {
		t.Run(name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("testdata", name+".json.golden"))
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(golden, &v); err != nil {
				t.Fatal(err)
			}
			var walk func(v any)
			walk = func(v any) {
				switch v := v.(type) {
				case map[string]any:
					for k, x := range v {
						if !strings.Contains(string(doc), "`"+k+"`") {
							t.Errorf("FORMAT.md does not document %q", k)
						}
						if k != "labels" { // a page's labels are its own
							walk(x)
						}
					}
				case []any:
					for _, x := range v {
						walk(x)
					}
				}
			}
			walk(v)
		})
	}
}
