package graph

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
)

// introspectionDepth replaces gqlparser's MaxIntrospectionDepth rule, under
// the same name and with the same message: it refuses a __schema or __type
// field under which list fields of types (fields, interfaces, possibleTypes,
// inputFields) nest three deep. gqlparser's walks a fragment again at every
// spread, exponential when fragments spread a fragment twice, and again for
// every __schema field; this one measures each fragment and field once.
var introspectionDepth = core.Rule{
	Name: "MaxIntrospectionDepth",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		d := listDepths{fields: map[*ast.Field]int{}, fragments: map[string]int{}}
		observers.OnField(func(_ *core.Walker, field *ast.Field) {
			if (field.Name == "__schema" || field.Name == "__type") && d.field(field) >= maxIntrospectionLists {
				addError(core.Message(`Maximum introspection depth exceeded`), core.At(field.Position))
			}
		})
	},
}

// maxIntrospectionLists is how deep the list fields may nest: gqlparser's and
// graphql-js's limit.
const maxIntrospectionLists = 3

// listDepths measures how deep the list fields of types nest under a field,
// remembering each field and fragment.
type listDepths struct {
	fields    map[*ast.Field]int
	fragments map[string]int // -1 while being measured: a cycle adds nothing
}

func (d *listDepths) field(f *ast.Field) int {
	if n, ok := d.fields[f]; ok {
		return n
	}
	n := d.selectionSet(f.SelectionSet)
	switch f.Name {
	case "fields", "interfaces", "possibleTypes", "inputFields":
		n++
	}
	d.fields[f] = n
	return n
}

func (d *listDepths) selectionSet(sel ast.SelectionSet) int {
	deepest := 0
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			deepest = max(deepest, d.field(s))
		case *ast.InlineFragment:
			deepest = max(deepest, d.selectionSet(s.SelectionSet))
		case *ast.FragmentSpread:
			deepest = max(deepest, d.fragment(s))
		}
	}
	return deepest
}

func (d *listDepths) fragment(s *ast.FragmentSpread) int {
	if s.Definition == nil {
		return 0 // KnownFragmentNames reports it
	}
	if n, ok := d.fragments[s.Name]; ok {
		return max(n, 0)
	}
	d.fragments[s.Name] = -1
	n := d.selectionSet(s.Definition.SelectionSet)
	d.fragments[s.Name] = n
	return n
}
