package page_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/page"
)

func TestCursorsRoundTripAndStayInTheirList(t *testing.T) {
	c := page.EncodeCursor("product", "0193-abc")
	key, err := page.DecodeCursor("product", c)
	require.NoError(t, err)
	assert.Equal(t, "0193-abc", key)

	_, err = page.DecodeCursor("order", c)
	assert.True(t, errors.Is(err, apperr.InvalidCursor))
	var ae *apperr.Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "after", ae.Details["argument"])
}
