package main

import "testing"

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.1:0", true},
		{"127.1.2.3:80", true},
		{"[::1]:8080", true},
		{"localhost:8080", true},
		{"0.0.0.0:8080", false},
		{"192.168.1.10:8080", false},
		{"10.0.0.1:80", false},
		{"[::]:8080", false},
		{"example.org:80", false},
		{"localhost.example.org:80", false},
		{"127.0.0.1", false}, // no port
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if err := checkLoopback(tt.addr); (err == nil) != tt.ok {
				t.Errorf("checkLoopback(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
			}
		})
	}
}

func TestCommonRefusesAnotherMachine(t *testing.T) {
	c := common{portal: "/bin/true", addr: "192.0.2.1:8080"}
	if err := c.check(); err == nil {
		t.Fatal("a non-loopback address was accepted")
	}
}
