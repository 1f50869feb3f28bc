package graph

import (
	"context"
	"encoding/json"
	"math"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faultline/faultline/apperr"
)

// Constraints enforces the schema's @constraint declarations. Before a field
// resolves, every argument and every nested input field of it is checked, and
// all violations come back at once as one BAD_USER_INPUT / VALIDATION_FAILED
// error whose fields carry a path starting at the argument name.
//
// On a list, minItems and maxItems apply to the list and the other rules to
// each entry, as in graphql-constraint-directive.
//
// A protected field (@auth, @owner) is checked by its directive after the
// caller is authorized, so that nobody learns about a field's input before
// being allowed to use it; every other field is checked here, before it resolves.
type Constraints struct {
	schema *ast.Schema
	// fields holds the field definitions that have a constrained argument,
	// so that every other field costs one map lookup; the value says whether
	// a directive checks them.
	fields map[*ast.FieldDefinition]bool
}

// protectingDirectives check a field's constraints themselves, after authorizing.
var protectingDirectives = []string{"auth", "owner"}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = &Constraints{}

const constraintDirective = "constraint"

// ExtensionName implements graphql.HandlerExtension.
func (*Constraints) ExtensionName() string { return "FaultlineConstraints" }

// Validate implements graphql.HandlerExtension: it finds the constrained
// fields, and writes each declared constraint into the description of its
// argument or input field, which is what introspection and the playground's
// docs show (standard introspection does not show applied directives).
func (c *Constraints) Validate(es graphql.ExecutableSchema) error {
	c.schema = es.Schema()
	c.fields = map[*ast.FieldDefinition]bool{}
	for _, def := range c.schema.Types {
		switch def.Kind {
		case ast.Object:
			for _, f := range def.Fields {
				for _, arg := range f.Arguments {
					if c.constrained(arg.Type, arg.Directives, map[string]bool{}) {
						c.fields[f] = protected(f)
					}
					arg.Description = describe(arg.Description, arg.Directives)
				}
			}
		case ast.InputObject:
			for _, f := range def.Fields {
				f.Description = describe(f.Description, f.Directives)
			}
		}
	}
	return nil
}

// constraintNote starts the sentence describe adds; it makes describe idempotent.
const constraintNote = "Constraint: "

// describe appends "Constraint: minLength 1, maxLength 30." to a description.
func describe(desc string, dirs ast.DirectiveList) string {
	d := dirs.ForName(constraintDirective)
	if d == nil || strings.Contains(desc, constraintNote) {
		return desc
	}
	parts := make([]string, 0, len(d.Arguments))
	for _, a := range d.Arguments {
		parts = append(parts, a.Name+" "+a.Value.String())
	}
	note := constraintNote + strings.Join(parts, ", ") + "."
	if desc == "" {
		return note
	}
	return desc + "\n\n" + note
}

// constrained reports whether a value of type t declared with dirs, or any
// input field inside it, carries a constraint.
func (c *Constraints) constrained(t *ast.Type, dirs ast.DirectiveList, seen map[string]bool) bool {
	if dirs.ForName(constraintDirective) != nil {
		return true
	}
	for t.Elem != nil {
		t = t.Elem
	}
	def := c.schema.Types[t.NamedType]
	if def == nil || def.Kind != ast.InputObject || seen[def.Name] {
		return false
	}
	seen[def.Name] = true
	for _, f := range def.Fields {
		if c.constrained(f.Type, f.Directives, seen) {
			return true
		}
	}
	return false
}

func protected(f *ast.FieldDefinition) bool {
	for _, name := range protectingDirectives {
		if f.Directives.ForName(name) != nil {
			return true
		}
	}
	return false
}

// InterceptField implements graphql.FieldInterceptor.
func (c *Constraints) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return next(ctx)
	}
	if byDirective, ok := c.fields[fc.Field.Definition]; ok && !byDirective {
		if err := c.checkField(ctx, fc); err != nil {
			return nil, err
		}
	}
	return next(ctx)
}

// Check validates the arguments of the field being resolved; the protecting
// directives call it once the caller is authorized.
func (c *Constraints) Check(ctx context.Context) error {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return nil
	}
	if _, ok := c.fields[fc.Field.Definition]; !ok {
		return nil
	}
	return c.checkField(ctx, fc)
}

func (c *Constraints) checkField(ctx context.Context, fc *graphql.FieldContext) error {
	values := fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
	var violations []apperr.FieldViolation
	for _, arg := range fc.Field.Definition.Arguments {
		c.check(arg.Type, arg.Directives, values[arg.Name], []any{arg.Name}, &violations)
	}
	if len(violations) > 0 {
		return apperr.Invalid(violations...)
	}
	return nil
}

// check validates v, of type t declared with dirs, at path.
func (c *Constraints) check(t *ast.Type, dirs ast.DirectiveList, v any, path []any, out *[]apperr.FieldViolation) {
	if v == nil {
		return // nullability is GraphQL's own check
	}
	d := dirs.ForName(constraintDirective)
	if t.Elem != nil {
		list, _ := v.([]any)
		if list == nil {
			list = []any{v} // input coercion: a single value where a list is expected
		}
		if d != nil {
			if limit, ok := intArg(d, "minItems"); ok && len(list) < limit {
				add(out, path, "minItems", limit)
			}
			if limit, ok := intArg(d, "maxItems"); ok && len(list) > limit {
				add(out, path, "maxItems", limit)
			}
		}
		for i, item := range list {
			c.check(t.Elem, dirs, item, append(path[:len(path):len(path)], i), out)
		}
		return
	}
	if d != nil {
		checkScalar(d, v, path, out)
	}
	def := c.schema.Types[t.NamedType]
	if def == nil || def.Kind != ast.InputObject {
		return
	}
	obj, _ := v.(map[string]any)
	for _, f := range def.Fields {
		c.check(f.Type, f.Directives, obj[f.Name], append(path[:len(path):len(path)], f.Name), out)
	}
}

func checkScalar(d *ast.Directive, v any, path []any, out *[]apperr.FieldViolation) {
	if s, ok := v.(string); ok {
		n := utf8.RuneCountInString(s)
		if limit, ok := intArg(d, "minLength"); ok && n < limit {
			add(out, path, "minLength", limit)
		}
		if limit, ok := intArg(d, "maxLength"); ok && n > limit {
			add(out, path, "maxLength", limit)
		}
		if format, ok := stringArg(d, "format"); ok {
			if check := formats[format]; check != nil && !check(s) {
				add(out, path, format, 0)
			}
		}
		return
	}
	if n, ok := toInt(v); ok {
		if limit, ok := intArg(d, "min"); ok && n < int64(limit) {
			add(out, path, "min", limit)
		}
		if limit, ok := intArg(d, "max"); ok && n > int64(limit) {
			add(out, path, "max", limit)
		}
	}
}

// formats are the named formats of @constraint(format:); each one's rule
// is its name, and apperr words its message.
var formats = map[string]func(string) bool{
	"email": validEmail,
}

// validEmail accepts a bare RFC 5322 address (no display name) of at most
// 254 characters whose domain has a dot.
func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := len(s) - 1
	for at >= 0 && s[at] != '@' {
		at--
	}
	for i := at + 1; i < len(s); i++ {
		if s[i] == '.' && i > at+1 && i < len(s)-1 {
			return true
		}
	}
	return false
}

func add(out *[]apperr.FieldViolation, path []any, rule string, limit int) {
	*out = append(*out, apperr.Violation(path, rule, map[string]any{"limit": limit}))
}

func intArg(d *ast.Directive, name string) (int, bool) {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil || a.Value.Kind != ast.IntValue {
		return 0, false
	}
	n, err := strconv.Atoi(a.Value.Raw)
	return n, err == nil
}

func stringArg(d *ast.Directive, name string) (string, bool) {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil || a.Value.Kind != ast.StringValue {
		return "", false
	}
	return a.Value.Raw, true
}

// toInt reads an Int argument as it comes from a literal (int64) or from
// the request's JSON variables (json.Number).
func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		if n >= math.MinInt64 && n <= math.MaxInt64 {
			return int64(n), true
		}
	}
	return 0, false
}
