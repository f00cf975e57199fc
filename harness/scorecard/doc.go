// Package scorecard holds the result of one scenario run and renders it as JSON, JUnit XML, Markdown and a self-contained HTML page.
package scorecard
