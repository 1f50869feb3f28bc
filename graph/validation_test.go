package graph

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// validate parses and validates a document as the server does (with
// introspection on, so that the introspection shapes are valid).
func validate(doc string) gqlerror.List {
	parsed, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: doc}, ParserTokenLimit)
	if err != nil {
		return gqlerror.List{err.(*gqlerror.Error)}
	}
	return validator.ValidateWithRules(Schema(), parsed, validationRules(true))
}
