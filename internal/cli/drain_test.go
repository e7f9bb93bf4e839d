package cli

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestDrainListenerServesQueued fills the kernel's accept queue with
// clients that have sent a request line, then drains: every queued client
// must be accepted and answered (a plain Close resets them all), and a
// client arriving after the drain must be refused.
func TestDrainListenerServesQueued(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("stopping handshakes is only implemented on Linux")
	}
	const queued = 40
	ln, err := listenDrainable(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()

	// Nothing accepts yet, so the kernel completes each handshake and
	// queues the connection.
	clients := make([]net.Conn, queued)
	for i := range clients {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("ping\n")); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		clients[i] = c
	}

	// The server: answer each accepted connection's line.
	accepted := make(chan error, queued+1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				accepted <- err
				return
			}
			go func() {
				defer c.Close()
				line, err := bufio.NewReader(c).ReadString('\n')
				if err == nil {
					_, err = c.Write([]byte("pong " + line))
				}
				accepted <- err
			}()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ln.drain(ctx); err != nil {
		t.Fatalf("drain: %v", err)
	}
	for i := range queued {
		select {
		case err := <-accepted:
			if err != nil {
				t.Fatalf("connection %d of %d: %v", i, queued, err)
			}
		case <-ctx.Done():
			t.Fatalf("only %d of %d queued connections were accepted by the drain", i, queued)
		}
	}
	for i, c := range clients {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if got, err := bufio.NewReader(c).ReadString('\n'); err != nil || got != "pong ping\n" {
			t.Errorf("client %d got %q, %v; want its answer", i, got, err)
		}
	}
	if c, err := net.DialTimeout("tcp", addr, 5*time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Errorf("dial after the drain: %v, want connection refused", err)
	}
	if err := ln.Close(); err != nil {
		t.Errorf("close after drain: %v", err)
	}
	select {
	case err := <-accepted:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close returned %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Accept still blocked 5 s after Close")
	}
}

// TestConnTrackerSettled checks which connections shutdown waits for.
func TestConnTrackerSettled(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name  string
		conns []trackedConn
		want  bool
	}{
		{"none", nil, true},
		{"idle", []trackedConn{{http.StateIdle, now}}, true},
		{"active", []trackedConn{{http.StateActive, now.Add(-time.Hour)}}, false},
		{"new, request may come", []trackedConn{{http.StateNew, now.Add(-time.Second)}}, false},
		{"new, silent past the grace", []trackedConn{{http.StateNew, now.Add(-newConnGrace - time.Second)}}, true},
		{"idle and active", []trackedConn{{http.StateIdle, now}, {http.StateActive, now}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newConnTracker()
			for _, c := range tc.conns {
				a, b := net.Pipe()
				defer a.Close()
				defer b.Close()
				tr.conns[a] = c
			}
			if got, _ := tr.settled(now); got != tc.want {
				t.Errorf("settled = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestStopHandshakes checks the socket filter on this kernel: after
// stopHandshakes a new client gets no connection (its SYN is dropped),
// while a client connected before is still queued and accepted.
func TestStopHandshakes(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("stopping handshakes is only implemented on Linux")
	}
	ln, err := listenDrainable(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	before, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	if err := stopHandshakes(ln.TCPListener); err != nil {
		t.Fatal(err)
	}
	// A working filter never lets this connect, so the timeout cannot make
	// the test flaky; a broken one connects at once.
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), 500*time.Millisecond); !isTimeout(err) {
		if c != nil {
			c.Close()
		}
		t.Errorf("dial after stopHandshakes: %v, want a timeout (SYN dropped)", err)
	}
	if !queuePending(ln.TCPListener) {
		t.Error("queuePending = false with a connection queued")
	}
	c, err := ln.TCPListener.Accept()
	if err != nil {
		t.Fatalf("accept the connection queued before: %v", err)
	}
	c.Close()
	if queuePending(ln.TCPListener) {
		t.Error("queuePending = true with the queue empty")
	}
}
