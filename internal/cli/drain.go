package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Shutting down a server with http.Server.Shutdown alone loses requests
// that arrive in the same instant as the signal, in two ways:
//
//   - Shutdown closes the listening socket, and the kernel resets every
//     connection still waiting in its accept queue: clients that have
//     already sent their request get "connection reset".
//   - A connection accepted just before Shutdown whose request is read
//     after it started is closed without an answer (net/http checks for
//     shutdown between reading a request and handling it): the client gets
//     EOF.
//
// drainListener and connTracker fix both: stop new handshakes, accept what
// the kernel already queued, close the socket, let every accepted
// connection be answered, and only then call Shutdown.

// drainSettle is how long the accept queue must stay empty after new
// handshakes were stopped before the socket is closed: handshakes already
// under way (SYN answered, final ACK in flight) complete in a round trip,
// and the connections they make are served rather than reset.
const drainSettle = 100 * time.Millisecond

// newConnGrace is how long a connection may stay open without sending its
// first request before shutdown stops waiting for it (browsers open spare
// connections they may never use). net/http's Shutdown uses the same 5 s.
const newConnGrace = 5 * time.Second

// drainListener is a TCP listener whose drain stops the kernel from
// completing new handshakes, hands the connections it already accepted to
// the server, and then closes the socket, so that a client either gets its
// request served or, arriving later, a clean "connection refused".
type drainListener struct {
	*net.TCPListener
	mu       sync.Mutex
	stopping bool
	drained  chan struct{} // closed when the queue is empty and the socket closed
	closed   chan struct{} // closed by Close
	once     sync.Once
}

// listenDrainable listens on the TCP address addr for a drainListener.
// It asks for plain TCP: Go listens with Multipath TCP where the kernel has
// it, and an MPTCP socket refuses the socket filter that stops handshakes.
func listenDrainable(ctx context.Context, addr string) (*drainListener, error) {
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		ln.Close()
		return nil, fmt.Errorf("listen on %s: got a %T, want a TCP listener", addr, ln)
	}
	return &drainListener{TCPListener: tl, drained: make(chan struct{}), closed: make(chan struct{})}, nil
}

// Accept returns the next connection. Once drain has begun it returns only
// connections the kernel had already completed, and after the last of them
// it blocks until Close, so that http.Server.Serve keeps running until
// Shutdown.
func (l *drainListener) Accept() (net.Conn, error) {
	for {
		if l.isStopping() {
			return l.acceptQueued()
		}
		c, err := l.TCPListener.Accept()
		if err != nil && isTimeout(err) && l.isStopping() {
			// drain woke this Accept with a past deadline.
			continue
		}
		return c, err
	}
}

func (l *drainListener) isStopping() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stopping
}

// acceptQueued returns the connections still in the accept queue until it
// has stayed empty for drainSettle, then closes the socket, marks the
// listener drained and waits for Close.
func (l *drainListener) acceptQueued() (net.Conn, error) {
	select {
	case <-l.drained:
	default:
		for {
			if err := l.TCPListener.SetDeadline(time.Now().Add(drainSettle)); err != nil {
				break
			}
			c, err := l.TCPListener.Accept()
			if err == nil {
				return c, nil
			}
			// Accept may time out without looking at the queue when the
			// goroutine was descheduled past the deadline: ask the kernel.
			if !isTimeout(err) || !queuePending(l.TCPListener) {
				break
			}
		}
		// New clients are refused from now on instead of waiting for a
		// retransmitted handshake.
		_ = l.TCPListener.Close()
		close(l.drained)
	}
	<-l.closed
	return nil, net.ErrClosed
}

// drain stops new handshakes and waits until the connections the kernel had
// accepted are handed to the server and the socket is closed, or ctx ends.
// Where new handshakes cannot be stopped (see stopHandshakes) it closes the
// socket at once, which resets the connections still queued.
func (l *drainListener) drain(ctx context.Context) error {
	if err := stopHandshakes(l.TCPListener); err != nil {
		l.mu.Lock()
		l.stopping = true
		l.mu.Unlock()
		_ = l.TCPListener.Close()
		return err
	}
	l.mu.Lock()
	l.stopping = true
	// Wake an Accept blocked on the now silent socket; under the lock, so
	// that acceptQueued's own deadline comes after this one.
	err := l.TCPListener.SetDeadline(time.Unix(1, 0))
	l.mu.Unlock()
	if err != nil {
		_ = l.TCPListener.Close()
		return err
	}
	select {
	case <-l.drained:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close closes the socket and ends a blocked Accept.
func (l *drainListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	err := l.TCPListener.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// connTracker follows the server's connections (as http.Server.ConnState)
// so that shutdown can wait until every accepted connection has been
// answered before calling Shutdown.
type connTracker struct {
	mu      sync.Mutex
	conns   map[net.Conn]trackedConn
	changed chan struct{} // signalled (not closed) on every change
}

type trackedConn struct {
	state http.ConnState
	since time.Time
}

func newConnTracker() *connTracker {
	return &connTracker{conns: map[net.Conn]trackedConn{}, changed: make(chan struct{}, 1)}
}

// track is the http.Server.ConnState hook.
func (t *connTracker) track(c net.Conn, s http.ConnState) {
	t.mu.Lock()
	switch s {
	case http.StateClosed, http.StateHijacked:
		delete(t.conns, c)
	default:
		t.conns[c] = trackedConn{state: s, since: time.Now()}
	}
	t.mu.Unlock()
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

// settled reports whether no connection is being served or waiting (for
// less than newConnGrace) for its first request; if not, recheck is when a
// waiting connection stops counting.
func (t *connTracker) settled(now time.Time) (ok bool, recheck time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ok, recheck = true, newConnGrace
	for _, c := range t.conns {
		switch c.state {
		case http.StateActive:
			ok = false
		case http.StateNew:
			if left := c.since.Add(newConnGrace).Sub(now); left > 0 {
				ok = false
				recheck = min(recheck, left)
			}
		}
	}
	return ok, recheck
}

// wait returns when the connections are settled, or ctx's error when it
// ends first. With keep-alives off, a served connection closes after its
// answer, so settling means every accepted request was answered.
func (t *connTracker) wait(ctx context.Context) error {
	for {
		ok, recheck := t.settled(time.Now())
		if ok {
			return nil
		}
		timer := time.NewTimer(recheck)
		select {
		case <-t.changed:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
		timer.Stop()
	}
}
