package auth

import (
	"net/mail"
	"strings"

	"github.com/faultline/faultline/apperr"
)

// The input ranges of login and register, in characters. The schema
// declares them too; these checks run again before anything is stored or
// hashed, so that a value that slipped past the schema still ends typed.
const (
	MaxEmailLength    = 254
	MinPasswordLength = 8
	MaxPasswordLength = 128
	MaxNameLength     = 100
)

// checkLogin refuses an email or a password too long to be one, and an
// email that no database column could hold (a NUL), every violation at once.
func checkLogin(email, password string) error {
	var c Check
	c.Length([]any{"email"}, email, 0, MaxEmailLength)
	c.Chars([]any{"password"}, password, 0, MaxPasswordLength)
	return c.Err()
}

// checkRegistration checks register's input at the paths the schema
// reports (input.email, ...), every violation at once.
func checkRegistration(email, password, name string) error {
	var c Check
	at := func(field string) []any { return []any{"input", field} }
	c.Length(at("email"), email, 0, MaxEmailLength)
	if !c.OK() || !storableEmail(email) {
		c.Add(at("email"), "email", 0)
	}
	c.Chars(at("password"), password, MinPasswordLength, MaxPasswordLength)
	c.Length(at("name"), strings.TrimSpace(name), 1, MaxNameLength)
	return c.Err()
}

// Check is apperr's.
type Check = apperr.Check

// storableEmail accepts a bare address (no display name, nothing around
// it), as net/mail parses RFC 5322; the schema's email format asks that
// and more, so whatever passes the schema passes here.
func storableEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}
