package shop_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/shop"
)

func TestCursorsRoundTripAndStayInTheirList(t *testing.T) {
	c := shop.EncodeCursor("product", "0193-abc")
	key, err := shop.DecodeCursor("product", c)
	require.NoError(t, err)
	assert.Equal(t, "0193-abc", key)

	_, err = shop.DecodeCursor("order", c)
	assert.True(t, errors.Is(err, apperr.InvalidCursor))
	var ae *apperr.Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "after", ae.Details["argument"])
}
