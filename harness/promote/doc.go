// Package promote decides, as a pure function of an automation's safety case, its action class's posture and the history of nightly runs, whether the automation may move up the ladder.
package promote
