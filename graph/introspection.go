package graph

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
)

// noIntrospection is the validation rule that refuses __schema and __type
// when FAULTLINE_INTROSPECTION is off (the default in production), as
// graphql-js's NoSchemaIntrospectionCustomRule does. __typename stays allowed.
// The refusal is GRAPHQL_VALIDATION_FAILED / INVALID_QUERY with this rule name.
var noIntrospection = core.Rule{
	Name: "NoSchemaIntrospection",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		observers.OnField(func(_ *core.Walker, field *ast.Field) {
			if field.Name == "__schema" || field.Name == "__type" {
				addError(
					core.Message(`GraphQL introspection has been disabled, but the query contained the "%s" field.`, field.Name),
					core.At(field.Position),
				)
			}
		})
	},
}
