package alert

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// publicAddr reports whether ip may receive webhooks by default: not
// loopback, private (RFC 1918, fc00::/7), link-local, unspecified,
// multicast or the shared CGNAT range.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	cgnat := netip.MustParsePrefix("100.64.0.0/10")
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() &&
		!ip.IsLinkLocalMulticast() && !ip.IsInterfaceLocalMulticast() && !ip.IsMulticast() &&
		!ip.IsUnspecified() && !cgnat.Contains(ip)
}

// checkURL validates a webhook URL: http or https with a host, and unless
// allowPrivate, a host whose every address is public. Errors wrap
// ErrUnsafeURL.
func checkURL(ctx context.Context, raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fmt.Errorf("%w: %q is not an http or https URL with a host", ErrUnsafeURL, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%w: %q holds credentials; sign with the alert's secret instead", ErrUnsafeURL, u.Redacted())
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("%w: resolve %q: %v", ErrUnsafeURL, host, err)
	}
	for _, a := range addrs {
		if !publicAddr(a) {
			return fmt.Errorf("%w: %q resolves to %s, a loopback, private or link-local address (serve --alerts-allow-private allows it)", ErrUnsafeURL, host, a)
		}
	}
	return nil
}

// newClient returns the webhook client. Unless allowPrivate, its dialer
// refuses non-public addresses at connect time, after DNS resolution, so
// a name that resolved to a public address when the alert was created and
// to a private one now (DNS rebinding) is refused too. Redirects are not
// followed: a 3xx is a 4xx-like failure of the receiver's configuration.
func newClient(allowPrivate bool, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: dial %s: %v", ErrUnsafeURL, address, err)
			}
			if !publicAddr(ap.Addr()) {
				return fmt.Errorf("%w: %s is a loopback, private or link-local address", ErrUnsafeURL, ap.Addr())
			}
			return nil
		}
	}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		// A proxy would dial on our behalf and bypass the check above.
		Proxy: nil,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
