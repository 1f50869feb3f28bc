package httpapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestOnlyAPlainNextSkipsTheCheck: gqlgen's next message of an event
// without errors goes out as it is; anything else is decoded and checked.
func TestOnlyAPlainNextSkipsTheCheck(t *testing.T) {
	for raw, plain := range map[string]bool{
		`{"payload":{"data":{"walletUpdated":{"balanceCents":5}}},"id":"w","type":"next"}`:              true,
		`{"payload":{"data":{"walletUpdated":null},"errors":[{"message":"x"}]},"id":"w","type":"next"}`: false,
		`{"payload":{"data":{"product":{"name":"errors"}}},"id":"w","type":"next"}`:                     false, // decoded, to be sure
		`{"payload":[{"message":"x"}],"id":"w","type":"error"}`:                                         false,
		`{"id":"w","type":"complete"}`:                                                      false,
		`{"type":"next","id":"w","payload":{"data":{}}}`:                                    false,
		`{"payload":{"data":{"walletUpdated":{"balanceCents":5}}},"id":"w","type":"next"} `: false,
	} {
		assert.Equal(t, plain, plainNext([]byte(raw)), raw)
	}
}
