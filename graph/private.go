package graph

import (
	"context"
	"regexp"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
)

// With introspection off the schema is private: no error message may name
// a type, field, argument, input field, enum value or directive that the
// request did not name itself. gqlparser has no such mode (its rules'
// WithoutSuggestions variants still name parent and expected types, and
// rename details.rule), so the presenter cuts the suggestions and rewrites
// what still names the schema, using the names this file knows.

// schemaNames are the names faultline's schema defines; the spec's own
// (built-in scalars and directives, introspection) are public anyway.
var schemaNames = sync.OnceValue(func() map[string]bool {
	s := Schema()
	names := map[string]bool{}
	for _, d := range s.Types {
		if d.BuiltIn {
			continue
		}
		names[d.Name] = true
		for _, f := range d.Fields {
			names[f.Name] = true
			for _, a := range f.Arguments {
				names[a.Name] = true
			}
		}
		for _, v := range d.EnumValues {
			names[v.Name] = true
		}
	}
	for _, d := range s.Directives {
		if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
			continue
		}
		names[d.Name] = true
		for _, a := range d.Arguments {
			names[a.Name] = true
		}
	}
	for name := range names {
		if strings.HasPrefix(name, "__") { // __schema, __type, __typename
			delete(names, name)
		}
	}
	return names
})

// words matches what a word boundary (\b) delimits.
var words = regexp.MustCompile(`\w+`)

// leaks reports whether s names a schema name that said does not hold.
func leaks(s string, said map[string]bool) bool {
	names := schemaNames()
	for _, w := range words.FindAllString(s, -1) {
		if names[w] && !said[w] {
			return true
		}
	}
	return false
}

// rewrite is gqlparser's message pattern and its private wording, which
// keeps only the parts the document wrote itself (field, argument, variable
// and fragment names, values, type conditions).
type rewrite struct {
	pattern *regexp.Regexp
	private string
}

func rw(pattern, private string) rewrite {
	return rewrite{regexp.MustCompile(pattern), private}
}

// rewrites cover every gqlparser rule and variable coercion message that
// names a schema thing the document may not have written.
var rewrites = []rewrite{
	// FieldsOnCorrectType: the parent type.
	rw(`^Cannot query field "([^"]*)" on type "[^"]*"\.$`, `Cannot query field "${1}" here.`),
	// KnownArgumentNames: the parent type.
	rw(`^Unknown argument "([^"]*)" on field "[^"]*\.([^"]*)"\.$`, `Unknown argument "${1}" on field "${2}".`),
	// ProvidedRequiredArguments: the missing argument and its type.
	rw(`^(Field|Directive) "([^"]*)" argument "[^"]*" of type "[^"]*" is required, but it was not provided\.$`,
		`${1} "${2}" is missing a required argument.`),
	// ScalarLeafs: the field's type.
	rw(`^Field "([^"]*)" of type "[^"]*" must have a selection of subfields\.$`, `Field "${1}" needs a selection of subfields.`),
	rw(`^Field "([^"]*)" must not have a selection since type "[^"]*" has no subfields\.$`,
		`Field "${1}" must not have a selection: it has no subfields.`),
	// ValuesOfCorrectType: expected types, enums, input object types and their fields.
	rw(`^Expected value of type "[^"]*", found (.*)\.$`, `Expected a value of another type, found ${1}.`),
	rw(`^Enum "[^"]*" cannot represent non-enum value: (.*)\.$`, `This enum cannot represent non-enum value: ${1}.`),
	rw(`^Value "(.*)" does not exist in "[^"]*" enum\.$`, `Value "${1}" does not exist in this enum.`),
	rw(`^Field "[^"]*" of required type "[^"]*" was not provided\.$`, `A required field of this object was not provided.`),
	rw(`^Field "([^"]*)" is not defined by type "[^"]*"\.$`, `Field "${1}" is not defined on this object.`),
	rw(`^OneOf Input Object "[^"]*" must specify exactly one key\.$`, `This object must specify exactly one key.`),
	rw(`^Field "[^"]*" must be non-null\.$`, `The field of this object must be non-null.`),
	// PossibleFragmentSpreads: the parent type.
	rw(`^(Fragment (?:"[^"]*" )?cannot be spread here) as objects of type "[^"]*" can never be of type "([^"]*)"\.$`,
		`${1}: objects here can never be of type "${2}".`),
	// VariablesInAllowedPosition: the expected type.
	rw(`^Variable "([^"]*)" of type "([^"]*)" used in position expecting type "[^"]*"\.$`,
		`Variable "${1}" of type "${2}" cannot be used in this position.`),
	rw(`^Variable "([^"]*)" is of type "[^"]*" but must be non-nullable to be used for OneOf Input Object "[^"]*"\.$`,
		`Variable "${1}" must be non-nullable to be used here.`),
	// VariablesAreInputTypes: "non-input" names no type, but reads as one.
	rw(`^Variable "([^"]*)" cannot be non-input type "([^"]*)"\.$`, `Variable "${1}" cannot be of output type "${2}".`),
	// OverlappingFieldsCanBeMerged, anywhere in its nested reasons.
	rw(`they return conflicting types "[^"]*" and "[^"]*"`, `they return conflicting types`),
	// Variable coercion: input object and enum types.
	rw(`^must be a [^,]*, not an? .*$`, `must be an object`),
	rw(`^(.*) is not a valid \w+$`, `${1} is not a valid value`),
}

// privateReason returns gqlparser's message msg fit for a private schema:
// without suggestions, and rewritten when it still names what said does
// not hold. ok is false when it cannot be made private; the caller then
// sends its type's generic message.
func privateReason(msg string, said map[string]bool) (reason string, ok bool) {
	msg, _, _ = strings.Cut(msg, " Did you mean ") // suggestions end every message
	if !leaks(msg, said) {
		return msg, true
	}
	for _, r := range rewrites {
		msg = r.pattern.ReplaceAllString(msg, r.private)
	}
	return msg, !leaks(msg, said)
}

// privateVariable returns the path and reason of a variable that did not
// coerce, fit for a private schema: an input field the variables lack is
// left out of the path. ok is false when they cannot be made private.
func privateVariable(at ast.Path, reason string, said map[string]bool) (ast.Path, string, bool) {
	if reason == "must be defined" && len(at) > 0 {
		if name, isName := at[len(at)-1].(ast.PathName); isName && !said[string(name)] {
			at, reason = at[:len(at)-1], "is missing a required field"
		}
	}
	reason, ok := privateReason(reason, said)
	return at, reason, ok && !leaks(at.String(), said)
}

// keepVariables is the handler extension that keeps each request's variables
// for the presenter, since gqlgen drops them when they do not coerce. It is
// only installed when the schema is private.
type keepVariables struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = keepVariables{}

// saidKey holds a request's *requestNames among the operation's stats.
const saidKey = "faultline.requestNames"

func (keepVariables) ExtensionName() string                   { return "KeepVariables" }
func (keepVariables) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters keeps the variables; the names are only worked
// out if an error needs them.
func (keepVariables) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if graphql.HasOperationContext(ctx) {
		graphql.GetOperationContext(ctx).Stats.SetExtension(saidKey, &requestNames{variables: params.Variables})
	}
	return nil
}

// requestNames are the names one request used, worked out once.
type requestNames struct {
	variables map[string]any
	once      sync.Once
	names     map[string]bool
}

// namesSaid returns the names the request of ctx used: the document's Name
// tokens and the keys of its variables, at any depth.
func namesSaid(ctx context.Context) map[string]bool {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	opCtx := graphql.GetOperationContext(ctx)
	r, _ := opCtx.Stats.GetExtension(saidKey).(*requestNames)
	if r == nil {
		r = &requestNames{variables: opCtx.Variables}
	}
	r.once.Do(func() {
		r.names = map[string]bool{}
		// The document parsed (errors that need names come from the
		// validator), so lexing it again is within the parser's token limit.
		lex := lexer.New(&ast.Source{Input: opCtx.RawQuery})
		for {
			tok, err := lex.ReadToken()
			if err != nil || tok.Kind == lexer.EOF {
				break
			}
			if tok.Kind == lexer.Name {
				r.names[tok.Value] = true
			}
		}
		addKeys(r.names, r.variables)
	})
	return r.names
}

// addKeys adds the object keys in the JSON value v to names.
func addKeys(names map[string]bool, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			names[k] = true
			addKeys(names, e)
		}
	case []any:
		for _, e := range v {
			addKeys(names, e)
		}
	}
}
