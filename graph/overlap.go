package graph

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
)

// overlappingFields replaces gqlparser's OverlappingFieldsCanBeMerged rule,
// under the same name and with the same messages and positions: gqlparser
// compares every pair of fields with the same response name, which is
// quadratic in repeated fields (8,000 `__typename` take seconds) and
// exponential through fragments that spread a fragment twice.
//
// This one checks the GraphQL spec's FieldsInSetCanMerge and
// SameResponseShape with merged sets instead of pairs. The fields of a set
// (fragments expanded once per set) are grouped by response name; a group's
// fields are sorted into classes of equal name and arguments, then of equal
// response shape (both relations are transitive, so fields that agree with
// their class's first agree with each other), and two classes conflict once,
// not once per pair of their fields. Each class's sub-selections are merged
// and checked once, and a merged set met again (the same fields, through a
// fragment spread twice) is not checked again. Fields of different object
// types never run together, so they only need the same response shape:
// they are checked in a shape-only set of their own.
//
// A conflict is reported where its two fields meet, as gqlparser does: under
// the fields whose sub-selections brought them together, or on its own when
// both came from the same selection set. Each pair of fields is reported once.
//
// What stays super-linear (many aliases that each merge their own field with
// one large fragment) is bounded by a work budget proportional to the
// document's fields; past it the document is refused with one error.
var overlappingFields = core.Rule{
	Name: "OverlappingFieldsCanBeMerged",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		var c *overlapCheck
		// The walker visits the operations, then the fragments; the errors
		// wait for the last of them, so that a document over the budget gets
		// one error only.
		observers.OnOperation(func(w *core.Walker, op *ast.OperationDefinition) {
			if c == nil {
				c = newOverlapCheck(w.Schema, w.Document)
			}
			c.operation(op)
			if ops := w.Document.Operations; len(w.Document.Fragments) == 0 && op == ops[len(ops)-1] {
				c.flush(addError)
			}
		})
		observers.OnFragment(func(w *core.Walker, f *ast.FragmentDefinition) {
			if c == nil {
				c = newOverlapCheck(w.Schema, w.Document)
			}
			c.fragment(f)
			if frags := w.Document.Fragments; f == frags[len(frags)-1] {
				c.flush(addError)
			}
		})
	},
}

// The work budget, in fields visited and compared: at least overlapWorkFloor,
// or overlapWorkPerField for each field the document holds. GraphiQL's
// introspection query and the clients' documents use a few units per field
// (TestRealisticDocumentsStayFarBelowTheBudgets).
const (
	overlapWorkFloor    = 20_000
	overlapWorkPerField = 16
)

// maxConflicts caps the conflicts one document reports: a response carries
// 100 errors at most (internal/errbudget).
const maxConflicts = 100

// maxConflictMessage caps the length of one conflict's message, whose nested
// sub-conflicts may repeat.
const maxConflictMessage = 4096

// overlapCheck is the state of one document's check.
type overlapCheck struct {
	schema *ast.Schema

	work, budget int
	over         bool // the budget is spent
	full         bool // maxConflicts were found
	at           *ast.Position

	reached  map[string]bool      // fragments expanded in some merged set
	ids      map[*ast.Field]int32 // for memo keys
	memo     map[string][]between // by key, what a merged set returned
	argKeys  map[*ast.Field]string
	reported map[[2]*ast.Field]bool
	found    []*conflict
}

func newOverlapCheck(schema *ast.Schema, doc *ast.QueryDocument) *overlapCheck {
	fields := 0
	for _, op := range doc.Operations {
		fields += countFields(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		fields += countFields(f.SelectionSet)
	}
	return &overlapCheck{
		schema:   schema,
		budget:   max(overlapWorkFloor, overlapWorkPerField*fields),
		reached:  map[string]bool{},
		ids:      map[*ast.Field]int32{},
		memo:     map[string][]between{},
		argKeys:  map[*ast.Field]string{},
		reported: map[[2]*ast.Field]bool{},
	}
}

// countFields counts the fields written in a selection set, fragments not expanded.
func countFields(sel ast.SelectionSet) int {
	n := 0
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			n += 1 + countFields(s.SelectionSet)
		case *ast.InlineFragment:
			n += countFields(s.SelectionSet)
		}
	}
	return n
}

// spend takes n units of work and reports whether the check may go on.
func (c *overlapCheck) spend(n int) bool {
	c.work += n
	if c.work > c.budget {
		c.over = true
	}
	return !c.over && !c.full
}

func (c *overlapCheck) stopped() bool { return c.over || c.full }

// operation checks an operation, once the walker has walked it.
func (c *overlapCheck) operation(op *ast.OperationDefinition) {
	c.root(op.SelectionSet, "", op.Position)
}

// fragment checks a fragment definition that no operation spreads; the
// others were checked wherever they were spread.
func (c *overlapCheck) fragment(f *ast.FragmentDefinition) {
	if c.reached[f.Name] {
		return
	}
	c.root(f.SelectionSet, f.Name, f.Position)
}

// root checks the selection set of an operation or of a fragment (named by
// fragment, which is not expanded again inside itself).
func (c *overlapCheck) root(sel ast.SelectionSet, fragment string, pos *ast.Position) {
	if c.stopped() {
		return
	}
	c.at = pos
	// A root's conflicts all lie within its one selection set: nothing returns.
	c.check([]member{{sel: sel}}, false, fragment)
}

// flush reports what the check found.
func (c *overlapCheck) flush(addError core.AddErrFunc) {
	if c.over {
		addError(core.Message(
			"The document repeats fields and fragments in too many combinations to validate (over %d field comparisons). "+
				"Select each field once per selection set, spread each fragment once, or split the document.", c.budget),
			core.At(c.at))
		return
	}
	for _, f := range c.found {
		addError(core.Message("%s", f.message()), core.At(f.b.Position))
	}
}

// A member is one selection set of a merged set: a field's, or a root's (field nil).
type member struct {
	field *ast.Field
	sel   ast.SelectionSet
}

// An entry is a field of a merged set and the index of the member it came from.
type entry struct {
	field  *ast.Field
	origin int
}

// A group is the entries of a merged set with one response name.
type group struct {
	name    string
	entries []entry
}

// A conflict is between fields a and b (a first): reason says why, or subs
// are the conflicts of their merged sub-selections.
type conflict struct {
	responseName string
	reason       string
	subs         []*conflict
	a, b         *ast.Field
}

// between is a conflict of a merged set between fields that came from two
// different members, ma and mb: the caller reports it under those two.
type between struct {
	ma, mb *ast.Field
	c      *conflict
}

// check checks the merged set of members' selection sets. In a shapeOnly
// set (members of different object types, or under such) only response
// shapes must agree. It reports the conflicts within one member and returns
// those between two.
func (c *overlapCheck) check(members []member, shapeOnly bool, fragment string) []between {
	var key string
	if members[0].field != nil {
		key = c.key(members, shapeOnly)
		if found, ok := c.memo[key]; ok {
			// Checked already, or being checked further up (nil so far): a
			// fragment cycle, which NoFragmentCycles reports.
			return found
		}
		c.memo[key] = nil
	}
	s := set{c: c, members: members, shapeOnly: shapeOnly}
	groups := c.merge(members, fragment)
	for i := range groups {
		if c.stopped() {
			break
		}
		s.group(&groups[i])
	}
	out := dedupe(s.out)
	if key != "" {
		c.memo[key] = out
	}
	return out
}

// key identifies a merged set by its members' fields, in any order.
func (c *overlapCheck) key(members []member, shapeOnly bool) string {
	ids := make([]int32, len(members))
	for i, m := range members {
		id, ok := c.ids[m.field]
		if !ok {
			id = int32(len(c.ids))
			c.ids[m.field] = id
		}
		ids[i] = id
	}
	slices.Sort(ids)
	b := make([]byte, 1, 1+4*len(ids))
	if shapeOnly {
		b[0] = 1
	}
	for _, id := range ids {
		b = binary.LittleEndian.AppendUint32(b, uint32(id))
	}
	return string(b)
}

// dedupe drops repeated betweens: a field of an interface runs with the
// fields of each object type, and may meet the same conflict with each.
func dedupe(out []between) []between {
	if len(out) < 2 {
		return out
	}
	type k struct{ ma, mb, a, b *ast.Field }
	seen := make(map[k]bool, len(out))
	kept := out[:0]
	for _, b := range out {
		key := k{b.ma, b.mb, b.c.a, b.c.b}
		if !seen[key] {
			seen[key] = true
			kept = append(kept, b)
		}
	}
	return kept
}

// merge collects the fields of the members' selection sets by response name,
// in the order gqlparser compares them: a member's own fields (inline
// fragments included) first, then its fragments' in spread order, each
// fragment once per merged set. Fields of unknown types take no part.
func (c *overlapCheck) merge(members []member, fragment string) []group {
	var (
		groups  []group
		byName  map[string]int // once there are many groups
		visited map[string]bool
		spreads []*ast.FragmentSpread
	)
	find := func(name string) int {
		if byName != nil {
			if i, ok := byName[name]; ok {
				return i
			}
		} else {
			for i := range groups {
				if groups[i].name == name {
					return i
				}
			}
		}
		groups = append(groups, group{name: name})
		switch {
		case byName != nil:
			byName[name] = len(groups) - 1
		case len(groups) > 8:
			byName = make(map[string]int, 2*len(groups))
			for i, g := range groups {
				byName[g.name] = i
			}
		}
		return len(groups) - 1
	}
	if fragment != "" {
		visited = map[string]bool{fragment: true}
	}
	var collect func(sel ast.SelectionSet, origin int)
	collect = func(sel ast.SelectionSet, origin int) {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				if !c.spend(1) {
					return
				}
				if s.ObjectDefinition == nil {
					continue
				}
				name := s.Alias
				if name == "" {
					name = s.Name
				}
				i := find(name)
				groups[i].entries = append(groups[i].entries, entry{field: s, origin: origin})
			case *ast.InlineFragment:
				collect(s.SelectionSet, origin)
			case *ast.FragmentSpread:
				spreads = append(spreads, s)
			}
		}
	}
	// expand expands spreads[from:], a selection set's spreads, depth first.
	var expand func(from, origin int)
	expand = func(from, origin int) {
		end := len(spreads)
		for i := from; i < end && !c.stopped(); i++ {
			s := spreads[i]
			if s.Definition == nil || visited[s.Name] {
				continue
			}
			if visited == nil {
				visited = map[string]bool{}
			}
			visited[s.Name] = true
			c.reached[s.Name] = true
			next := len(spreads)
			collect(s.Definition.SelectionSet, origin)
			expand(next, origin)
		}
	}
	for i, m := range members {
		from := len(spreads)
		collect(m.sel, i)
		expand(from, i)
	}
	return groups
}

// set checks the groups of one merged set.
type set struct {
	c         *overlapCheck
	members   []member
	shapeOnly bool
	out       []between
}

// group checks the fields of one response name.
func (s *set) group(g *group) {
	if len(g.entries) == 1 && len(g.entries[0].field.SelectionSet) == 0 {
		return
	}
	if s.shapeOnly {
		s.shapes(g, g.entries, true, false)
		return
	}
	// Fields that run together: those of one object type, with those of
	// interfaces and unions, must be the same field with the same arguments.
	for _, part := range sameParents(g.entries) {
		if !s.c.spend(len(part)) {
			return
		}
		named := classes(part, s.c.nameKey)
		for _, class := range named {
			s.shapes(g, class, false, false)
		}
		s.conflicts(g, named, nameReason, false)
	}
	// Fields of different object types never run together: they only need
	// the same response shape.
	if concrete := exclusive(g.entries); concrete != nil {
		s.shapes(g, concrete, true, true)
	}
}

// shapes checks that entries, of one name and arguments unless shapeOnly,
// have one response shape, and merges and checks the sub-selections of each
// shape. With exclusive, only entries of different object types are compared.
func (s *set) shapes(g *group, entries []entry, shapeOnly, exclusive bool) {
	if !s.c.spend(len(entries)) {
		return
	}
	shaped := s.c.shapeClasses(entries)
	for _, class := range shaped {
		switch {
		case s.c.stopped():
			return
		case shapeOnly && len(class) < 2, exclusive && !manyParents(class):
			// Nothing here that a set running these fields together does not check.
		default:
			s.sub(g, class, shapeOnly)
		}
	}
	s.conflicts(g, shaped, shapeReason, exclusive)
}

// sub merges and checks the sub-selections of entries, which agree with one
// another, and files what conflicts under each pair of them.
func (s *set) sub(g *group, entries []entry, shapeOnly bool) {
	subs := make([]member, 0, len(entries))
	for _, e := range entries {
		if len(e.field.SelectionSet) > 0 {
			subs = append(subs, member{field: e.field, sel: e.field.SelectionSet})
		}
	}
	if len(subs) == 0 || shapeOnly && len(subs) < 2 || !s.c.spend(len(subs)) {
		return
	}
	found := s.c.check(subs, shapeOnly, "")
	if len(found) == 0 {
		return
	}
	at := make(map[*ast.Field]int, len(entries))
	for i, e := range entries {
		at[e.field] = i
	}
	type pair struct{ a, b int }
	var order []pair
	wrapped := map[pair]*conflict{}
	for _, f := range found {
		p := pair{at[f.ma], at[f.mb]}
		if p.b < p.a {
			p = pair{p.b, p.a}
		}
		w := wrapped[p]
		if w == nil {
			w = &conflict{responseName: g.name, a: entries[p.a].field, b: entries[p.b].field}
			wrapped[p] = w
			order = append(order, p)
		}
		w.subs = append(w.subs, f.c)
	}
	for _, p := range order {
		s.file(entries[p.a], entries[p.b], wrapped[p])
	}
}

// conflicts files one conflict for each pair of classes, between their
// first fields or, with exclusive, their first of different object types.
func (s *set) conflicts(g *group, classes [][]entry, reason func(a, b *ast.Field) string, exclusive bool) {
	var other []int // with exclusive: each class's first of another type than its first, or -1
	if exclusive {
		other = make([]int, len(classes))
		for i, class := range classes {
			other[i] = slices.IndexFunc(class, func(e entry) bool { return parent(e) != parent(class[0]) })
		}
	}
	for i := range classes {
		for j := i + 1; j < len(classes); j++ {
			if !s.c.spend(1) {
				return
			}
			a, b := classes[i][0], classes[j][0]
			if exclusive && parent(a) == parent(b) {
				switch {
				case other[j] >= 0:
					b = classes[j][other[j]]
				case other[i] >= 0:
					a = classes[i][other[i]]
				default:
					continue // all of one object type: they ran together
				}
			}
			s.file(a, b, &conflict{responseName: g.name, reason: reason(a.field, b.field), a: a.field, b: b.field})
		}
	}
}

// file takes a conflict between entries a and b: reported when both came
// from one member, returned for the caller otherwise. A shape-only set does
// not report: the set that runs that member's fields together finds the
// same conflict, more precisely.
func (s *set) file(a, b entry, cf *conflict) {
	if a.origin != b.origin {
		s.out = append(s.out, between{ma: s.members[a.origin].field, mb: s.members[b.origin].field, c: cf})
		return
	}
	if !s.shapeOnly {
		s.c.report(cf)
	}
}

// report records a conflict once per pair of fields.
func (c *overlapCheck) report(cf *conflict) {
	k := [2]*ast.Field{cf.a, cf.b}
	if c.reported[k] || c.reported[[2]*ast.Field{cf.b, cf.a}] {
		return
	}
	c.reported[k] = true
	c.found = append(c.found, cf)
	if len(c.found) >= maxConflicts {
		c.full = true
	}
}

func nameReason(a, b *ast.Field) string {
	if a.Name != b.Name {
		return fmt.Sprintf(`"%s" and "%s" are different fields`, a.Name, b.Name)
	}
	return "they have differing arguments"
}

func shapeReason(a, b *ast.Field) string {
	return fmt.Sprintf(`they return conflicting types "%s" and "%s"`, a.Definition.Type.String(), b.Definition.Type.String())
}

// message is the error's message, gqlparser's.
func (cf *conflict) message() string {
	var b strings.Builder
	cf.because(&b)
	return fmt.Sprintf(`Fields "%s" conflict because %s. Use different aliases on the fields to fetch both if this was intentional.`,
		cf.responseName, b.String())
}

func (cf *conflict) because(b *strings.Builder) {
	if len(cf.subs) == 0 {
		b.WriteString(cf.reason)
		return
	}
	for i, sub := range cf.subs {
		if b.Len() > maxConflictMessage {
			b.WriteString(" ...")
			return
		}
		if i > 0 {
			b.WriteString(" and ")
		}
		fmt.Fprintf(b, `subfields "%s" conflict because `, sub.responseName)
		sub.because(b)
	}
}

// classes splits entries by key, classes in order of first appearance.
func classes[K comparable](entries []entry, key func(*ast.Field) K) [][]entry {
	if len(entries) == 1 {
		return [][]entry{entries}
	}
	first := key(entries[0].field)
	i := 1
	for i < len(entries) && key(entries[i].field) == first {
		i++
	}
	if i == len(entries) {
		return [][]entry{entries}
	}
	out := [][]entry{entries[:i:i]}
	at := map[K]int{first: 0}
	for _, e := range entries[i:] {
		k := key(e.field)
		j, ok := at[k]
		if !ok {
			j = len(out)
			at[k] = j
			out = append(out, nil)
		}
		out[j] = append(out[j], e)
	}
	return out
}

// shapeClasses splits entries by response shape. A field unknown to its
// type has none to compare (FieldsOnCorrectType reports it): it goes with
// the first class.
func (c *overlapCheck) shapeClasses(entries []entry) [][]entry {
	if len(entries) == 1 {
		return [][]entry{entries}
	}
	known := entries
	var unknown []entry
	for i, e := range entries {
		if e.field.Definition == nil {
			if unknown == nil {
				known = slices.Clone(entries[:i])
			}
			unknown = append(unknown, e)
		} else if unknown != nil {
			known = append(known, e)
		}
	}
	if len(known) == 0 {
		return [][]entry{unknown}
	}
	out := classes(known, c.shapeKey)
	if unknown != nil {
		out[0] = append(slices.Clip(out[0]), unknown...)
	}
	return out
}

// A shape is what SameResponseShape compares of a field's type: its list
// and non-null wrappers, and its named type if that is a leaf (objects,
// interfaces and unions compare by their fields).
type shape struct {
	wrappers string
	leaf     string
	nonNull  bool
}

func (c *overlapCheck) shapeKey(f *ast.Field) shape {
	t := f.Definition.Type
	var s shape
	if t.Elem != nil {
		var w []byte
		for ; t.Elem != nil; t = t.Elem {
			if t.NonNull {
				w = append(w, '!')
			}
			w = append(w, '[')
		}
		s.wrappers = string(w)
	}
	s.nonNull = t.NonNull
	if def := c.schema.Types[t.NamedType]; def != nil && def.IsLeafType() {
		s.leaf = def.Name
	}
	return s
}

// nameKey is a field's name and arguments, in a form equal for equal
// arguments in any order (input object fields in any order too).
func (c *overlapCheck) nameKey(f *ast.Field) string {
	if len(f.Arguments) == 0 {
		return f.Name
	}
	if k, ok := c.argKeys[f]; ok {
		return k
	}
	var b strings.Builder
	b.WriteString(f.Name)
	b.WriteByte('(')
	args := slices.Clone(f.Arguments)
	slices.SortStableFunc(args, func(x, y *ast.Argument) int { return strings.Compare(x.Name, y.Name) })
	for _, a := range args {
		b.WriteString(a.Name)
		b.WriteByte(':')
		writeValue(&b, a.Value)
		b.WriteByte(',')
	}
	b.WriteByte(')')
	k := b.String()
	c.argKeys[f] = k
	c.spend(1 + len(k)/1024)
	return k
}

// writeValue writes a value unambiguously: kind, then raw text with its
// length, or children.
func writeValue(b *strings.Builder, v *ast.Value) {
	if v == nil {
		b.WriteString("?")
		return
	}
	fmt.Fprintf(b, "%d", v.Kind)
	switch v.Kind {
	case ast.ListValue:
		b.WriteByte('[')
		for _, ch := range v.Children {
			writeValue(b, ch.Value)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case ast.ObjectValue:
		fields := slices.Clone(v.Children)
		slices.SortStableFunc(fields, func(x, y *ast.ChildValue) int { return strings.Compare(x.Name, y.Name) })
		b.WriteByte('{')
		for _, ch := range fields {
			b.WriteString(ch.Name)
			b.WriteByte(':')
			writeValue(b, ch.Value)
			b.WriteByte(',')
		}
		b.WriteByte('}')
	default:
		fmt.Fprintf(b, "%d:%s", len(v.Raw), v.Raw)
	}
}

// concrete reports whether a field is selected on an object type (not an
// interface or union), the case where fields of different types are exclusive.
func concrete(e entry) bool {
	return e.field.ObjectDefinition.Kind == ast.Object && e.field.Definition != nil
}

func parent(e entry) string { return e.field.ObjectDefinition.Name }

// sameParents splits entries into those that can run together: those of one
// object type with those of interfaces and unions, for each object type.
func sameParents(entries []entry) [][]entry {
	var types []string
	for _, e := range entries {
		if concrete(e) && !slices.Contains(types, parent(e)) {
			types = append(types, parent(e))
		}
	}
	if len(types) <= 1 {
		return [][]entry{entries}
	}
	parts := make([][]entry, len(types))
	for _, e := range entries {
		for i, t := range types {
			if !concrete(e) || parent(e) == t {
				parts[i] = append(parts[i], e)
			}
		}
	}
	return parts
}

// exclusive returns the entries of object types when there are several of
// those types, nil otherwise.
func exclusive(entries []entry) []entry {
	var out []entry
	many := false
	for _, e := range entries {
		if concrete(e) {
			if len(out) > 0 && parent(e) != parent(out[0]) {
				many = true
			}
			out = append(out, e)
		}
	}
	if !many {
		return nil
	}
	return out
}

func manyParents(entries []entry) bool {
	for _, e := range entries[1:] {
		if parent(e) != parent(entries[0]) {
			return true
		}
	}
	return false
}
