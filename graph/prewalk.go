package graph

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
)

// A documentLimit refuses a document before gqlparser's walker walks it,
// when judge finds that the walk would cost more than the document's size
// warrants. gqlgen offers no hook between parsing and validation, so the
// limit is a validation rule that judges at the walker's first event (the
// first operation's variables or directives, before any selection) and, to
// refuse, reports its error and empties what the walker has yet to walk. A
// document with errors is discarded after validation, so nothing else sees
// the emptied document.
type documentLimit struct {
	name string
	// judge returns the refusal's message and position, or "".
	judge func(*ast.Schema, *ast.QueryDocument) (string, *ast.Position)
}

func (l documentLimit) rule() core.Rule {
	return core.Rule{Name: l.name, RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		judged := false
		judge := func(w *core.Walker) {
			if judged {
				return
			}
			judged = true
			if msg, pos := l.judge(w.Schema, w.Document); msg != "" {
				addError(core.Message("%s", msg), core.At(pos))
				skipWalk(w.Document)
			}
		}
		observers.OnVariable(func(w *core.Walker, _ *ast.VariableDefinition) { judge(w) })
		observers.OnDirectiveList(func(w *core.Walker, _ []*ast.Directive) { judge(w) })
	}}
}

// skipWalk leaves the walker nothing more to walk: the walker reads an
// operation's variables, directives and selections after its first event,
// and the fragment list once it is done with the operations.
func skipWalk(doc *ast.QueryDocument) {
	for _, op := range doc.Operations {
		op.VariableDefinitions, op.Directives, op.SelectionSet = nil, nil, nil
	}
	for _, f := range doc.Fragments {
		f.Directives, f.SelectionSet = nil, nil
	}
	doc.Fragments = nil
}
