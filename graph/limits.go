package graph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/sizecache"
)

// Limits rejects, before anything executes, operations nested deeper than
// MaxDepth (QUERY_TOO_DEEP), costing more than MaxComplexity
// (QUERY_TOO_COMPLEX), or holding more than one field that hashes a password
// (TOO_MANY_PASSWORD_HASHES). Zero turns the first two off.
//
// The costs are the schema's: a field costs its @cost weight (1 unless
// declared) plus its selection; a field with @listSize costs its selection
// times its size (the slicing argument's value, bounded by its @constraint,
// or the assumed size). Introspection fields count for neither limit, unless
// Introspection is on: then they count toward the complexity (1 each plus
// their selection), so that repeating them cannot pass unbounded.
//
// gqlgen's complexity.Calculate walks a fragment again at every spread, which
// is exponential in a document that spreads fragments into fragments; this
// walker computes each fragment once.
type Limits struct {
	MaxComplexity int
	MaxDepth      int
	Introspection bool

	fields map[*ast.FieldDefinition]fieldCost
	// costs remembers the cost of operations without variables: gqlgen's
	// query cache hands back the same parsed operation for the same text,
	// and without variables its cost cannot change. It is bounded like the
	// query cache, whose documents it would otherwise keep alive.
	costs *sizecache.Cache[*ast.OperationDefinition, cost]
}

// passwordFields are the fields of Mutation that hash a password; an
// operation may hold one (argon2id takes 19 MiB and tens of milliseconds).
var passwordFields = map[string]bool{"login": true, "register": true}

// maxPasswordHashes is how many an operation may cause.
const maxPasswordHashes = 1

// fieldCost is what the schema declares of a field's cost.
type fieldCost struct {
	weight  int
	sized   bool
	slicing []string       // @listSize(slicingArguments:)
	bound   map[string]int // each slicing argument's @constraint max
	assumed int            // @listSize(assumedSize:)
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &Limits{}

// ExtensionName implements graphql.HandlerExtension.
func (*Limits) ExtensionName() string { return "FaultlineLimits" }

// Validate implements graphql.HandlerExtension: it reads every field's
// @cost and @listSize, and writes them into the field's description, which
// is what introspection and the playground's docs show.
func (l *Limits) Validate(es graphql.ExecutableSchema) error {
	l.fields = map[*ast.FieldDefinition]fieldCost{}
	for _, def := range es.Schema().Types {
		for _, f := range def.Fields {
			fc, err := readCost(f)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", def.Name, f.Name, err)
			}
			if fc != nil {
				l.fields[f] = *fc
				f.Description = describeCost(f.Description, *fc)
			}
		}
	}
	l.costs = sizecache.New[*ast.OperationDefinition, cost](docCacheBytes, docCacheMaxEntry)
	return nil
}

// readCost reads a field's @cost and @listSize; nil when it has neither.
func readCost(f *ast.FieldDefinition) (*fieldCost, error) {
	c, l := f.Directives.ForName("cost"), f.Directives.ForName("listSize")
	if c == nil && l == nil {
		return nil, nil
	}
	fc := &fieldCost{weight: 1}
	if c != nil {
		w, err := strconv.Atoi(c.Arguments.ForName("weight").Value.Raw)
		if err != nil || w < 0 {
			return nil, errors.New("@cost(weight:) must be a whole number")
		}
		fc.weight = w
	}
	if l == nil {
		return fc, nil
	}
	fc.sized = true
	if a := l.Arguments.ForName("assumedSize"); a != nil {
		n, err := strconv.Atoi(a.Value.Raw)
		if err != nil || n < 1 {
			return nil, errors.New("@listSize(assumedSize:) must be a positive Int")
		}
		fc.assumed = n
	}
	if a := l.Arguments.ForName("slicingArguments"); a != nil {
		fc.bound = map[string]int{}
		for _, v := range a.Value.Children {
			arg := f.Arguments.ForName(v.Value.Raw)
			if arg == nil {
				return nil, fmt.Errorf("@listSize slices by %q, which is not an argument", v.Value.Raw)
			}
			fc.slicing = append(fc.slicing, arg.Name)
			if d := arg.Directives.ForName(constraintDirective); d != nil {
				if limit, ok := intArg(d, "max"); ok {
					fc.bound[arg.Name] = limit
				}
			}
		}
	}
	if fc.assumed == 0 && len(fc.slicing) == 0 {
		return nil, errors.New("@listSize needs assumedSize or slicingArguments")
	}
	return fc, nil
}

// costNote starts the sentence describeCost adds; it makes it idempotent.
const costNote = "Cost: "

// describeCost appends the field's cost to its description.
func describeCost(desc string, fc fieldCost) string {
	if strings.Contains(desc, costNote) {
		return desc
	}
	var note string
	switch {
	case fc.sized && len(fc.slicing) > 0:
		note = fmt.Sprintf("its selection counts once per entry asked for with `%s`", fc.slicing[0])
		if b, ok := fc.bound[fc.slicing[0]]; ok {
			note += fmt.Sprintf(" (at most %d)", b)
		}
	case fc.sized:
		note = fmt.Sprintf("its selection counts %d times", fc.assumed)
	default:
		note = fmt.Sprintf("%d plus its selection", fc.weight)
	}
	note = costNote + note + "."
	if desc == "" {
		return note
	}
	return desc + "\n\n" + note
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
		w := costWalker{limits: l, vars: opCtx.Variables, fragments: map[string]cost{}}
		c = w.selectionSet(op.SelectionSet)
		if constant {
			l.costs.Add(op, c, docWeight(len(op.Position.Src.Input)))
		}
	}
	var ae *apperr.Error
	switch {
	case c.hashes > maxPasswordHashes:
		ae = apperr.New(apperr.TooManyPasswordHashes).With("limit", maxPasswordHashes).With("actual", c.hashes)
	case l.MaxDepth > 0 && c.depth > l.MaxDepth:
		ae = apperr.New(apperr.QueryTooDeep).With("limit", l.MaxDepth).With("actual", c.depth)
	case l.MaxComplexity > 0 && c.complexity > l.MaxComplexity:
		ae = apperr.New(apperr.QueryTooComplex).With("limit", l.MaxComplexity).With("actual", c.complexity)
	default:
		return nil
	}
	return &gqlerror.Error{Err: ae, Message: ae.Message()}
}

// cost is what the limits measure of a selection.
type cost struct{ complexity, depth, hashes int }

type costWalker struct {
	limits    *Limits
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
				if s.Name == "__typename" || !w.limits.Introspection {
					continue
				}
				// Introspection counts toward the complexity only.
				c.complexity = satAdd(1, w.selectionSet(s.SelectionSet).complexity)
				break
			}
			child := w.selectionSet(s.SelectionSet)
			c.depth = child.depth + 1
			c.complexity = w.field(s, child.complexity)
			c.hashes = child.hashes
			if s.ObjectDefinition != nil && s.ObjectDefinition.Name == "Mutation" && passwordFields[s.Name] {
				c.hashes++
			}
		case *ast.InlineFragment:
			c = w.selectionSet(s.SelectionSet)
		case *ast.FragmentSpread:
			c = w.fragment(s)
		}
		total.complexity = satAdd(total.complexity, c.complexity)
		total.depth = max(total.depth, c.depth)
		total.hashes += c.hashes
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

// field is the complexity of f whose selection costs child.
func (w *costWalker) field(f *ast.Field, child int) int {
	fc, ok := w.limits.fields[f.Definition]
	if !ok {
		return satAdd(1, child)
	}
	if !fc.sized {
		return satAdd(fc.weight, child)
	}
	return max(fc.weight, satMul(child, w.size(f, fc)))
}

// size is the size of a @listSize field: its first slicing argument's value
// (a default included), within 1 and that argument's @constraint maximum
// (beyond which the constraint fails before anything resolves, so the client
// hears about the constraint rather than the cost), else the assumed size.
func (w *costWalker) size(f *ast.Field, fc fieldCost) int {
	if len(fc.slicing) > 0 {
		args := f.ArgumentMap(w.vars)
		for _, name := range fc.slicing {
			if n, ok := toInt(args[name]); ok {
				if b, bounded := fc.bound[name]; bounded && n > int64(b) {
					return b
				}
				return int(max(n, 1))
			}
		}
	}
	return max(fc.assumed, 1)
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
