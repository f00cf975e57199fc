// Package cluster brings up, inspects and tears down the clusters that scenarios run on (the embedded control plane, kind); it knows nothing of what runs on them, so it must not import remediator/, scenarios/, experiments/ or any other part of the harness.
package cluster
