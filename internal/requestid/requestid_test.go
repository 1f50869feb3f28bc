package requestid_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/faultline/faultline/internal/requestid"
)

func TestNewIsSixteenHexDigitsAndValid(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := requestid.New()
		assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{16}$`), id)
		assert.True(t, requestid.Valid(id))
		assert.False(t, seen[id])
		seen[id] = true
	}
}

func TestContext(t *testing.T) {
	assert.Empty(t, requestid.From(context.Background()))
	assert.Equal(t, "abc", requestid.From(requestid.With(context.Background(), "abc")))
}
