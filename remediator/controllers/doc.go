// Package controllers holds the remediator's reconcilers, one automation each (pods, nodes, deploys, certificates) plus the Automation reconciler, which find candidates and hand them to remediator/engine; it may import api/, contract/, safetycases/ and the remediator's own packages, never harness/ or scenarios/.
package controllers
