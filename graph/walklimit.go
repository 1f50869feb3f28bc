package graph

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// walkLimit refuses a document whose validation would walk too much.
// gqlparser's walker walks a fragment again for every operation that
// spreads it, and for every fragment definition that spreads it, directly
// or through other fragments: n operations sharing a fragment of n fields,
// or a chain of n fragments each spreading the next, walk n² nodes. It also
// finds each spread's fragment, and each variable's definition, by
// scanning the document's lists. The walk may cost walkPerNode times the
// document's own nodes, and at least walkFloor.
var walkLimit = documentLimit{name: "MaxValidationWalk", judge: judgeWalk}.rule()

const (
	walkFloor   = 50_000
	walkPerNode = 4
	// scanRatio is how many entries of a list the walker scans in the
	// time it visits one node.
	scanRatio = 64
)

// walkSize is what walking one definition's own text costs.
type walkSize struct {
	nodes     int // fields, fragments, spreads, directives and values
	spreads   int // spreads walked, each a scan of the fragment list
	variables int // variables used, each a scan of the operation's
	fragments []string
}

func judgeWalk(_ *ast.Schema, doc *ast.QueryDocument) (string, *ast.Position) {
	walked, limit, at := walkCost(doc)
	if walked <= limit {
		return "", nil
	}
	return fmt.Sprintf("Validating the document would walk over %d nodes (each operation and fragment walks again "+
		"every fragment it spreads), more than the %d its size allows; send each operation with only the fragments it uses.",
		walked, limit), at
}

// walkCost is what validating doc walks, up to just over limit, and where
// the walk went over it.
func walkCost(doc *ast.QueryDocument) (walked, limit int, at *ast.Position) {
	frags := make(map[string]*walkSize, len(doc.Fragments)) // by name, the first as the walker finds it
	defs := make([]*walkSize, len(doc.Fragments))
	total := 0
	for i, f := range doc.Fragments {
		s := &walkSize{}
		s.directives(f.Directives)
		s.selections(f.SelectionSet)
		total += s.nodes
		defs[i] = s
		if frags[f.Name] == nil {
			frags[f.Name] = s
		}
	}
	ops := make([]*walkSize, len(doc.Operations))
	for i, op := range doc.Operations {
		s := &walkSize{}
		for _, v := range op.VariableDefinitions {
			s.nodes++
			s.value(v.DefaultValue)
			s.directives(v.Directives)
		}
		s.directives(op.Directives)
		s.selections(op.SelectionSet)
		total += s.nodes
		ops[i] = s
	}
	limit = max(walkFloor, walkPerNode*total)

	// walk adds what walking one definition costs, fragments included.
	walk := func(s *walkSize, variables int) bool {
		seen := map[string]bool{}
		stack := []*walkSize{s}
		for len(stack) > 0 && walked <= limit {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			walked += s.nodes + s.spreads*len(doc.Fragments)/scanRatio + s.variables*variables/scanRatio
			for _, name := range s.fragments {
				if f := frags[name]; f != nil && !seen[name] {
					seen[name] = true
					stack = append(stack, f)
				}
			}
		}
		return walked <= limit
	}
	for i, op := range doc.Operations {
		if !walk(ops[i], len(op.VariableDefinitions)) {
			return walked, limit, op.Position
		}
	}
	for i, f := range doc.Fragments {
		if !walk(defs[i], 0) {
			return walked, limit, f.Position
		}
	}
	return walked, limit, nil
}

func (s *walkSize) selections(sel ast.SelectionSet) {
	for _, sel := range sel {
		s.nodes++
		switch sel := sel.(type) {
		case *ast.Field:
			for _, a := range sel.Arguments {
				s.value(a.Value)
			}
			s.directives(sel.Directives)
			s.selections(sel.SelectionSet)
		case *ast.InlineFragment:
			s.directives(sel.Directives)
			s.selections(sel.SelectionSet)
		case *ast.FragmentSpread:
			s.spreads++
			s.directives(sel.Directives)
			s.fragments = append(s.fragments, sel.Name)
		}
	}
}

func (s *walkSize) directives(dirs ast.DirectiveList) {
	for _, d := range dirs {
		s.nodes++
		for _, a := range d.Arguments {
			s.value(a.Value)
		}
	}
}

func (s *walkSize) value(v *ast.Value) {
	if v == nil {
		return
	}
	s.nodes++
	if v.Kind == ast.Variable {
		s.variables++
	}
	for _, ch := range v.Children {
		s.value(ch.Value)
	}
}
