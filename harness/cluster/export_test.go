package cluster

// Unexported helpers the external tests reach.
var (
	ReservePorts = reservePorts
	PortsConfig  = portsConfig
)
