// Package clientip names the client of a request for everything that keys
// on it: the rate limit and the login and registration throttles. The name
// is the connection's address, an IPv6 address by its /64 (the block one
// subscriber usually holds, so that one client cannot rotate through its
// addresses to escape a limit).
package clientip

import (
	"context"
	"net"
	"net/netip"
	"strings"
)

type ctxKey struct{}

// With returns ctx carrying the client's key.
func With(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, ctxKey{}, key)
}

// From returns the client's key in ctx, or "" when none was set.
func From(ctx context.Context) string {
	key, _ := ctx.Value(ctxKey{}).(string)
	return key
}

// Key names the client at remoteAddr (host:port, as net/http's
// Request.RemoteAddr): an IPv4 address as itself, an IPv6 address as its
// /64, and anything unparsable as it was given.
func Key(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	if !strings.Contains(host, ":") { // IPv4, or not an address: the host as it came, without a copy
		return host
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	return Of(addr)
}

// Of names the client at addr.
func Of(addr netip.Addr) string {
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String()
	}
	return netip.PrefixFrom(addr, 64).Masked().String()
}
