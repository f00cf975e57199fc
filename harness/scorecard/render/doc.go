// Package render writes a scorecard in its formats (JSON, JUnit XML, Markdown and a self-contained HTML page with its SVG chart) and must import nothing but the standard library and the model, harness/scorecard: nothing else of the harness, and its tests only the browser driver besides.
package render
