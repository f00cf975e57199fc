// Package promote decides, as a pure function of an automation's safety case, its action class's posture and the history of nightly runs, whether the automation may move up the ladder; it must not import remediator/, and it reads no file or cluster itself: the caller hands it the records and scenarios.
package promote
