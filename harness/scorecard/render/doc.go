// Package render writes a scorecard in its formats (JSON, JUnit XML, Markdown and a self-contained HTML page with its SVG chart) and must import nothing of the harness but the model, harness/scorecard.
package render
