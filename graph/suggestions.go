package graph

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
)

// The rules that suggest names ("Did you mean ...?") for unknown fields,
// arguments and fragment types, replacing gqlparser's under the same names
// and with the same messages. gqlparser's compute the edit distance from
// the unknown name to every name it might have meant, which costs the name's
// length times theirs: a megabyte-long type name takes over half a second.
// These skip the names whose length alone puts them out of reach, and stop
// suggesting after maxSuggestions errors of a document (a response carries
// 100 errors at most, internal/errbudget).

const maxSuggestions = 100

// suggester makes one document's suggestions.
type suggester struct{ left int }

func newSuggester() *suggester { return &suggester{left: maxSuggestions} }

// list is gqlparser's core.SuggestionList: the options within an edit
// distance of input that grows with its length, nearest first.
func (s *suggester) list(input string, options []string) []string {
	if s.left <= 0 {
		return nil
	}
	s.left--
	threshold := max(int(math.Floor(float64(len(input))*0.4)+1), 1)
	lower := strings.ToLower(input)
	var results []string
	distance := map[string]int{}
	for _, option := range options {
		// GraphQL names are ASCII: the distance is at least the difference
		// in length.
		if abs(len(option)-len(input)) > threshold {
			continue
		}
		if d := lexicalDistance(input, lower, option); d <= threshold {
			results = append(results, option)
			distance[option] = d
		}
	}
	sort.Slice(results, func(i, j int) bool { return distance[results[i]] < distance[results[j]] })
	return results
}

// quoted is gqlparser's core.SuggestListQuoted.
func (s *suggester) quoted(prefix, typed string, options []string) core.ErrorOption {
	suggested := s.list(typed, options)
	return func(err *gqlerror.Error) {
		if len(suggested) > 0 {
			err.Message += " " + prefix + " " + core.QuotedOrList(suggested...) + "?"
		}
	}
}

// lexicalDistance is gqlparser's: the edit distance, a change of case
// counting as one edit.
func lexicalDistance(a, lowerA, b string) int {
	if a == b {
		return 0
	}
	lowerB := strings.ToLower(b)
	if lowerA == lowerB {
		return 1
	}
	return levenshtein.ComputeDistance(lowerA, lowerB)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// fieldsOnCorrectType is gqlparser's FieldsOnCorrectType.
var fieldsOnCorrectType = core.Rule{
	Name: "FieldsOnCorrectType",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		s := newSuggester()
		observers.OnField(func(walker *core.Walker, field *ast.Field) {
			if field.ObjectDefinition == nil || field.Definition != nil {
				return
			}
			message := fmt.Sprintf(`Cannot query field "%s" on type "%s".`, field.Name, field.ObjectDefinition.Name)
			if types := suggestedTypeNames(walker, field.ObjectDefinition, field.Name); types != nil {
				message += " Did you mean to use an inline fragment on " + core.QuotedOrList(types...) + "?"
			} else if fields := s.fieldNames(field.ObjectDefinition, field.Name); fields != nil {
				message += " Did you mean " + core.QuotedOrList(fields...) + "?"
			}
			addError(core.Message("%s", message), core.At(field.Position))
		})
	},
}

// suggestedTypeNames is gqlparser's: the implementations of an abstract
// type, and the interfaces they implement, that have the field, the
// interfaces most implemented first. It compares names only for equality.
func suggestedTypeNames(walker *core.Walker, parent *ast.Definition, name string) []string {
	if !parent.IsAbstractType() {
		return nil
	}
	possibleTypes := walker.Schema.GetPossibleTypes(parent)
	suggestedObjectTypes := make([]string, 0, len(possibleTypes))
	var suggestedInterfaceTypes []string
	interfaceUsageCount := map[string]int{}
	for _, possibleType := range possibleTypes {
		if possibleType.Fields.ForName(name) == nil {
			continue
		}
		suggestedObjectTypes = append(suggestedObjectTypes, possibleType.Name)
		for _, possibleInterface := range possibleType.Interfaces {
			interfaceField := walker.Schema.Types[possibleInterface]
			if interfaceField != nil && interfaceField.Fields.ForName(name) != nil {
				if interfaceUsageCount[possibleInterface] == 0 {
					suggestedInterfaceTypes = append(suggestedInterfaceTypes, possibleInterface)
				}
				interfaceUsageCount[possibleInterface]++
			}
		}
	}
	suggestedTypes := slices.Concat(suggestedInterfaceTypes, suggestedObjectTypes)
	sort.SliceStable(suggestedTypes, func(i, j int) bool {
		typeA, typeB := suggestedTypes[i], suggestedTypes[j]
		if diff := interfaceUsageCount[typeB] - interfaceUsageCount[typeA]; diff != 0 {
			return diff < 0
		}
		return typeA < typeB
	})
	return suggestedTypes
}

// fieldNames is gqlparser's getSuggestedFieldNames: the fields of the type
// whose names are near the unknown one.
func (s *suggester) fieldNames(parent *ast.Definition, name string) []string {
	if parent.Kind != ast.Object && parent.Kind != ast.Interface {
		return nil
	}
	names := make([]string, 0, len(parent.Fields))
	for _, f := range parent.Fields {
		names = append(names, f.Name)
	}
	return s.list(name, names)
}

// knownArgumentNames is gqlparser's KnownArgumentNames.
var knownArgumentNames = core.Rule{
	Name: "KnownArgumentNames",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		s := newSuggester()
		observers.OnField(func(_ *core.Walker, field *ast.Field) {
			if field.Definition == nil || field.ObjectDefinition == nil {
				return
			}
			for _, arg := range field.Arguments {
				if field.Definition.Arguments.ForName(arg.Name) != nil {
					continue
				}
				var suggestions []string
				for _, argDef := range field.Definition.Arguments {
					suggestions = append(suggestions, argDef.Name)
				}
				addError(
					core.Message(`Unknown argument "%s" on field "%s.%s".`, arg.Name, field.ObjectDefinition.Name, field.Name),
					s.quoted("Did you mean", arg.Name, suggestions),
					core.At(field.Position),
				)
			}
		})
		observers.OnDirective(func(_ *core.Walker, directive *ast.Directive) {
			if directive.Definition == nil {
				return
			}
			for _, arg := range directive.Arguments {
				if directive.Definition.Arguments.ForName(arg.Name) != nil {
					continue
				}
				var suggestions []string
				for _, argDef := range directive.Definition.Arguments {
					suggestions = append(suggestions, argDef.Name)
				}
				addError(
					core.Message(`Unknown argument "%s" on directive "@%s".`, arg.Name, directive.Name),
					s.quoted("Did you mean", arg.Name, suggestions),
					core.At(directive.Position),
				)
			}
		})
	},
}

// knownTypeNames is gqlparser's KnownTypeNames.
var knownTypeNames = core.Rule{
	Name: "KnownTypeNames",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		s := newSuggester()
		observers.OnVariable(func(walker *core.Walker, variable *ast.VariableDefinition) {
			typeName := variable.Type.Name()
			if walker.Schema.Types[typeName] != nil {
				return
			}
			addError(core.Message(`Unknown type "%s".`, typeName), core.At(variable.Position))
		})
		observers.OnInlineFragment(func(walker *core.Walker, inlineFragment *ast.InlineFragment) {
			typedName := inlineFragment.TypeCondition
			if typedName == "" || walker.Schema.Types[typedName] != nil {
				return
			}
			addError(core.Message(`Unknown type "%s".`, typedName), core.At(inlineFragment.Position))
		})
		observers.OnFragment(func(walker *core.Walker, fragment *ast.FragmentDefinition) {
			typeName := fragment.TypeCondition
			if walker.Schema.Types[typeName] != nil {
				return
			}
			var possibleTypes []string
			if s.left > 0 {
				// In name order: gqlparser's map order would make ties random.
				possibleTypes = slices.Sorted(maps.Keys(walker.Schema.Types))
			}
			addError(
				core.Message(`Unknown type "%s".`, typeName),
				s.quoted("Did you mean", typeName, possibleTypes),
				core.At(fragment.Position),
			)
		})
	},
}
