package render_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/scorecard/render"
)

// RequireBrowserEnv, set to 1, makes the browser tests fail rather than
// skip when no Chromium is installed: CI sets it, after installing one.
const RequireBrowserEnv = "INTERLOCK_REQUIRE_BROWSER"

// chromium finds the browser, or skips (fails under RequireBrowserEnv).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(RequireBrowserEnv) == "1" {
		t.Fatalf("no Chromium on PATH, and %s=1: install it (apt-get install chromium)", RequireBrowserEnv)
	}
	t.Skipf("no Chromium on PATH (apt-get install chromium); set %s=1 to fail instead", RequireBrowserEnv)
	return ""
}

// browser starts one headless Chromium for a test, with the flags this
// machine's closed network needs.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("failed to start Chromium: %v", err)
	}
	return bctx
}

// Problems a page may have, as the audit script reports them.
type audit struct {
	Overflow       bool     `json:"overflow"`
	ScrollWidth    int      `json:"scrollWidth"`
	ViewportWidth  int      `json:"viewportWidth"`
	H1             int      `json:"h1"`
	Uncaptioned    int      `json:"uncaptioned"`
	Unscoped       int      `json:"unscoped"`
	LowContrast    []string `json:"lowContrast"`
	ExternalAssets []string `json:"externalAssets"`
	ConsoleErrors  []string `json:"-"`
}

// auditScript inspects the page as a reader would get it: horizontal
// overflow, headings, table captions and header scopes, the contrast of
// every piece of text against what is behind it (WCAG AA: 4.5:1, 3:1 for
// large text), SVG text included, and resources loaded from anywhere.
const auditScript = `(() => {
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(',').map(s => parseFloat(s)); return {r:p[0], g:p[1], b:p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v/12.92 : Math.pow((v+0.055)/1.055, 2.4); };
    return 0.2126*f(c.r) + 0.7152*f(c.g) + 0.0722*f(c.b); };
  const over = (top, bottom) => ({ r: top.r*top.a + bottom.r*(1-top.a), g: top.g*top.a + bottom.g*(1-top.a),
    b: top.b*top.a + bottom.b*(1-top.a), a: 1 });
  // backgrounds are what may be behind el's text: its own background and
  // its ancestors', composited; a gradient is every one of its stops.
  const backgrounds = el => {
    let layers = [];
    let stops = null;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      const img = s.backgroundImage;
      if (img && img.includes('gradient(')) { stops = (img.match(/rgba?\([^)]+\)/g) || []).map(parse); break; }
      const c = parse(s.backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    const bases = stops && stops.length ? stops.map(c => over(c, {r:255, g:255, b:255, a:1})) : [{r:255, g:255, b:255, a:1}];
    return bases.map(base => { let bg = base; for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg); return bg; });
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x,y)+0.05)/(Math.min(x,y)+0.05); };
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim(); const el = n.parentElement;
    if (!text || !el) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || el.getClientRects().length === 0) continue;
    const svg = el instanceof SVGElement;
    const fg = parse(svg ? s.fill : s.color);
    if (!fg) continue;
    const bgs = backgrounds(svg ? (el.ownerSVGElement || el) : el);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const need = (size >= 24 || (size >= 18.66 && bold)) ? 3 : 4.5;
    const r = Math.min(...bgs.map(bg => ratio(over(fg, bg), bg)));
    if (r + 1e-6 < need) low.push(text.slice(0, 40) + ' (' + r.toFixed(2) + ':1, needs ' + need + ')');
  }
  const external = performance.getEntriesByType('resource').map(e => e.name).filter(u => !u.startsWith('data:'));
  document.querySelectorAll('link[href],script[src],img[src]').forEach(e => {
    const u = e.getAttribute('href') || e.getAttribute('src'); if (u && !u.startsWith('data:') && !u.startsWith('#')) external.push(u); });
  return {
    overflow: document.documentElement.scrollWidth > window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth, viewportWidth: window.innerWidth,
    h1: document.querySelectorAll('h1').length,
    uncaptioned: [...document.querySelectorAll('table')].filter(t => !t.caption || !t.caption.textContent.trim()).length,
    unscoped: [...document.querySelectorAll('th')].filter(th => !th.hasAttribute('scope')).length,
    lowContrast: low, externalAssets: external,
  };
})()`

// inspect loads the page in the browser at width and audits it.
func inspect(t *testing.T, bctx context.Context, html []byte, width int64) audit {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scorecard.html")
	if err := os.WriteFile(path, html, 0o644); err != nil {
		t.Fatal(err)
	}
	tab, cancel := chromedp.NewContext(bctx)
	defer cancel()
	var mu sync.Mutex
	var consoleErrors []string
	err := chromedp.Listen(tab, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == "error" || e.Type == "warning" || e.Type == "assert" {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value))
				}
				consoleErrors = append(consoleErrors, string(e.Type)+": "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			consoleErrors = append(consoleErrors, "exception: "+e.ExceptionDetails.Text)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate("file://"+path), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("failed to load the page at %dpx: %v", width, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](auditScript))
	if err != nil {
		t.Fatalf("failed to audit the page at %dpx: %v", width, err)
	}
	var a audit
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	a.ConsoleErrors = consoleErrors
	mu.Unlock()
	return a
}

// problems lists what is wrong with a page.
func (a audit) problems() []string {
	var out []string
	if a.Overflow {
		out = append(out, fmt.Sprintf("the page overflows sideways: %dpx wide in a %dpx window", a.ScrollWidth, a.ViewportWidth))
	}
	if a.H1 != 1 {
		out = append(out, fmt.Sprintf("%d <h1> headings, want one", a.H1))
	}
	if a.Uncaptioned > 0 {
		out = append(out, fmt.Sprintf("%d tables without a caption", a.Uncaptioned))
	}
	if a.Unscoped > 0 {
		out = append(out, fmt.Sprintf("%d table headers without a scope", a.Unscoped))
	}
	for _, l := range a.LowContrast {
		out = append(out, "text under WCAG AA contrast: "+l)
	}
	for _, u := range a.ExternalAssets {
		out = append(out, "an external asset: "+u)
	}
	for _, c := range a.ConsoleErrors {
		out = append(out, "console "+c)
	}
	return out
}

// scorecards are the shipped scorecard fixtures, one of each verdict.
func scorecards() map[string]*scorecard.Scorecard {
	passing := func(s *scorecard.Scorecard) {
		for i := range s.Assertions {
			s.Assertions[i].Verdict = scorecard.VerdictPass
		}
		s.Error = ""
	}
	return map[string]*scorecard.Scorecard{
		"pass":  newScorecard(stormRun, passing),
		"fail":  newScorecard(stormRun),
		"error": newScorecard(errorRun),
	}
}

// TestScorecardInABrowser renders a passing, a failing and an erroring
// scorecard and reads each in a real browser at a desktop and a phone width:
// no console error, no sideways overflow, one <h1>, every table captioned
// and its headers scoped, all text at WCAG AA contrast, nothing loaded from
// outside the page.
func TestScorecardInABrowser(t *testing.T) {
	bctx := browser(t)
	for name, sc := range scorecards() {
		var html strings.Builder
		if err := render.WriteHTML(&html, sc); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int64{1400, 400} {
			t.Run(fmt.Sprintf("%s at %dpx", name, width), func(t *testing.T) {
				for _, p := range inspect(t, bctx, []byte(html.String()), width).problems() {
					t.Error(p)
				}
			})
		}
	}
}

// The audit finds each defect it is meant to find when one is put back
// into a sound page.
func TestBrowserAuditFindsDefects(t *testing.T) {
	bctx := browser(t)
	var good strings.Builder
	if err := render.WriteHTML(&good, newScorecard(stormRun)); err != nil {
		t.Fatal(err)
	}
	page := good.String()
	tests := map[string]struct {
		edit func(string) string
		want string
	}{
		"no h1": {func(s string) string {
			return strings.Replace(strings.Replace(s, "<h1", "<div", 1), "</h1>", "</div>", 1)
		}, "0 <h1> headings"},
		"a wide element": {func(s string) string {
			return strings.Replace(s, "</body>", `<div style="width:3000px">wide</div></body>`, 1)
		}, "overflows sideways"},
		"white on the pass green": {func(s string) string {
			return strings.Replace(s, "</body>", `<p style="background:#16a34a;color:#fff">low contrast</p></body>`, 1)
		}, "under WCAG AA contrast: low contrast"},
		"white on a gradient ending in the pass green": {func(s string) string {
			return strings.Replace(s, "</body>", `<p style="background:linear-gradient(#14532d,#16a34a);color:#fff">low at one end</p></body>`, 1)
		}, "under WCAG AA contrast: low at one end"},
		"a table without caption": {func(s string) string {
			return strings.Replace(s, "</body>", `<table><tr><th scope="col">x</th></tr></table></body>`, 1)
		}, "tables without a caption"},
		"a header without scope": {func(s string) string {
			return strings.Replace(s, "</body>", `<table><caption>c</caption><tr><th>x</th></tr></table></body>`, 1)
		}, "headers without a scope"},
		"a console error": {func(s string) string {
			return strings.Replace(s, "</body>", `<script>console.error("boom")</script></body>`, 1)
		}, "console error"},
		"an external asset": {func(s string) string {
			return strings.Replace(s, "</head>", `<link rel="stylesheet" href="https://example.com/x.css"></head>`, 1)
		}, "an external asset"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ps := inspect(t, bctx, []byte(tc.edit(page)), 1400).problems()
			if !strings.Contains(strings.Join(ps, "\n"), tc.want) {
				t.Errorf("problems %q, want one with %q", ps, tc.want)
			}
		})
	}
}
