// Package history keeps an append-only record of scenario runs and of promotions and demotions on the ladder, one JSON file per record in a directory, so that a promotion can cite the runs that justify it; it records what a run's scorecard says and runs nothing, so it must not import remediator/ nor harness/run.
package history
