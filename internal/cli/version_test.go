package cli_test

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/internal/cli"
	"github.com/interlock-dev/interlock/remediator/metrics"
)

// version prints the build in every format, the same build the
// remediator's build-info gauge labels.
func TestVersion(t *testing.T) {
	want := metrics.ReadBuild()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	decoders := map[string]func([]byte, any) error{
		"json": json.Unmarshal,
		"yaml": func(b []byte, v any) error { return yaml.UnmarshalStrict(b, v) },
	}
	for format, decode := range decoders {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := runInterlock(t, "version", "-o", format)
			if code != cli.ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got struct {
				Version, GoVersion, Revision, Platform, Time string
				Modified                                     bool
			}
			if err := decode([]byte(out), &got); err != nil {
				t.Fatalf("not %s: %v\n%s", format, err, out)
			}
			if got.Version != want.Version || got.GoVersion != runtime.Version() || got.Revision != want.Revision || got.Platform != platform {
				t.Errorf("got %+v, want %+v on %s", got, want, platform)
			}
		})
	}
	t.Run("text", func(t *testing.T) {
		code, out, errOut := runInterlock(t, "version")
		if code != cli.ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, w := range []string{"interlock " + want.Version + "\n", "go:       " + runtime.Version() + " " + platform, "revision: " + want.Revision} {
			if !strings.Contains(out, w) {
				t.Errorf("version lacks %q:\n%s", w, out)
			}
		}
	})
	t.Run("bad format", func(t *testing.T) {
		code, _, errOut := runInterlock(t, "version", "-o", "xml")
		if code != cli.ExitError || !strings.Contains(errOut, `invalid --output "xml": must be one of text, json, yaml`) {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("no arguments", func(t *testing.T) {
		if code, _, _ := runInterlock(t, "version", "extra"); code != cli.ExitError {
			t.Errorf("exit %d, want %d", code, cli.ExitError)
		}
	})
}
