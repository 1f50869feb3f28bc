package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
)

// Coercion holds variables to GraphQL's input coercion, which gqlparser's
// own pass (validator.VariableValues) loosens: it takes a JSON string for an
// Int or a Float ("100000"), a JSON number for a String, any letter case for
// an enum value, and Ints beyond 32 bits. Those values would reach the
// resolvers, through gqlgen's lenient unmarshalers, as values the
// @constraint checks never saw. Coercion runs after gqlparser's pass, before
// the limits and the constraints, and replaces the operation's variables by
// their canonical values (int for Int, float64 for Float, string for String
// and ID, the enum value's name), so every later step reads the value the
// resolver receives. A value that does not coerce is
// BAD_USER_INPUT / INVALID_VARIABLES, through the presenter.
type Coercion struct {
	schema *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = &Coercion{}

// ExtensionName implements graphql.HandlerExtension.
func (*Coercion) ExtensionName() string { return "FaultlineCoercion" }

// Validate implements graphql.HandlerExtension.
func (c *Coercion) Validate(es graphql.ExecutableSchema) error {
	c.schema = es.Schema()
	return nil
}

// MutateOperationParameters implements graphql.OperationParameterMutator.
// It runs before gqlparser's pass, which reads a JSON number only through
// json.Number's Int64 or Float64: a whole number written as a float (2.0,
// 2e0, which GraphQL's Int accepts) becomes its integer form, and any other
// number that no int64 holds becomes a float64, which gqlparser leaves for
// MutateOperationContext to judge with a message that says what is wrong.
func (*Coercion) MutateOperationParameters(_ context.Context, params *graphql.RawParams) *gqlerror.Error {
	for name, v := range params.Variables {
		params.Variables[name] = numbers(v)
	}
	return nil
}

// numbers rewrites the JSON numbers of v as MutateOperationParameters says.
func numbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return v
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) {
			return v
		}
		if f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
			return json.Number(strconv.FormatInt(int64(f), 10))
		}
		return f
	case map[string]any:
		for k, item := range v {
			v[k] = numbers(item)
		}
	case []any:
		for i, item := range v {
			v[i] = numbers(item)
		}
	}
	return v
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (c *Coercion) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	defs := opCtx.Operation.VariableDefinitions
	if len(defs) == 0 {
		return nil
	}
	out := make(map[string]any, len(defs))
	for _, d := range defs {
		v, given := opCtx.Variables[d.Variable]
		if !given {
			continue // absent: gqlparser has applied the default, or it may be absent
		}
		cv, err := c.value(d.Type, v, ast.Path{ast.PathName("variable"), ast.PathName(d.Variable)})
		if err != nil {
			return err
		}
		out[d.Variable] = cv
	}
	opCtx.Variables = out
	return nil
}

// value coerces v, of type t, at path (variable.<name>...).
func (c *Coercion) value(t *ast.Type, v any, path ast.Path) (any, *gqlerror.Error) {
	if v == nil {
		if t.NonNull {
			return nil, coercionError(path, "cannot be null")
		}
		return nil, nil
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok { // a single value where a list is expected is a list of one
			list = []any{v}
		}
		out := make([]any, len(list))
		for i, item := range list {
			cv, err := c.value(t.Elem, item, append(path[:len(path):len(path)], ast.PathIndex(i)))
			if err != nil {
				return nil, err
			}
			out[i] = cv
		}
		return out, nil
	}
	def := c.schema.Types[t.NamedType]
	if def == nil {
		return nil, coercionError(path, "has an unknown type")
	}
	switch def.Kind {
	case ast.Enum:
		s, ok := v.(string)
		if !ok || def.EnumValues.ForName(s) == nil {
			return nil, coercionError(path, "is not a value of the enum %s", def.Name)
		}
		return s, nil
	case ast.InputObject:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, coercionError(path, "must be an input object (a JSON object)")
		}
		out := make(map[string]any, len(obj))
		for name, fv := range obj {
			f := def.Fields.ForName(name)
			if f == nil {
				continue // gqlparser refused unknown fields; this is __typename
			}
			cv, err := c.value(f.Type, fv, append(path[:len(path):len(path)], ast.PathName(name)))
			if err != nil {
				return nil, err
			}
			out[name] = cv
		}
		return out, nil // gqlparser has refused a missing non-null field
	}
	return scalar(def.Name, v, path)
}

// scalar coerces a value of a built-in scalar; other scalars (DateTime) are
// input only as strings.
func scalar(name string, v any, path ast.Path) (any, *gqlerror.Error) {
	switch name {
	case "Int":
		n, ok := integer(v)
		if !ok {
			return nil, coercionError(path, "%s", notA(v, "Int", "a whole number from -2147483648 to 2147483647"))
		}
		return n, nil
	case "Float":
		f, ok := float(v)
		if !ok {
			return nil, coercionError(path, "%s", notA(v, "Float", "a finite number"))
		}
		return f, nil
	case "Boolean":
		b, ok := v.(bool)
		if !ok {
			return nil, coercionError(path, "%s", notA(v, "Boolean", "true or false"))
		}
		return b, nil
	case "ID":
		switch id := v.(type) {
		case string:
			return text(id, path)
		case json.Number, int64, int:
			if n, ok := integer(v); ok { // an ID may be sent as an integer
				return strconv.Itoa(n), nil
			}
		}
		return nil, coercionError(path, "%s", notA(v, "ID", "a string or a whole number"))
	default: // String and the string-based custom scalars
		s, ok := v.(string)
		if !ok {
			return nil, coercionError(path, "%s", notA(v, name, "a string"))
		}
		return text(s, path)
	}
}

// text refuses the NUL character, which no column of ours can hold
// (PostgreSQL refuses it in text) and no legitimate input needs.
func text(s string, path ast.Path) (any, *gqlerror.Error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, coercionError(path, "must not contain the NUL character (U+0000)")
	}
	return s, nil
}

// integer reads a GraphQL Int: a JSON number without a fractional part,
// within 32 bits.
func integer(v any) (int, bool) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 32); err == nil {
			return int(i), true
		}
		var err error
		if f, err = strconv.ParseFloat(string(n), 64); err != nil {
			return 0, false
		}
	case int64:
		if n < math.MinInt32 || n > math.MaxInt32 {
			return 0, false
		}
		return int(n), true
	case int:
		if n < math.MinInt32 || n > math.MaxInt32 {
			return 0, false
		}
		return n, true
	case float64:
		f = n
	default:
		return 0, false
	}
	if f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// float reads a GraphQL Float: any finite JSON number.
func float(v any) (float64, bool) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(n), 64); err != nil {
			return 0, false
		}
	case float64:
		f = n
	case int64:
		f = float64(n)
	case int:
		f = float64(n)
	default:
		return 0, false
	}
	return f, !math.IsInf(f, 0) && !math.IsNaN(f)
}

// notA words a value that is not of a scalar type.
func notA(v any, typ, want string) string {
	var got string
	switch v.(type) {
	case string:
		got = "a string"
	case json.Number, int64, int, float64:
		got = "the number " + fmt.Sprint(v)
	case bool:
		got = "a boolean"
	case map[string]any:
		got = "an object"
	case []any:
		got = "a list"
	default:
		got = "a value"
	}
	return fmt.Sprintf("is %s, which is not a valid %s: send %s", got, typ, want)
}

// coercionError is a variable error as gqlparser words one; the presenter
// makes it INVALID_VARIABLES naming the variable.
func coercionError(path ast.Path, format string, args ...any) *gqlerror.Error {
	e := gqlerror.ErrorPathf(path, format, args...)
	errcode.Set(e, errcode.ValidationFailed)
	return e
}

// strictLiterals is the validation rule that holds the document's own
// values to the same coercion: an Int literal beyond 32 bits, and a string
// literal holding the NUL character, are refused (INVALID_QUERY), as
// graphql-js refuses the first. gqlparser checks a literal's kind only.
var strictLiterals = core.Rule{
	Name: "ValuesWithinTheirTypes",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		observers.OnValue(func(_ *core.Walker, value *ast.Value) {
			if value.Definition == nil || value.Definition.Kind != ast.Scalar {
				return
			}
			switch value.Kind {
			case ast.IntValue:
				if value.Definition.Name != "Int" {
					return
				}
				if _, err := strconv.ParseInt(value.Raw, 10, 32); err != nil {
					addError(core.Message("Int cannot represent non 32-bit signed integer value: %s", value.Raw), core.At(value.Position))
				}
			case ast.StringValue, ast.BlockValue:
				if strings.IndexByte(value.Raw, 0) >= 0 {
					addError(core.Message("A string value must not contain the NUL character (U+0000)"), core.At(value.Position))
				}
			}
		})
	},
}
