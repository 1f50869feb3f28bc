package clientip_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/faultline/faultline/internal/clientip"
)

func TestKey(t *testing.T) {
	for remote, want := range map[string]string{
		"127.0.0.2:5555":                  "127.0.0.2",
		"[::ffff:127.0.0.3]:80":           "127.0.0.3",
		"[2001:db8:1:2:aaaa::1]:443":      "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff:ffff::9]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:3::1]:443":           "2001:db8:1:3::/64",
		"[fe80::1%eth0]:1":                "fe80::/64",
		"10.0.0.1":                        "10.0.0.1",
		"not an address":                  "not an address",
	} {
		assert.Equal(t, want, clientip.Key(remote), remote)
	}
}

func TestContext(t *testing.T) {
	assert.Empty(t, clientip.From(context.Background()))
	assert.Equal(t, "127.0.0.2", clientip.From(clientip.With(context.Background(), "127.0.0.2")))
}
