package graph

import (
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// validationRules are the rules every document is validated with: gqlparser's
// defaults, with the rules whose cost grows faster than the document replaced
// by ones of the same name that are linear (overlap.go, introspectiondepth.go)
// or cheaper (suggestions.go), limits that refuse a document before the walk
// costs more than its size (prewalk.go), literals held to their types
// (coerce.go), and introspection refused unless it is on. NewServer and the validation
// benchmark share them.
func validationRules(introspection bool) *rules.Rules {
	r := rules.NewDefaultRules()
	for _, rule := range replacedRules {
		r.RemoveRule(rule.Name)
		r.AddRule(rule.Name, rule.RuleFunc)
	}
	for _, rule := range documentLimits {
		r.AddRule(rule.Name, rule.RuleFunc)
	}
	r.AddRule(strictLiterals.Name, strictLiterals.RuleFunc)
	if !introspection {
		r.AddRule(noIntrospection.Name, noIntrospection.RuleFunc)
	}
	return r
}

var (
	replacedRules = []core.Rule{
		overlappingFields, introspectionDepth, fieldsOnCorrectType, knownArgumentNames, knownTypeNames,
	}
	documentLimits = []core.Rule{walkLimit, valueDepth}
)
