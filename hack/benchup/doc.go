// Command benchup measures how long `interlock cluster up` takes to a ready
// cluster against bare `kwokctl create cluster` on the same binaries,
// alternating the two so both see the same machine, and prints the medians
// and their ratio.
package main
