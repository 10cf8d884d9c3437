package main

import (
	"fmt"
	"net"
	"net/netip"
)

// checkLoopback returns an error unless addr (host:port) names this
// machine's loopback interface: an IP address in 127.0.0.0/8 or ::1, or
// "localhost". The harness refuses anything else, so that it cannot be
// pointed at another machine.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: want host:port", addr)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return fmt.Errorf("address %q is not a loopback address: the harness only measures this machine (use 127.0.0.1)", addr)
	}
	return nil
}
