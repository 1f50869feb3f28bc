package graph

import (
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// validationRules are the rules every document is validated with: gqlparser's
// defaults, and introspection refused unless it is on. NewServer and the
// validation benchmark share them.
func validationRules(introspection bool) *rules.Rules {
	r := rules.NewDefaultRules()
	if !introspection {
		r.AddRule(noIntrospection.Name, noIntrospection.RuleFunc)
	}
	return r
}
