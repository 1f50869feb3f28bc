package graph

import (
	"context"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/page"
)

// Limits rejects operations nested deeper than MaxDepth or costing more than
// MaxComplexity before anything executes (GRAPHQL_VALIDATION_FAILED /
// QUERY_TOO_DEEP and QUERY_TOO_COMPLEX). A field costs 1 plus its children;
// a list field costs its children times its `first` (see listCost).
// Introspection fields count for neither. Zero turns a limit off.
//
// gqlgen's complexity.Calculate walks a fragment again at every spread, which
// is exponential in a document that spreads fragments into fragments; this
// walker computes each fragment once.
type Limits struct {
	MaxComplexity int
	MaxDepth      int

	es graphql.ExecutableSchema
	// costs remembers the cost of operations without variables: gqlgen's
	// query cache hands back the same parsed operation for the same text,
	// and without variables its cost cannot change.
	costs *lru.Cache[*ast.OperationDefinition, cost]
}

// costCacheSize matches gqlgen's query cache (graph.NewServer).
const costCacheSize = 1000

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &Limits{}

// ExtensionName implements graphql.HandlerExtension.
func (*Limits) ExtensionName() string { return "FaultlineLimits" }

// Validate implements graphql.HandlerExtension.
func (l *Limits) Validate(es graphql.ExecutableSchema) error {
	l.es = es
	var err error
	l.costs, err = lru.New[*ast.OperationDefinition, cost](costCacheSize)
	return err
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (l *Limits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation
	constant := len(op.VariableDefinitions) == 0
	c, known := cost{}, false
	if constant {
		c, known = l.costs.Get(op)
	}
	if !known {
		w := costWalker{ctx: ctx, es: l.es, vars: opCtx.Variables, fragments: map[string]cost{}}
		c = w.selectionSet(op.SelectionSet)
		if constant {
			l.costs.Add(op, c)
		}
	}
	var ae *apperr.Error
	switch {
	case l.MaxDepth > 0 && c.depth > l.MaxDepth:
		ae = apperr.New(apperr.QueryTooDeep).With("limit", l.MaxDepth).With("actual", c.depth)
	case l.MaxComplexity > 0 && c.complexity > l.MaxComplexity:
		ae = apperr.New(apperr.QueryTooComplex).With("limit", l.MaxComplexity).With("actual", c.complexity)
	default:
		return nil
	}
	return &gqlerror.Error{Err: ae, Message: ae.Message()}
}

type cost struct{ complexity, depth int }

type costWalker struct {
	ctx       context.Context
	es        graphql.ExecutableSchema
	vars      map[string]any
	fragments map[string]cost
}

func (w *costWalker) selectionSet(set ast.SelectionSet) cost {
	var total cost
	for _, sel := range set {
		var c cost
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			child := w.selectionSet(s.SelectionSet)
			c.depth = child.depth + 1
			c.complexity = w.field(s, child.complexity)
		case *ast.InlineFragment:
			c = w.selectionSet(s.SelectionSet)
		case *ast.FragmentSpread:
			c = w.fragment(s)
		}
		total.complexity = satAdd(total.complexity, c.complexity)
		total.depth = max(total.depth, c.depth)
	}
	return total
}

func (w *costWalker) fragment(s *ast.FragmentSpread) cost {
	if c, ok := w.fragments[s.Name]; ok {
		return c
	}
	var c cost
	if s.Definition != nil { // validation guarantees it, and that spreads do not cycle
		c = w.selectionSet(s.Definition.SelectionSet)
	}
	w.fragments[s.Name] = c
	return c
}

func (w *costWalker) field(f *ast.Field, child int) int {
	if f.ObjectDefinition != nil {
		var args map[string]any
		if f.Definition != nil && len(f.Definition.Arguments) > 0 {
			args = f.ArgumentMap(w.vars)
		}
		if c, ok := w.es.Complexity(w.ctx, f.ObjectDefinition.Name, f.Name, child, args); ok && c >= 1 {
			return c
		}
	}
	return satAdd(1, child)
}

// listCost is the complexity of a connection field: its children times the
// page size it asks for. A first outside 1..MaxPageSize fails its
// @constraint before anything resolves, so it is costed at the bound and the
// client hears about the constraint rather than the cost.
func listCost(child int, first *int) int {
	n := page.DefaultPageSize
	if first != nil {
		n = min(max(*first, 1), page.MaxPageSize)
	}
	return max(1, satMul(child, n))
}

func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}
