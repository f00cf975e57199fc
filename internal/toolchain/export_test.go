package toolchain

// Heartbeat is heartbeat, for the tests.
var Heartbeat = heartbeat
