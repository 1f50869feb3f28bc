package httpapi

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNoOriginsMeansNoneButTheSameOne(t *testing.T) {
	c := NewCORS(nil)
	r := httptest.NewRequest("POST", "http://api.example.com/query", nil)
	r.Header.Set("Origin", "https://app.example.com")
	rec := httptest.NewRecorder()
	done, refused := c.handle(rec, r)
	assert.False(t, done)
	assert.NotNil(t, refused, "rs/cors alone would read an empty list as every origin")
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"))

	r.Header.Set("Origin", "https://api.example.com")
	done, refused = c.handle(rec, r)
	assert.False(t, done)
	assert.Nil(t, refused, "same origin, whatever the scheme a proxy ended")
}

func TestSameOrigin(t *testing.T) {
	r := httptest.NewRequest("POST", "http://localhost:8080/query", nil)
	assert.True(t, sameOrigin(r, "http://localhost:8080"))
	assert.True(t, sameOrigin(r, "http://LOCALHOST:8080"))
	assert.False(t, sameOrigin(r, "http://localhost:5173"))
	assert.False(t, sameOrigin(r, "null"))
	assert.False(t, sameOrigin(r, "http://localhost:8080.evil.example"))
}
