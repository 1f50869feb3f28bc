package app_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faultline/faultline/graph"
	"github.com/faultline/faultline/internal/testserver"
)

// TestProductionErrorsKeepTheSchemaPrivate walks the schema and, for every
// name it defines, sends a production server (introspection off) a document
// with a typo of that name where the name would be valid, and the other
// mistakes that make gqlparser name schema things (a missing argument or
// input field, a selection on a scalar or none on an object, a value or
// variable of the wrong type, an impossible fragment). No message may then
// name a type, field, argument, input field, enum value or directive that
// the document and variables did not contain.
func TestProductionErrorsKeepTheSchemaPrivate(t *testing.T) {
	srv := testserver.Start(t,
		testserver.Env("FAULTLINE_ENV", "production"),
		testserver.Env("FAULTLINE_JWT_SECRET", strings.Repeat("k", 32)))
	w := newSchemaWalk(t, graph.Schema())
	probes := w.probes(t)
	require.Greater(t, len(probes), 300, "the walk covers the schema")
	for _, p := range probes {
		res := srv.Query(t, p.query, p.vars)
		testserver.CheckEnvelope(t, res)
		if !assert.NotEmpty(t, res.Body.Errors, "%s: the probe must fail: %s", p.name, p.query) {
			continue
		}
		said := wordsOf(p.query)
		if p.vars != nil {
			raw, err := json.Marshal(p.vars)
			require.NoError(t, err)
			maps(said, wordsOf(string(raw)))
		}
		for _, e := range res.Body.Errors {
			assert.Contains(t, []string{"INVALID_QUERY", "INVALID_VARIABLES"}, e.Extensions.Type, "%s: %s", p.name, res.Raw)
			for word := range wordsOf(e.Message) {
				if w.names[word] && !said[word] {
					t.Errorf("%s: %q names %q, which the request did not\nquery: %s\nvariables: %v", p.name, e.Message, word, p.query, p.vars)
				}
			}
		}
	}
}

// TestDevelopmentErrorsStillSuggest: with introspection on, the messages
// stay as helpful as gqlparser makes them.
func TestDevelopmentErrorsStillSuggest(t *testing.T) {
	srv := testserver.Start(t)
	e := srv.Query(t, `{ produc }`, nil).Error(t)
	assert.Equal(t, `Cannot query field "produc" on type "Query". Did you mean "product" or "products"?`, e.Message)

	e = srv.Query(t, `{ products(firs: 1) { pageInfo { hasNextPage } } }`, nil).Error(t)
	assert.Contains(t, e.Message, `Did you mean "first"?`)

	e = srv.Query(t, `mutation($in: ProductInput!) { createProduct(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"priceCents": 1, "categories": []string{"x"}}}).Error(t)
	assert.Equal(t, `Variable "$in" at name: must be defined`, e.Message)
}

// TestPrivateMessagesStayUseful: the private wordings still say what is
// wrong, with what the request named.
func TestPrivateMessagesStayUseful(t *testing.T) {
	srv := testserver.Start(t,
		testserver.Env("FAULTLINE_ENV", "production"),
		testserver.Env("FAULTLINE_JWT_SECRET", strings.Repeat("k", 32)))
	missingName := map[string]any{"in": map[string]any{"priceCents": 1, "categories": []string{"x"}}}
	for _, c := range []struct {
		query    string
		vars     map[string]any
		messages []string
	}{
		{query: `{ produc }`, messages: []string{`Cannot query field "produc" here.`}},
		{query: `{ products(firs: 1) { pageInfo { hasNextPage } } }`, messages: []string{`Unknown argument "firs" on field "products".`}},
		{query: `{ product { name } }`, messages: []string{`Field "product" is missing a required argument.`}},
		{query: `{ product(id: "1") }`, messages: []string{`Field "product" needs a selection of subfields.`}},
		{query: `{ me { role { __typename } } }`, messages: []string{`Field "role" must not have a selection: it has no subfields.`}},
		{query: `{ ...F } fragment F on Produc { id }`, messages: []string{`Unknown type "Produc".`}},
		{query: `{ me { ... on Product { id } } }`, messages: []string{`Fragment cannot be spread here: objects here can never be of type "Product".`}},
		{query: `mutation { createProduct(input: 1) { id } }`, messages: []string{`Expected a value of another type, found 1.`}},
		{query: `mutation { createProduct(input: {nam: "x", priceCents: 1, categories: ["x"]}) { id } }`, messages: []string{
			`A required field of this object was not provided.`,
			`Field "nam" is not defined on this object.`,
		}},
		{query: `query($v: String) { product(id: $v) { id } }`, messages: []string{
			`Variable "$v" of type "String" used in position expecting type "ID!".`, // ID is the spec's
		}},
		{query: `mutation($v: RegisterInput!) { createProduct(input: $v) { id } }`, messages: []string{
			`Variable "$v" of type "RegisterInput!" cannot be used in this position.`,
		}},
		// The catalog's INVALID_VARIABLES variants around the reasons.
		{query: `mutation($in: ProductInput!) { createProduct(input: $in) { id } }`, vars: missingName,
			messages: []string{`Variable "$in" is missing a required field`}},
		{query: `mutation($in: ProductInput!) { createProduct(input: $in) { name } }`, vars: missingName,
			messages: []string{`Variable "$in" at name: must be defined`}}, // the document named it
		{query: `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`,
			vars:     map[string]any{"in": map[string]any{"items": []any{map[string]any{"quantity": 1}}}},
			messages: []string{`Variable "$in" at items[0]: is missing a required field`}},
		{query: `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`,
			vars:     map[string]any{"in": map[string]any{"items": []any{"x"}}},
			messages: []string{`Variable "$in" at items[0]: must be an object`}},
		{query: `mutation($in: ProductInput!) { createProduct(input: $in) { id } }`,
			vars:     map[string]any{"in": map[string]any{"nam": "x", "priceCents": 1, "categories": []string{"x"}}},
			messages: []string{`Variable "$in" at nam: unknown field`}},
	} {
		res := srv.Query(t, c.query, c.vars)
		testserver.CheckEnvelope(t, res)
		var messages []string
		for _, e := range res.Body.Errors {
			messages = append(messages, e.Message)
		}
		assert.ElementsMatch(t, c.messages, messages, c.query)
	}

	e := srv.Query(t, `{ produc }`, nil).Error(t)
	assert.Equal(t, "FieldsOnCorrectType", e.Extensions.Details["rule"], "details.rule stays gqlparser's")
	e = srv.Query(t, `{ produc }`, nil, "Accept-Language", "ru").Error(t)
	assert.Equal(t, `Недопустимый запрос: Cannot query field "produc" here.`, e.Message)
}

var wordRE = regexp.MustCompile(`\w+`)

// wordsOf returns the words of s, as \b sees them.
func wordsOf(s string) map[string]bool {
	words := map[string]bool{}
	for _, w := range wordRE.FindAllString(s, -1) {
		words[w] = true
	}
	return words
}

func maps(dst, src map[string]bool) {
	for k := range src {
		dst[k] = true
	}
}

// typoProbe is one request whose errors must not name the schema.
type typoProbe struct {
	name  string
	query string
	vars  map[string]any
}

// schemaWalk knows the schema's names and how to reach each object type.
type schemaWalk struct {
	s     *ast.Schema
	names map[string]bool        // every name the schema defines beyond the spec's
	paths map[string]selectionTo // object type → a valid way to select on it
}

// selectionTo is the operation and the fields leading to a selection set.
type selectionTo struct {
	op    string   // query or mutation
	steps []string // each a field with its required arguments
}

// doc renders the operation with variable definitions vars and inner as the
// selection reached through the steps.
func (p selectionTo) doc(vars, inner string) string {
	b := strings.Builder{}
	b.WriteString(p.op + vars + " {")
	for _, s := range p.steps {
		b.WriteString(" " + s + " {")
	}
	b.WriteString(" " + inner)
	b.WriteString(strings.Repeat(" }", len(p.steps)+1))
	return b.String()
}

func newSchemaWalk(t *testing.T, s *ast.Schema) *schemaWalk {
	w := &schemaWalk{s: s, names: map[string]bool{}, paths: map[string]selectionTo{}}
	for _, d := range s.Types {
		if d.BuiltIn {
			continue
		}
		w.names[d.Name] = true
		for _, f := range d.Fields {
			w.names[f.Name] = true
			for _, a := range f.Arguments {
				w.names[a.Name] = true
			}
		}
		for _, v := range d.EnumValues {
			w.names[v.Name] = true
		}
	}
	for _, d := range s.Directives {
		if d.Position != nil && d.Position.Src.BuiltIn {
			continue
		}
		w.names[d.Name] = true
		for _, a := range d.Arguments {
			w.names[a.Name] = true
		}
	}
	for name := range w.names {
		if strings.HasPrefix(name, "__") {
			delete(w.names, name)
		}
	}
	require.Contains(t, w.names, "Product")
	require.Contains(t, w.names, "priceCents")

	// Breadth first from the roots, so that each path is a shortest one.
	w.paths[s.Query.Name] = selectionTo{op: "query"}
	w.paths[s.Mutation.Name] = selectionTo{op: "mutation"}
	w.paths[s.Subscription.Name] = selectionTo{op: "subscription"}
	queue := []string{s.Query.Name, s.Mutation.Name, s.Subscription.Name}
	for len(queue) > 0 {
		typ := queue[0]
		queue = queue[1:]
		from := w.paths[typ]
		for _, f := range w.fields(s.Types[typ]) {
			next := s.Types[f.Type.Name()]
			if _, seen := w.paths[next.Name]; seen || !next.IsCompositeType() {
				continue
			}
			w.paths[next.Name] = selectionTo{op: from.op, steps: append(slices.Clone(from.steps), f.Name+w.args(f, "", ""))}
			queue = append(queue, next.Name)
		}
	}
	for _, d := range s.Types {
		if !d.BuiltIn && d.Kind == ast.Object {
			require.Contains(t, w.paths, d.Name, "object type %s is reachable", d.Name)
		}
	}
	return w
}

// fields are d's fields but the introspection ones.
func (w *schemaWalk) fields(d *ast.Definition) []*ast.FieldDefinition {
	var out []*ast.FieldDefinition
	for _, f := range d.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			out = append(out, f)
		}
	}
	return out
}

// objects are the object types in name order.
func (w *schemaWalk) objects() []string {
	var out []string
	for name := range w.paths {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// types are the schema's own types in name order.
func (w *schemaWalk) types() []*ast.Definition {
	var out []*ast.Definition
	for _, d := range w.s.Types {
		if !d.BuiltIn {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *ast.Definition) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// required reports whether an argument or input field must be given.
func required(t *ast.Type, def *ast.Value) bool { return t.NonNull && def == nil }

// args renders f's required arguments, skipping skip, and then extra.
func (w *schemaWalk) args(f *ast.FieldDefinition, skip, extra string) string {
	var parts []string
	for _, a := range f.Arguments {
		if a.Name != skip && required(a.Type, a.DefaultValue) {
			parts = append(parts, a.Name+": "+w.literal(a.Type, edit{}))
		}
	}
	if extra != "" {
		parts = append(parts, extra)
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// selection is what a field of type t needs selected, if anything.
func (w *schemaWalk) selection(t *ast.Type) string {
	if w.s.Types[t.Name()].IsCompositeType() {
		return " { __typename }"
	}
	return ""
}

// edit changes the values of one input type: it renames or drops one of its
// fields, or replaces the whole object by a string.
type edit struct {
	typ, field string
	drop       bool
	scalar     bool
}

// literal is a GraphQL literal of type t (every input field given), edited by e.
func (w *schemaWalk) literal(t *ast.Type, e edit) string {
	if t.Elem != nil {
		return "[" + w.literal(t.Elem, e) + "]"
	}
	d := w.s.Types[t.NamedType]
	switch {
	case d.Kind == ast.Enum:
		return d.EnumValues[0].Name
	case d.Kind == ast.InputObject && e.scalar && d.Name == e.typ:
		return `"x"`
	case d.Kind == ast.InputObject:
		var parts []string
		for _, f := range d.Fields {
			name := f.Name
			if d.Name == e.typ && f.Name == e.field {
				if e.drop {
					continue
				}
				name = w.typo(name)
			}
			parts = append(parts, name+": "+w.literal(f.Type, e))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	v, _ := json.Marshal(w.value(t, e))
	return string(v)
}

// value is the JSON variable value of type t, edited by e.
func (w *schemaWalk) value(t *ast.Type, e edit) any {
	if t.Elem != nil {
		return []any{w.value(t.Elem, e)}
	}
	d := w.s.Types[t.NamedType]
	switch {
	case d.Kind == ast.Enum:
		return d.EnumValues[0].Name
	case d.Kind == ast.InputObject && e.scalar && d.Name == e.typ:
		return "x"
	case d.Kind == ast.InputObject:
		obj := map[string]any{}
		for _, f := range d.Fields {
			name := f.Name
			if d.Name == e.typ && f.Name == e.field {
				if e.drop {
					continue
				}
				name = w.typo(name)
			}
			obj[name] = w.value(f.Type, e)
		}
		return obj
	}
	switch t.NamedType {
	case "Int":
		return 1
	case "Float":
		return 1.5
	case "Boolean":
		return true
	}
	return "x"
}

// typo is name with one letter dropped, and no name of the schema or of
// GraphQL itself.
func (w *schemaWalk) typo(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		t := name[:i] + name[i+1:]
		if t != "" && !w.names[t] && w.s.Types[t] == nil && !strings.HasPrefix(t, "_") {
			return t
		}
	}
	return name + "x"
}

// contains reports whether a value of type t holds a value of input type in.
func (w *schemaWalk) contains(t *ast.Type, in string, seen map[string]bool) bool {
	d := w.s.Types[t.Name()]
	if d.Name == in {
		return true
	}
	if d.Kind != ast.InputObject || seen[d.Name] {
		return false
	}
	seen[d.Name] = true
	for _, f := range d.Fields {
		if w.contains(f.Type, in, seen) {
			return true
		}
	}
	return false
}

// argumentOf finds a root field and argument that accept input type in.
func (w *schemaWalk) argumentOf(in string) (selectionTo, *ast.FieldDefinition, *ast.ArgumentDefinition) {
	for _, root := range []*ast.Definition{w.s.Query, w.s.Mutation} {
		for _, f := range w.fields(root) {
			for _, a := range f.Arguments {
				if w.contains(a.Type, in, map[string]bool{}) {
					return w.paths[root.Name], f, a
				}
			}
		}
	}
	return selectionTo{}, nil, nil
}

func (w *schemaWalk) probes(t *testing.T) []typoProbe {
	var out []typoProbe
	add := func(name, query string, vars map[string]any) {
		out = append(out, typoProbe{name: name, query: query, vars: vars})
	}
	objects := w.objects()
	for _, typ := range objects {
		at := w.paths[typ]
		other := objects[0]
		if other == typ {
			other = objects[1]
		}
		add("inline fragment of "+other+" in "+typ, at.doc("", "... on "+other+" { __typename }"), nil)
		add("fragment of "+other+" in "+typ, at.doc("", "...F")+" fragment F on "+other+" { __typename }", nil)
		for _, f := range w.fields(w.s.Types[typ]) {
			sel := w.selection(f.Type)
			add("field "+typ+"."+f.Name, at.doc("", w.typo(f.Name)), nil)
			if sel == "" {
				add("selection on "+typ+"."+f.Name, at.doc("", f.Name+w.args(f, "", "")+" { __typename }"), nil)
			} else {
				add("no selection on "+typ+"."+f.Name, at.doc("", f.Name+w.args(f, "", "")), nil)
			}
			for _, a := range f.Arguments {
				arg := typ + "." + f.Name + "(" + a.Name + ")"
				add("argument "+arg, at.doc("", f.Name+w.args(f, a.Name, w.typo(a.Name)+": "+w.literal(a.Type, edit{}))+sel), nil)
				add("wrong value for "+arg, at.doc("", f.Name+w.args(f, a.Name, a.Name+": 5.5")+sel), nil)
				varType := "Boolean"
				if a.Type.Name() == "Boolean" {
					varType = "Int"
				}
				add("wrong variable for "+arg, at.doc("($v: "+varType+")", f.Name+w.args(f, a.Name, a.Name+": $v")+sel), nil)
				if required(a.Type, a.DefaultValue) {
					add("missing "+arg, at.doc("", f.Name+w.args(f, a.Name, "")+sel), nil)
				}
			}
		}
	}
	for _, d := range w.types() {
		typo := w.typo(d.Name)
		add("variable of type "+d.Name, "query($v: "+typo+") { __typename }", nil)
		add("fragment on "+d.Name, "query { ...F } fragment F on "+typo+" { __typename }", nil)
		add("inline fragment on "+d.Name, "query { ... on "+typo+" { __typename } }", nil)
		for _, v := range d.EnumValues {
			add("enum value "+d.Name+"."+v.Name, "query($v: "+d.Name+" = "+w.typo(v.Name)+") { __typename }", nil)
		}
		if d.Kind != ast.InputObject {
			continue
		}
		at, f, a := w.argumentOf(d.Name)
		if !assert.NotNil(t, f, "no argument accepts %s", d.Name) {
			continue
		}
		sel := w.selection(f.Type)
		withLiteral := func(e edit) string {
			return at.doc("", f.Name+w.args(f, a.Name, a.Name+": "+w.literal(a.Type, e))+sel)
		}
		viaVariable := at.doc("($v: "+a.Type.String()+")", f.Name+w.args(f, a.Name, a.Name+": $v")+sel)
		add("literal not an object for "+d.Name, withLiteral(edit{typ: d.Name, scalar: true}), nil)
		add("variable not an object for "+d.Name, viaVariable, map[string]any{"v": w.value(a.Type, edit{typ: d.Name, scalar: true})})
		for _, in := range d.Fields {
			name := d.Name + "." + in.Name
			rename := edit{typ: d.Name, field: in.Name}
			add("literal input field "+name, withLiteral(rename), nil)
			add("variable input field "+name, viaVariable, map[string]any{"v": w.value(a.Type, rename)})
			if required(in.Type, in.DefaultValue) {
				drop := edit{typ: d.Name, field: in.Name, drop: true}
				add("literal missing "+name, withLiteral(drop), nil)
				add("variable missing "+name, viaVariable, map[string]any{"v": w.value(a.Type, drop)})
			}
		}
	}
	for _, d := range w.s.Directives {
		if d.Position != nil && d.Position.Src.BuiltIn {
			continue
		}
		add("directive @"+d.Name, fmt.Sprintf("query { __typename @%s }", w.typo(d.Name)), nil)
		for _, a := range d.Arguments {
			add("directive argument @"+d.Name+"("+a.Name+")",
				fmt.Sprintf("query { __typename @%s(%s: %s) }", d.Name, w.typo(a.Name), w.literal(a.Type, edit{})), nil)
			for _, v := range w.s.Types[a.Type.Name()].EnumValues {
				add("directive enum value @"+d.Name+"("+a.Name+": "+v.Name+")",
					fmt.Sprintf("query { __typename @%s(%s: %s) }", d.Name, a.Name, w.typo(v.Name)), nil)
			}
		}
	}
	return out
}
