package auth

import (
	"net/mail"
	"strings"
	"unicode/utf8"

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
	var v []apperr.FieldViolation
	if utf8.RuneCountInString(email) > MaxEmailLength {
		v = append(v, limit([]any{"email"}, "maxLength", MaxEmailLength))
	}
	if strings.ContainsRune(email, 0) {
		v = append(v, apperr.Violation([]any{"email"}, "noNul", nil))
	}
	if utf8.RuneCountInString(password) > MaxPasswordLength {
		v = append(v, limit([]any{"password"}, "maxLength", MaxPasswordLength))
	}
	return invalid(v)
}

// checkRegistration checks register's input at the paths the schema
// reports (input.email, ...), every violation at once.
func checkRegistration(email, password, name string) error {
	var v []apperr.FieldViolation
	at := func(field string) []any { return []any{"input", field} }
	if utf8.RuneCountInString(email) > MaxEmailLength {
		v = append(v, limit(at("email"), "maxLength", MaxEmailLength),
			apperr.Violation(at("email"), "email", nil))
	} else if !storableEmail(email) {
		v = append(v, apperr.Violation(at("email"), "email", nil))
	}
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLength:
		v = append(v, limit(at("password"), "minLength", MinPasswordLength))
	case n > MaxPasswordLength:
		v = append(v, limit(at("password"), "maxLength", MaxPasswordLength))
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(name)); {
	case n < 1:
		v = append(v, limit(at("name"), "minLength", 1))
	case n > MaxNameLength:
		v = append(v, limit(at("name"), "maxLength", MaxNameLength))
	}
	if strings.ContainsRune(name, 0) {
		v = append(v, apperr.Violation(at("name"), "noNul", nil))
	}
	return invalid(v)
}

// storableEmail accepts a bare address (no display name, nothing around
// it), as net/mail parses RFC 5322; the schema's email format asks that
// and more, so whatever passes the schema passes here.
func storableEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

func limit(path []any, rule string, n int) apperr.FieldViolation {
	return apperr.Violation(path, rule, map[string]any{"limit": n})
}

func invalid(v []apperr.FieldViolation) error {
	if len(v) == 0 {
		return nil
	}
	return apperr.Invalid(v...)
}
