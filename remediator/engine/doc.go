// Package engine is the remediator's shared act/propose/halt machinery, which turns a controller's candidate action into a policy decision and carries it out; it must not import the controllers or the remediator that wire it, nor harness/ or scenarios/.
package engine
