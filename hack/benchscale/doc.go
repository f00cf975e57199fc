// Command benchscale measures the built-in remediator and the harness as a cluster grows (trigger → action latency, memory, CPU and API requests at 100 and 1,000 nodes crossed with 1,000 and 10,000 pods, and the storm scenario's overhead), each measurement under the shared heavy-work lock, and writes _output/bench.md with medians, the ratios between sizes, every figure that grows worse than linear, and the goals against the figures.
//
//	go run ./hack/benchscale -report _output/bench.md -clusterup _output/bench/clusterup.md -gobench _output/bench/gobench.txt
package main
