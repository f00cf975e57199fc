// Package workload plays a scenario's loads (demand that overloads a workload its Ready pods cannot carry) and follows its autoscalers through a run; it imports no other part of the run.
package workload
