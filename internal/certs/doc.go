// Package certs signs self-signed certificates and reads and writes their keys, for every part of interlock that makes one (fixture TLS secrets, re-issued and renewed certificates, the stale-view proxy); it imports the standard library only.
package certs
