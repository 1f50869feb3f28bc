package clientip_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/faultline/faultline/internal/clientip"
)

func TestTheClientBehindTrustedProxies(t *testing.T) {
	proxies := clientip.NewProxies([]netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("2001:db8:ffff::/48"),
		netip.MustParsePrefix("::ffff:192.168.0.0/112"), // 192.168.0.0/16, written mapped
	})
	for _, c := range []struct {
		name, remote string
		forwarded    []string
		want         string
	}{
		{"no header: the proxy itself", "10.0.0.1:5000", nil, "10.0.0.1"},
		{"one hop", "10.0.0.1:5000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"the rightmost untrusted hop", "10.0.0.1:5000", []string{"198.51.100.1, 203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
		{"spoofed left-most hops are ignored", "10.0.0.1:5000", []string{"1.1.1.1, 2.2.2.2", "203.0.113.7"}, "203.0.113.7"},
		{"several header lines read as one list", "10.0.0.1:5000", []string{"203.0.113.7", "10.0.0.3"}, "203.0.113.7"},
		{"an untrusted peer's header changes nothing", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"every hop trusted: the leftmost", "10.0.0.1:5000", []string{"10.0.0.9, 10.0.0.2"}, "10.0.0.9"},
		{"garbage ends the walk at the last trusted hop", "10.0.0.1:5000", []string{"203.0.113.7, not-an-ip, 10.0.0.2"}, "10.0.0.2"},
		{"hops with ports", "10.0.0.1:5000", []string{"[2001:db8:1:2::9]:443, 192.0.2.4:80"}, "192.0.2.4"},
		{"IPv6 by its /64", "[2001:db8:ffff::1]:443", []string{"2001:db8:1:2:aaaa::1"}, "2001:db8:1:2::/64"},
		{"a mapped peer", "[::ffff:192.168.1.1]:80", []string{"203.0.113.7"}, "203.0.113.7"},
		{"empty elements are skipped", "10.0.0.1:5000", []string{"203.0.113.7, , "}, "203.0.113.7"},
	} {
		assert.Equal(t, c.want, proxies.Client(c.remote, c.forwarded), c.name)
	}
}

func TestWithoutTrustedProxiesTheHeaderIsIgnored(t *testing.T) {
	var none *clientip.Proxies
	assert.Nil(t, clientip.NewProxies(nil))
	assert.Equal(t, "10.0.0.1", none.Client("10.0.0.1:5000", []string{"203.0.113.7"}))
	assert.Equal(t, "2001:db8:1:2::/64", none.Client("[2001:db8:1:2::1]:5000", nil))
}
