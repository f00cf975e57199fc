// Package testcluster gives the tests of one package an embedded cluster to share, started by the first test that needs it and stopped when the tests end; only tests import it.
package testcluster
