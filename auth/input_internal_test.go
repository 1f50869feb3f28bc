package auth

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
)

// violations lists an error's violations as "path rule".
func violations(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	ae, ok := errors.AsType[*apperr.Error](err)
	require.True(t, ok, "%v", err)
	require.Equal(t, apperr.ValidationFailed, ae.Type)
	var out []string
	for _, f := range ae.Fields {
		out = append(out, fmt.Sprint(f.Path, " ", f.Rule))
	}
	return out
}

func TestCheckLoginCountsCharacters(t *testing.T) {
	assert.Nil(t, violations(t, checkLogin(strings.Repeat("é", 254), strings.Repeat("é", 128))))
	assert.Equal(t, []string{"[email] maxLength", "[password] maxLength"},
		violations(t, checkLogin(strings.Repeat("é", 255), strings.Repeat("é", 129))))
	assert.Equal(t, []string{"[password] maxLength"}, violations(t, checkLogin("a@b.c", strings.Repeat("p", 1000))))
	assert.Equal(t, []string{"[email] noNul"}, violations(t, checkLogin("a\x00@b.c", "x\x00y")), "a password is never stored")
}

func TestCheckRegistration(t *testing.T) {
	long := strings.Repeat("a", 250) + "@b.co"
	for _, c := range []struct {
		email, password, name string
		want                  []string
	}{
		{"new@example.com", "12345678", "N", nil},
		{"new@example.com", strings.Repeat("é", 128), " " + strings.Repeat("n", 100) + " ", nil},
		{"new@example.com", "1234567", "   ", []string{"[input password] minLength", "[input name] minLength"}},
		{"new@example.com", strings.Repeat("é", 129), strings.Repeat("n", 101), []string{"[input password] maxLength", "[input name] maxLength"}},
		{long, "12345678", "N", []string{"[input email] maxLength", "[input email] email"}},
		{"Someone <new@example.com>", "12345678", "N", []string{"[input email] email"}},
		{" new@example.com", "12345678", "N", []string{"[input email] email"}},
		{"no-at-sign", "12345678", "N", []string{"[input email] email"}},
		{"new\x00@example.com", "1234567\x00", "N\x00", []string{"[input email] noNul", "[input email] email", "[input name] noNul"}},
	} {
		assert.Equal(t, c.want, violations(t, checkRegistration(c.email, c.password, c.name)), "%.40q %.20q %.20q", c.email, c.password, c.name)
	}
}
