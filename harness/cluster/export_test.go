package cluster

// Unexported helpers the external tests reach.
var (
	ReservePorts = reservePorts
	ReleasePorts = releasePorts
	PortsConfig  = portsConfig
)
