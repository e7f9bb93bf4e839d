//go:build !linux

package cli

import (
	"errors"
	"net"
)

// stopHandshakes is only implemented on Linux; elsewhere shutdown closes
// the socket at once, resetting the connections still queued.
func stopHandshakes(ln *net.TCPListener) error {
	return errors.New("stop handshakes: not supported on this system")
}

// queuePending is not used where stopHandshakes is unsupported.
func queuePending(ln *net.TCPListener) bool { return false }
