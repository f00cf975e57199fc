// Package cluster brings up, inspects and tears down the clusters that scenarios run on.
package cluster
