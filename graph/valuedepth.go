package graph

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// valueDepth refuses a document with a value (an argument's, a directive's
// or a variable's default) that nests lists and input objects deeper than
// maxValueDepth. gqlparser prints a value into the message of each error
// about it, and printing a value nested n deep copies it n times: a 15 KB
// list nested 7,500 deep takes a tenth of a second.
var valueDepth = documentLimit{name: "MaxValueDepth", judge: judgeValueDepth}.rule()

// maxValueDepth is far deeper than any input type of the schema nests.
const maxValueDepth = 32

func judgeValueDepth(_ *ast.Schema, doc *ast.QueryDocument) (string, *ast.Position) {
	var deep *ast.Value
	var value func(v *ast.Value, depth int)
	value = func(v *ast.Value, depth int) {
		if v == nil || deep != nil {
			return
		}
		if depth > maxValueDepth {
			deep = v
			return
		}
		for _, ch := range v.Children {
			value(ch.Value, depth+1)
		}
	}
	directives := func(dirs ast.DirectiveList) {
		for _, d := range dirs {
			for _, a := range d.Arguments {
				value(a.Value, 0)
			}
		}
	}
	var selections func(ast.SelectionSet)
	selections = func(sel ast.SelectionSet) {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				for _, a := range s.Arguments {
					value(a.Value, 0)
				}
				directives(s.Directives)
				selections(s.SelectionSet)
			case *ast.InlineFragment:
				directives(s.Directives)
				selections(s.SelectionSet)
			case *ast.FragmentSpread:
				directives(s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		for _, v := range op.VariableDefinitions {
			value(v.DefaultValue, 0)
			directives(v.Directives)
		}
		directives(op.Directives)
		selections(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		directives(f.Directives)
		selections(f.SelectionSet)
	}
	if deep == nil {
		return "", nil
	}
	return fmt.Sprintf("A value nests lists and input objects deeper than %d levels, the most a document may nest them.",
		maxValueDepth), deep.Position
}
