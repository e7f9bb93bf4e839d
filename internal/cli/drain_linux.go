package cli

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// synFilter is a classic BPF socket filter that drops TCP segments with SYN
// set and ACK clear (new connection attempts) and keeps the rest. A TCP
// socket's filter sees the segment from its TCP header, whose byte 13
// holds the flags.
var synFilter = []unix.SockFilter{
	{Code: unix.BPF_LD | unix.BPF_B | unix.BPF_ABS, K: 13},
	{Code: unix.BPF_ALU | unix.BPF_AND | unix.BPF_K, K: 0x12}, // SYN|ACK
	{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: 0x02, Jt: 1},
	{Code: unix.BPF_RET | unix.BPF_K, K: 0xffffffff},
	{Code: unix.BPF_RET | unix.BPF_K, K: 0},
}

// stopHandshakes makes the kernel ignore new connection attempts on ln
// while it finishes the handshakes under way and keeps its accept queue.
// The ignored clients retry after a second and are then refused by the
// closed socket.
func stopHandshakes(ln *net.TCPListener) error {
	rc, err := ln.SyscallConn()
	if err != nil {
		return fmt.Errorf("stop handshakes on %s: %w", ln.Addr(), err)
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		prog := unix.SockFprog{Len: uint16(len(synFilter)), Filter: &synFilter[0]}
		serr = unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("stop handshakes on %s: %w", ln.Addr(), err)
	}
	return nil
}

// queuePending reports whether ln's accept queue holds a connection.
func queuePending(ln *net.TCPListener) bool {
	rc, err := ln.SyscallConn()
	if err != nil {
		return false
	}
	pending := false
	_ = rc.Control(func(fd uintptr) {
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 0)
		pending = err == nil && n > 0
	})
	return pending
}
