package apperr

import (
	"strings"
	"unicode/utf8"
)

// Check collects the input violations of one call, so that every one is
// reported at once: the domain defends its own ranges with it, whatever the
// schema already checked, and graph's @constraint enforcement words its
// findings with the same rules. The zero value is ready to use.
//
//	var c apperr.Check
//	c.Length([]any{"input", "name"}, name, 3, 50)
//	c.Range([]any{"amountCents"}, amount, 1, 1_000_000)
//	return c.Err()
type Check struct {
	violations []FieldViolation
}

// Add records a violation of rule at path, with its limit.
func (c *Check) Add(path []any, rule string, limit int) {
	c.violations = append(c.violations, Violation(path, rule, map[string]any{"limit": limit}))
}

// Range checks min <= n <= max (rules min and max).
func (c *Check) Range(path []any, n, min, max int) {
	switch {
	case n < min:
		c.Add(path, "min", min)
	case n > max:
		c.Add(path, "max", max)
	}
}

// Length checks that s has min to max characters (rules minLength and
// maxLength) and no NUL character (rule noNul): what a stored text must be.
func (c *Check) Length(path []any, s string, min, max int) {
	c.Chars(path, s, min, max)
	c.Text(path, s)
}

// Chars checks that s has min to max characters (rules minLength and
// maxLength), whatever they are: what a text hashed, not stored, must be.
func (c *Check) Chars(path []any, s string, min, max int) {
	switch n := utf8.RuneCountInString(s); {
	case n < min:
		c.Add(path, "minLength", min)
	case n > max:
		c.Add(path, "maxLength", max)
	}
}

// Text checks that s holds no NUL character (rule noNul), which no column
// can store.
func (c *Check) Text(path []any, s string) {
	if strings.IndexByte(s, 0) >= 0 {
		c.violations = append(c.violations, Violation(path, "noNul", nil))
	}
}

// Items checks that a list has min to max entries (rules minItems and maxItems).
func (c *Check) Items(path []any, n, min, max int) {
	switch {
	case n < min:
		c.Add(path, "minItems", min)
	case n > max:
		c.Add(path, "maxItems", max)
	}
}

// OK reports whether nothing was violated so far.
func (c *Check) OK() bool { return len(c.violations) == 0 }

// Err is BAD_USER_INPUT / VALIDATION_FAILED with every violation, or nil.
func (c *Check) Err() error {
	if len(c.violations) == 0 {
		return nil
	}
	return Invalid(c.violations...)
}
