package clientip

import (
	"net/netip"
	"strings"
)

// Proxies are the peers whose X-Forwarded-For is believed
// (FAULTLINE_TRUSTED_PROXIES): the load balancers and reverse proxies in
// front of faultline. A nil *Proxies believes nobody.
type Proxies struct {
	prefixes []netip.Prefix
}

// NewProxies trusts the peers within prefixes; none gives nil.
func NewProxies(prefixes []netip.Prefix) *Proxies {
	if len(prefixes) == 0 {
		return nil
	}
	p := &Proxies{prefixes: make([]netip.Prefix, len(prefixes))}
	for i, prefix := range prefixes {
		addr, bits := prefix.Addr().WithZone(""), prefix.Bits()
		if addr.Is4In6() { // ::ffff:10.0.0.0/104 is 10.0.0.0/8, as hops are compared unmapped
			addr, bits = addr.Unmap(), max(0, bits-96)
		}
		p.prefixes[i] = netip.PrefixFrom(addr, bits).Masked()
	}
	return p
}

// trusts reports whether addr is one of the proxies.
func (p *Proxies) trusts(addr netip.Addr) bool {
	for _, prefix := range p.prefixes {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}

// Client names the client of a request that came from remoteAddr carrying
// the X-Forwarded-For header values forwarded (in their order):
//   - a peer that is not a trusted proxy is the client itself, whatever it
//     forwards (Key of remoteAddr);
//   - from a trusted proxy, the hops are walked from the right while they
//     are trusted proxies too, and the first that is not is the client: each
//     proxy appends the address it was reached from, so the hops left of it
//     are what the client wrote and are ignored;
//   - when every hop is a trusted proxy, the leftmost is the client; a hop
//     that is not an address ends the walk at the last trusted one.
func (p *Proxies) Client(remoteAddr string, forwarded []string) string {
	if p == nil {
		return Key(remoteAddr)
	}
	peer, ok := parseHop(remoteAddr)
	if !ok || !p.trusts(peer) {
		return Key(remoteAddr)
	}
	client := peer
	for i := len(forwarded) - 1; i >= 0; i-- {
		list := forwarded[i]
		for list != "" {
			hop := list
			if comma := strings.LastIndexByte(list, ','); comma >= 0 {
				hop, list = list[comma+1:], list[:comma]
			} else {
				list = ""
			}
			if strings.TrimSpace(hop) == "" {
				continue
			}
			addr, ok := parseHop(hop)
			if !ok {
				return Of(client)
			}
			client = addr
			if !p.trusts(addr) {
				return Of(client)
			}
		}
	}
	return Of(client)
}

// parseHop reads one address of X-Forwarded-For or RemoteAddr: 192.0.2.1,
// 2001:db8::1, or either with a port (192.0.2.1:443, [2001:db8::1]:443).
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	addr, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		addr = ap.Addr()
	}
	return addr.Unmap().WithZone(""), true
}
