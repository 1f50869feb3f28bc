package graph

// gqlparser's test cases of the rules faultline replaces (graphql-js's, as
// gqlparser imports them, with gqlparser's corrections and without the cases
// it skips, but for the one overlap case gqlparser's rule fails), and the
// schemas they run against: the replacements must find what the originals find.

var specSchemas = map[int]string{
	0: `schema {
  query: QueryRoot
}

directive @onField on FIELD

interface Mammal {
  mother: Mammal
  father: Mammal
}

interface Pet {
  name(surname: Boolean): String
}

interface Canine implements Mammal {
  name(surname: Boolean): String
  mother: Canine
  father: Canine
}

enum DogCommand {
  SIT
  HEEL
  DOWN
}

type Dog implements Pet & Mammal & Canine {
  name(surname: Boolean): String
  nickname: String
  barkVolume: Int
  barks: Boolean
  doesKnowCommand(dogCommand: DogCommand): Boolean
  isHouseTrained(atOtherHomes: Boolean = true): Boolean
  isAtLocation(x: Int, y: Int): Boolean
  mother: Dog
  father: Dog
}

type Cat implements Pet {
  name(surname: Boolean): String
  nickname: String
  meows: Boolean
  meowsVolume: Int
  furColor: FurColor
}

union CatOrDog = Cat | Dog

type Human {
  name(surname: Boolean): String
  pets: [Pet]
  relatives: [Human]
}

enum FurColor {
  BROWN
  BLACK
  TAN
  SPOTTED
  NO_FUR
  UNKNOWN
}

input ComplexInput {
  requiredField: Boolean!
  nonNullField: Boolean! = false
  intField: Int
  stringField: String
  booleanField: Boolean
  stringListField: [String]
}

input OneOfInput @oneOf {
  stringField: String
  intField: Int
}

type ComplicatedArgs {
  intArgField(intArg: Int): String
  nonNullIntArgField(nonNullIntArg: Int!): String
  stringArgField(stringArg: String): String
  booleanArgField(booleanArg: Boolean): String
  enumArgField(enumArg: FurColor): String
  floatArgField(floatArg: Float): String
  idArgField(idArg: ID): String
  stringListArgField(stringListArg: [String]): String
  stringListNonNullArgField(stringListNonNullArg: [String!]): String
  complexArgField(complexArg: ComplexInput): String
  oneOfArgField(oneOfArg: OneOfInput): String
  multipleReqs(req1: Int!, req2: Int!): String
  nonNullFieldWithDefault(arg: Int! = 0): String
  multipleOpts(opt1: Int = 0, opt2: Int = 0): String
  multipleOptAndReq(req1: Int!, req2: Int!, opt1: Int = 0, opt2: Int = 0): String
}

type QueryRoot {
  human(id: ID): Human
  dog: Dog
  cat: Cat
  pet: Pet
  catOrDog: CatOrDog
  complicatedArgs: ComplicatedArgs
}
# injected becuase upstream spec is missing some types
extend type QueryRoot {
    field: T
    f1: Type
    f2: Type
    f3: Type
}

type Type {
    a: String
    b: String
    c: String
}
type T {
    a: String
    b: String
    c: String
    d: String
    y: String
    deepField: T
    deeperField: T
}`,
	1: `interface Pet {
  name: String
}

type Dog implements Pet {
  name: String
  nickname: String
  barkVolume: Int
}

type Cat implements Pet {
  name: String
  nickname: String
  meowVolume: Int
}

union CatOrDog = Cat | Dog

type Human {
  name: String
  pets: [Pet]
}

type Query {
  human: Human
}`,
	10: `type Query {
  someField(a: String, b: String): String
}`,
	11: `input SomeInput {
  a: String
  b: String
}

type Query {
  someField(arg: SomeInput): String
}`,
	12: `interface SomeBox {
  deepBox: SomeBox
  unrelatedField: String
}

type StringBox implements SomeBox {
  scalar: String
  deepBox: StringBox
  unrelatedField: String
  listStringBox: [StringBox]
  stringBox: StringBox
  intBox: IntBox
}

type IntBox implements SomeBox {
  scalar: Int
  deepBox: IntBox
  unrelatedField: String
  listStringBox: [StringBox]
  stringBox: StringBox
  intBox: IntBox
}

interface NonNullStringBox1 {
  scalar: String!
}

type NonNullStringBox1Impl implements SomeBox & NonNullStringBox1 {
  scalar: String!
  unrelatedField: String
  deepBox: SomeBox
}

interface NonNullStringBox2 {
  scalar: String!
}

type NonNullStringBox2Impl implements SomeBox & NonNullStringBox2 {
  scalar: String!
  unrelatedField: String
  deepBox: SomeBox
}

type Connection {
  edges: [Edge]
}

type Edge {
  node: Node
}

type Node {
  id: ID
  name: String
}

type Query {
  someBox: SomeBox
  connection: Connection
}`,
	13: `type Foo {
  constructor: String
}

type Query {
  foo: Foo
}`,
}

type specCase struct {
	name   string
	schema int
	query  string
	errors []specError
}

// specError is an expected error: its message and the lines of its
// locations, of which the reported location must be one (graphql-js gives
// every field of a conflict, gqlparser the last).
type specError struct {
	message string
	lines   []int
}

var overlapCases = []specCase{
	{"unique fields", 0, `
      fragment uniqueFields on Dog {
        name
        nickname
      }
      `, []specError{}},
	{"identical fields", 0, `
      fragment mergeIdenticalFields on Dog {
        name
        name
      }
      `, []specError{}},
	{"identical fields with identical args", 0, `
      fragment mergeIdenticalFieldsWithIdenticalArgs on Dog {
        doesKnowCommand(dogCommand: SIT)
        doesKnowCommand(dogCommand: SIT)
      }
      `, []specError{}},
	{"identical fields with identical directives", 0, `
      fragment mergeSameFieldsWithSameDirectives on Dog {
        name @include(if: true)
        name @include(if: true)
      }
      `, []specError{}},
	{"different args with different aliases", 0, `
      fragment differentArgsWithDifferentAliases on Dog {
        knowsSit: doesKnowCommand(dogCommand: SIT)
        knowsDown: doesKnowCommand(dogCommand: DOWN)
      }
      `, []specError{}},
	{"different directives with different aliases", 0, `
      fragment differentDirectivesWithDifferentAliases on Dog {
        nameIfTrue: name @include(if: true)
        nameIfFalse: name @include(if: false)
      }
      `, []specError{}},
	{"different skip/include directives accepted", 0, `
      fragment differentDirectivesWithDifferentAliases on Dog {
        name @include(if: true)
        name @include(if: false)
      }
      `, []specError{}},
	{"Same aliases with different field targets", 0, `
      fragment sameAliasesWithDifferentFieldTargets on Dog {
        fido: name
        fido: nickname
      }
      `, []specError{{`Fields "fido" conflict because "name" and "nickname" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 4}}}},
	{"Same aliases allowed on non-overlapping fields", 0, `
      fragment sameAliasesWithDifferentFieldTargets on Pet {
        ... on Dog {
          name
        }
        ... on Cat {
          name: nickname
        }
      }
      `, []specError{}},
	{"Alias masking direct field access", 0, `
      fragment aliasMaskingDirectFieldAccess on Dog {
        name: nickname
        name
      }
      `, []specError{{`Fields "name" conflict because "nickname" and "name" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 4}}}},
	{"different args, second adds an argument", 0, `
      fragment conflictingArgs on Dog {
        doesKnowCommand
        doesKnowCommand(dogCommand: HEEL)
      }
      `, []specError{{`Fields "doesKnowCommand" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 4}}}},
	{"different args, second missing an argument", 0, `
      fragment conflictingArgs on Dog {
        doesKnowCommand(dogCommand: SIT)
        doesKnowCommand
      }
      `, []specError{{`Fields "doesKnowCommand" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 4}}}},
	{"conflicting arg values", 0, `
      fragment conflictingArgs on Dog {
        doesKnowCommand(dogCommand: SIT)
        doesKnowCommand(dogCommand: HEEL)
      }
      `, []specError{{`Fields "doesKnowCommand" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 4}}}},
	{"conflicting arg names", 0, `
      fragment conflictingArgs on Dog {
        isAtLocation(x: 0)
        isAtLocation(y: 0)
      }
      `, []specError{{`Fields "isAtLocation" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 4}}}},
	{"allows different args where no conflict is possible", 0, `
      fragment conflictingArgs on Pet {
        ... on Dog {
          name(surname: true)
        }
        ... on Cat {
          name
        }
      }
      `, []specError{}},
	{"allows different order of args", 10, `
        {
          someField(a: null, b: null)
          someField(b: null, a: null)
        }
        `, []specError{}},
	{"allows different order of input object fields in arg values", 11, `
        {
          someField(arg: { a: null, b: null })
          someField(arg: { b: null, a: null })
        }
        `, []specError{}},
	{"encounters conflict in fragments", 0, `
      {
        ...A
        ...B
      }
      fragment A on Type {
        x: a
      }
      fragment B on Type {
        x: b
      }
      `, []specError{{`Fields "x" conflict because "a" and "b" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{7, 10}}}},
	{"reports each conflict once", 0, `
      {
        f1 {
          ...A
          ...B
        }
        f2 {
          ...B
          ...A
        }
        f3 {
          ...A
          ...B
          x: c
        }
      }
      fragment A on Type {
        x: a
      }
      fragment B on Type {
        x: b
      }
      `, []specError{{`Fields "x" conflict because "a" and "b" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{18, 21}}, {`Fields "x" conflict because "c" and "a" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{14, 18}}, {`Fields "x" conflict because "c" and "b" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{14, 21}}}},
	{"deep conflict", 0, `
      {
        field {
          x: a
        },
        field {
          x: b
        }
      }
      `, []specError{{`Fields "field" conflict because subfields "x" conflict because "a" and "b" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 4, 6, 7}}}},
	{"deep conflict with multiple issues", 0, `
      {
        field {
          x: a
          y: c
        },
        field {
          x: b
          y: d
        }
      }
      `, []specError{{`Fields "field" conflict because subfields "x" conflict because "a" and "b" are different fields and subfields "y" conflict because "c" and "d" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 4, 5, 7, 8, 9}}}},
	{"very deep conflict", 0, `
      {
        field {
          deepField {
            x: a
          }
        },
        field {
          deepField {
            x: b
          }
        }
      }
      `, []specError{{`Fields "field" conflict because subfields "deepField" conflict because subfields "x" conflict because "a" and "b" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 4, 5, 8, 9, 10}}}},
	{"reports deep conflict to nearest common ancestor", 0, `
      {
        field {
          deepField {
            x: a
          }
          deepField {
            x: b
          }
        },
        field {
          deepField {
            y
          }
        }
      }
      `, []specError{{`Fields "deepField" conflict because subfields "x" conflict because "a" and "b" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{4, 5, 7, 8}}}},
	{"reports deep conflict to nearest common ancestor in fragments", 0, `
      {
        field {
          ...F
        }
        field {
          ...F
        }
      }
      fragment F on T {
        deepField {
          deeperField {
            x: a
          }
          deeperField {
            x: b
          }
        },
        deepField {
          deeperField {
            y
          }
        }
      }
      `, []specError{{`Fields "deeperField" conflict because subfields "x" conflict because "a" and "b" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{12, 13, 15, 16}}}},
	{"reports deep conflict in nested fragments", 0, `
      {
        field {
          ...F
        }
        field {
          ...I
        }
      }
      fragment F on T {
        x: a
        ...G
      }
      fragment G on T {
        y: c
      }
      fragment I on T {
        y: d
        ...J
      }
      fragment J on T {
        x: b
      }
      `, []specError{{`Fields "field" conflict because subfields "x" conflict because "a" and "b" are different fields and subfields "y" conflict because "c" and "d" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 11, 15, 6, 22, 18}}}},
	{"reports deep conflict after nested fragments", 0, `
      fragment F on T {
        ...G
      }
      fragment G on T {
        ...H
      }
      fragment H on T {
        x: a
      }
      {
        x: b
        ...F
      }
      `, []specError{{`Fields "x" conflict because "b" and "a" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{12, 9}}}},
	{"ignores unknown fragments", 0, `
      {
        field
        ...Unknown
        ...Known
      }
      
      fragment Known on T {
        field
        ...OtherUnknown
      }
      `, []specError{}},
	{"return types must be unambiguous/conflicting return types which potentially overlap", 12, `
          {
            someBox {
              ...on IntBox {
                scalar
              }
              ...on NonNullStringBox1 {
                scalar
              }
            }
          }
          `, []specError{{`Fields "scalar" conflict because they return conflicting types "Int" and "String!". Use different aliases on the fields to fetch both if this was intentional.`, []int{5, 8}}}},
	{"return types must be unambiguous/compatible return shapes on different return types", 12, `
          {
            someBox {
              ... on SomeBox {
                deepBox {
                  unrelatedField
                }
              }
              ... on StringBox {
                deepBox {
                  unrelatedField
                }
              }
            }
          }
          `, []specError{}},
	{"return types must be unambiguous/disallows differing return types despite no overlap", 12, `
          {
            someBox {
              ... on IntBox {
                scalar
              }
              ... on StringBox {
                scalar
              }
            }
          }
          `, []specError{{`Fields "scalar" conflict because they return conflicting types "Int" and "String". Use different aliases on the fields to fetch both if this was intentional.`, []int{5, 8}}}},
	{"return types must be unambiguous/reports correctly when a non-exclusive follows an exclusive", 12, `
          {
            someBox {
              ... on IntBox {
                deepBox {
                  ...X
                }
              }
            }
            someBox {
              ... on StringBox {
                deepBox {
                  ...Y
                }
              }
            }
            memoed: someBox {
              ... on IntBox {
                deepBox {
                  ...X
                }
              }
            }
            memoed: someBox {
              ... on StringBox {
                deepBox {
                  ...Y
                }
              }
            }
            other: someBox {
              ...X
            }
            other: someBox {
              ...Y
            }
          }
          fragment X on SomeBox {
            scalar
          }
          fragment Y on SomeBox {
            scalar: unrelatedField
          }
          `, []specError{{`Fields "other" conflict because subfields "scalar" conflict because "scalar" and "unrelatedField" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{31, 39, 34, 42}}}},
	{"return types must be unambiguous/disallows differing return type nullability despite no overlap", 12, `
          {
            someBox {
              ... on NonNullStringBox1 {
                scalar
              }
              ... on StringBox {
                scalar
              }
            }
          }
          `, []specError{{`Fields "scalar" conflict because they return conflicting types "String!" and "String". Use different aliases on the fields to fetch both if this was intentional.`, []int{5, 8}}}},
	{"return types must be unambiguous/disallows differing return type list despite no overlap", 12, `
          {
            someBox {
              ... on IntBox {
                box: listStringBox {
                  scalar
                }
              }
              ... on StringBox {
                box: stringBox {
                  scalar
                }
              }
            }
          }
          `, []specError{{`Fields "box" conflict because they return conflicting types "[StringBox]" and "StringBox". Use different aliases on the fields to fetch both if this was intentional.`, []int{5, 10}}}},
	{"return types must be unambiguous/disallows differing return type list despite no overlap", 12, `
          {
            someBox {
              ... on IntBox {
                box: stringBox {
                  scalar
                }
              }
              ... on StringBox {
                box: listStringBox {
                  scalar
                }
              }
            }
          }
          `, []specError{{`Fields "box" conflict because they return conflicting types "StringBox" and "[StringBox]". Use different aliases on the fields to fetch both if this was intentional.`, []int{5, 10}}}},
	{"return types must be unambiguous/disallows differing subfields", 12, `
          {
            someBox {
              ... on IntBox {
                box: stringBox {
                  val: scalar
                  val: unrelatedField
                }
              }
              ... on StringBox {
                box: stringBox {
                  val: scalar
                }
              }
            }
          }
          `, []specError{{`Fields "val" conflict because "scalar" and "unrelatedField" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{6, 7}}}},
	{"return types must be unambiguous/disallows differing deep return types despite no overlap", 12, `
          {
            someBox {
              ... on IntBox {
                box: stringBox {
                  scalar
                }
              }
              ... on StringBox {
                box: intBox {
                  scalar
                }
              }
            }
          }
          `, []specError{{`Fields "box" conflict because subfields "scalar" conflict because they return conflicting types "String" and "Int". Use different aliases on the fields to fetch both if this was intentional.`, []int{5, 6, 10, 11}}}},
	{"return types must be unambiguous/allows non-conflicting overlapping types", 12, `
          {
            someBox {
              ... on IntBox {
                scalar: unrelatedField
              }
              ... on StringBox {
                scalar
              }
            }
          }
          `, []specError{}},
	{"return types must be unambiguous/same wrapped scalar return types", 12, `
          {
            someBox {
              ...on NonNullStringBox1 {
                scalar
              }
              ...on NonNullStringBox2 {
                scalar
              }
            }
          }
          `, []specError{}},
	{"return types must be unambiguous/allows inline fragments without type condition", 12, `
          {
            a
            ... {
              a
            }
          }
          `, []specError{}},
	{"return types must be unambiguous/compares deep types including list", 12, `
          {
            connection {
              ...edgeID
              edges {
                node {
                  id: name
                }
              }
            }
          }
          
          fragment edgeID on Connection {
            edges {
              node {
                id
              }
            }
          }
          `, []specError{{`Fields "edges" conflict because subfields "node" conflict because subfields "id" conflict because "name" and "id" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{5, 6, 7, 14, 15, 16}}}},
	{"return types must be unambiguous/ignores unknown types", 12, `
          {
            someBox {
              ...on UnknownType {
                scalar
              }
              ...on NonNullStringBox2 {
                scalar
              }
            }
          }
          `, []specError{}},
	{"return types must be unambiguous/works for field names that are JS keywords", 13, `
          {
            foo {
              constructor
            }
          }
          `, []specError{}},
	{"does not infinite loop on recursive fragment", 0, `
      {
        ...fragA
      }
      
      fragment fragA on Human { name, relatives { name, ...fragA } }
      `, []specError{}},
	{"does not infinite loop on immediately recursive fragment", 0, `
      {
        ...fragA
      }
      
      fragment fragA on Human { name, ...fragA }
      `, []specError{}},
	{"does not infinite loop on recursive fragment with a field named after fragment", 0, `
      {
        ...fragA
        fragA
      }
      
      fragment fragA on Query { ...fragA }
      `, []specError{}},
	{"finds invalid cases even with field named after fragment", 0, `
      {
        fragA
        ...fragA
      }
      
      fragment fragA on Type {
        fragA: b
      }
      `, []specError{{`Fields "fragA" conflict because "fragA" and "b" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{3, 8}}}},
	{"does not infinite loop on transitively recursive fragment", 0, `
      {
        ...fragA
        fragB
      }
      
      fragment fragA on Human { name, ...fragB }
      fragment fragB on Human { name, ...fragC }
      fragment fragC on Human { name, ...fragA }
      `, []specError{}},
	{"finds invalid case even with immediately recursive fragment", 0, `
      fragment sameAliasesWithDifferentFieldTargets on Dog {
        ...sameAliasesWithDifferentFieldTargets
        fido: name
        fido: nickname
      }
      `, []specError{{`Fields "fido" conflict because "name" and "nickname" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, []int{4, 5}}}},
	{"does not infinite loop on recursive fragments separated by fields", 0, `
      {
        ...fragA
        ...fragB
      }
      
      fragment fragA on T {
        x {
          ...fragA
          x {
            ...fragA
          }
        }
      }
      
      fragment fragB on T {
        x {
          ...fragB
          x {
            ...fragB
          }
        }
      }
      `, []specError{}},
}

var introspectionDepthCases = []specCase{
	{"default introspection query", 0, `
    query IntrospectionQuery {
      __schema {
        
        queryType { name kind }
        mutationType { name kind }
        subscriptionType { name kind }
        types {
          ...FullType
        }
        directives {
          name
          description
          
          locations
          args {
            ...InputValue
          }
        }
      }
    }
    
    fragment FullType on __Type {
      kind
      name
      description
      
      
      fields(includeDeprecated: true) {
        name
        description
        args {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }
    
    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
      
      
    }
    
    fragment TypeRef on __Type {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                  ofType {
                    kind
                    name
                    ofType {
                      kind
                      name
                      ofType {
                        kind
                        name
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    `, []specError{}},
	{"all options introspection query", 0, `
    query IntrospectionQuery {
      __schema {
        description
        queryType { name kind }
        mutationType { name kind }
        subscriptionType { name kind }
        types {
          ...FullType
        }
        directives {
          name
          description
          isRepeatable
          locations
          args(includeDeprecated: true) {
            ...InputValue
          }
        }
      }
    }
    
    fragment FullType on __Type {
      kind
      name
      description
      specifiedByURL
      
      fields(includeDeprecated: true) {
        name
        description
        args(includeDeprecated: true) {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields(includeDeprecated: true) {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }
    
    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
      isDeprecated
      deprecationReason
    }
    
    fragment TypeRef on __Type {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                  ofType {
                    kind
                    name
                    ofType {
                      kind
                      name
                      ofType {
                        kind
                        name
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    `, []specError{}},
	{"3 flat fields introspection query", 0, `
    {
      __type(name: "Query") {
        trueFields: fields(includeDeprecated: true) {
          name
        }
        falseFields: fields(includeDeprecated: false) {
          name
        }
        omittedFields: fields {
          name
        }
      }
    }
    `, []specError{}},
	{"3 fields deep introspection query from __schema", 0, `
    {
      __schema {
        types {
          fields {
            type {
              fields {
                type {
                  fields {
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{3}}}},
	{"3 interfaces deep introspection query from __schema", 0, `
    {
      __schema {
        types {
          interfaces {
            interfaces {
              interfaces {
                name
              }
            }
          }
        }
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{3}}}},
	{"3 possibleTypes deep introspection query from __schema", 0, `
    {
      __schema {
        types {
          possibleTypes {
            possibleTypes {
              possibleTypes {
                name
              }
            }
          }
        }
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{3}}}},
	{"3 inputFields deep introspection query from __schema", 0, `
    {
      __schema {
        types {
          inputFields {
            type {
              inputFields {
                type {
                  inputFields {
                    type {
                      name
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{3}}}},
	{"3 fields deep introspection query from multiple __schema", 0, `
    {
      one: __schema {
        types {
          fields {
            type {
              fields {
                type {
                  fields {
                    name
                  }
                }
              }
            }
          }
        }
      }
      two: __schema {
        types {
          fields {
            type {
              fields {
                type {
                  fields {
                    name
                  }
                }
              }
            }
          }
        }
      }
      three: __schema {
        types {
          fields {
            type {
              fields {
                type {
                  fields {
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{3}}, {`Maximum introspection depth exceeded`, []int{18}}, {`Maximum introspection depth exceeded`, []int{33}}}},
	{"3 fields deep introspection query from __type", 0, `
    {
      __type(name: "Query") {
        types {
          fields {
            type {
              fields {
                type {
                  fields {
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{3}}}},
	{"3 fields deep introspection query from multiple __type", 0, `
    {
      one: __type(name: "Query") {
        types {
          fields {
            type {
              fields {
                type {
                  fields {
                    name
                  }
                }
              }
            }
          }
        }
      }
      two: __type(name: "Query") {
        types {
          fields {
            type {
              fields {
                type {
                  fields {
                    name
                  }
                }
              }
            }
          }
        }
      }
      three: __type(name: "Query") {
        types {
          fields {
            type {
              fields {
                type {
                  fields {
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{3}}, {`Maximum introspection depth exceeded`, []int{18}}, {`Maximum introspection depth exceeded`, []int{33}}}},
	{"1 fields deep with 3 fields introspection query", 0, `
    {
      __schema {
        types {
          fields {
            type {
              oneFields: fields {
                name
              }
              twoFields: fields {
                name
              }
              threeFields: fields {
                name
              }
            }
          }
        }
      }
    }
    `, []specError{}},
	{"3 fields deep from varying parents introspection query", 0, `
    {
      __schema {
        types {
          fields {
            type {
              fields {
                type {
                  ofType {
                    fields {
                      name
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{3}}}},
	{"3 fields deep introspection query with inline fragments", 0, `
    query test {
      __schema {
        types {
          ... on __Type {
            fields {
              type {
                ... on __Type {
                  ofType {
                    fields {
                      type {
                        ... on __Type {
                          fields {
                            name
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{3}}}},
	{"3 fields deep introspection query with fragments", 0, `
    query test {
      __schema {
        types {
          ...One
        }
      }
    }
    
    fragment One on __Type {
      fields {
        type {
          ...Two
        }
      }
    }
    
    fragment Two on __Type {
      fields {
        type {
          ...Three
        }
      }
    }
    
    fragment Three on __Type {
      fields {
        name
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{3}}}},
	{"3 fields deep inside inline fragment on query", 0, `
    {
      ... {
        __schema { types { fields { type { fields { type { fields { name } } } } } } }
      }
    }
    `, []specError{{`Maximum introspection depth exceeded`, []int{4}}}},
	{"opts out if fragment is missing", 0, `
    query test {
      __schema {
        types {
          ...Missing
        }
      }
    }
    `, []specError{}},
	{"doesn't infinitely recurse on fragment cycle", 0, `
    query test {
      __schema {
        types {
          ...Cycle
        }
      }
    }
    fragment Cycle on __Type {
      ...Cycle
    }
    `, []specError{}},
}

var fieldsOnCorrectTypeCases = []specCase{
	{"Object field selection", 1, `
      fragment objectFieldSelection on Dog {
        __typename
        name
      }
      `, []specError{}},
	{"Aliased object field selection", 1, `
      fragment aliasedObjectFieldSelection on Dog {
        tn : __typename
        otherName : name
      }
      `, []specError{}},
	{"Interface field selection", 1, `
      fragment interfaceFieldSelection on Pet {
        __typename
        name
      }
      `, []specError{}},
	{"Aliased interface field selection", 1, `
      fragment interfaceFieldSelection on Pet {
        otherName : name
      }
      `, []specError{}},
	{"Lying alias selection", 1, `
      fragment lyingAliasSelection on Dog {
        name : nickname
      }
      `, []specError{}},
	{"Ignores fields on unknown type", 1, `
      fragment unknownSelection on UnknownType {
        unknownField
      }
      `, []specError{}},
	{"reports errors when type is known again", 1, `
      fragment typeKnownAgain on Pet {
        unknown_pet_field {
          ... on Cat {
            unknown_cat_field
          }
        }
      }
      `, []specError{{`Cannot query field "unknown_pet_field" on type "Pet".`, []int{3}}, {`Cannot query field "unknown_cat_field" on type "Cat".`, []int{5}}}},
	{"Field not defined on fragment", 1, `
      fragment fieldNotDefined on Dog {
        meowVolume
      }
      `, []specError{{`Cannot query field "meowVolume" on type "Dog". Did you mean "barkVolume"?`, []int{3}}}},
	{"Ignores deeply unknown field", 1, `
      fragment deepFieldNotDefined on Dog {
        unknown_field {
          deeper_unknown_field
        }
      }
      `, []specError{{`Cannot query field "unknown_field" on type "Dog".`, []int{3}}}},
	{"Sub-field not defined", 1, `
      fragment subFieldNotDefined on Human {
        pets {
          unknown_field
        }
      }
      `, []specError{{`Cannot query field "unknown_field" on type "Pet".`, []int{4}}}},
	{"Field not defined on inline fragment", 1, `
      fragment fieldNotDefined on Pet {
        ... on Dog {
          meowVolume
        }
      }
      `, []specError{{`Cannot query field "meowVolume" on type "Dog". Did you mean "barkVolume"?`, []int{4}}}},
	{"Aliased field target not defined", 1, `
      fragment aliasedFieldTargetNotDefined on Dog {
        volume : mooVolume
      }
      `, []specError{{`Cannot query field "mooVolume" on type "Dog". Did you mean "barkVolume"?`, []int{3}}}},
	{"Aliased lying field target not defined", 1, `
      fragment aliasedLyingFieldTargetNotDefined on Dog {
        barkVolume : kawVolume
      }
      `, []specError{{`Cannot query field "kawVolume" on type "Dog". Did you mean "barkVolume"?`, []int{3}}}},
	{"Not defined on interface", 1, `
      fragment notDefinedOnInterface on Pet {
        tailLength
      }
      `, []specError{{`Cannot query field "tailLength" on type "Pet".`, []int{3}}}},
	{"Defined on implementors but not on interface", 1, `
      fragment definedOnImplementorsButNotInterface on Pet {
        nickname
      }
      `, []specError{{`Cannot query field "nickname" on type "Pet". Did you mean to use an inline fragment on "Cat" or "Dog"?`, []int{3}}}},
	{"Meta field selection on union", 1, `
      fragment directFieldSelectionOnUnion on CatOrDog {
        __typename
      }
      `, []specError{}},
	{"Direct field selection on union", 1, `
      fragment directFieldSelectionOnUnion on CatOrDog {
        directField
      }
      `, []specError{{`Cannot query field "directField" on type "CatOrDog".`, []int{3}}}},
	{"Defined on implementors queried on union", 1, `
      fragment definedOnImplementorsQueriedOnUnion on CatOrDog {
        name
      }
      `, []specError{{`Cannot query field "name" on type "CatOrDog". Did you mean to use an inline fragment on "Pet", "Cat", or "Dog"?`, []int{3}}}},
	{"valid field in inline fragment", 1, `
      fragment objectFieldSelection on Pet {
        ... on Dog {
          name
        }
        ... {
          name
        }
      }
      `, []specError{}},
}

var knownArgumentNamesCases = []specCase{
	{"single arg is known", 0, `
      fragment argOnRequiredArg on Dog {
        doesKnowCommand(dogCommand: SIT)
      }
      `, []specError{}},
	{"multiple args are known", 0, `
      fragment multipleArgs on ComplicatedArgs {
        multipleReqs(req1: 1, req2: 2)
      }
      `, []specError{}},
	{"ignores args of unknown fields", 0, `
      fragment argOnUnknownField on Dog {
        unknownField(unknownArg: SIT)
      }
      `, []specError{}},
	{"multiple args in reverse order are known", 0, `
      fragment multipleArgsReverseOrder on ComplicatedArgs {
        multipleReqs(req2: 2, req1: 1)
      }
      `, []specError{}},
	{"no args on optional arg", 0, `
      fragment noArgOnOptionalArg on Dog {
        isHouseTrained
      }
      `, []specError{}},
	{"args are known deeply", 0, `
      {
        dog {
          doesKnowCommand(dogCommand: SIT)
        }
        human {
          pet {
            ... on Dog {
              doesKnowCommand(dogCommand: SIT)
            }
          }
        }
      }
      `, []specError{}},
	{"directive args are known", 0, `
      {
        dog @skip(if: true)
      }
      `, []specError{}},
	{"field args are invalid", 0, `
      {
        dog @skip(unless: true)
      }
      `, []specError{{`Unknown argument "unless" on directive "@skip".`, []int{3}}}},
	{"directive without args is valid", 0, `
      {
        dog @onField
      }
      `, []specError{}},
	{"arg passed to directive without arg is reported", 0, `
      {
        dog @onField(if: true)
      }
      `, []specError{{`Unknown argument "if" on directive "@onField".`, []int{3}}}},
	{"misspelled directive args are reported", 0, `
      {
        dog @skip(iff: true)
      }
      `, []specError{{`Unknown argument "iff" on directive "@skip". Did you mean "if"?`, []int{3}}}},
	{"invalid arg name", 0, `
      fragment invalidArgName on Dog {
        doesKnowCommand(unknown: true)
      }
      `, []specError{{`Unknown argument "unknown" on field "Dog.doesKnowCommand".`, []int{3}}}},
	{"misspelled arg name is reported", 0, `
      fragment invalidArgName on Dog {
        doesKnowCommand(DogCommand: true)
      }
      `, []specError{{`Unknown argument "DogCommand" on field "Dog.doesKnowCommand". Did you mean "dogCommand"?`, []int{3}}}},
	{"unknown args amongst known args", 0, `
      fragment oneGoodArgOneInvalidArg on Dog {
        doesKnowCommand(whoKnows: 1, dogCommand: SIT, unknown: true)
      }
      `, []specError{{`Unknown argument "whoKnows" on field "Dog.doesKnowCommand".`, []int{3}}, {`Unknown argument "unknown" on field "Dog.doesKnowCommand".`, []int{3}}}},
	{"unknown args deeply", 0, `
      {
        dog {
          doesKnowCommand(unknown: true)
        }
        human {
          pet {
            ... on Dog {
              doesKnowCommand(unknown: true)
            }
          }
        }
      }
      `, []specError{{`Unknown argument "unknown" on field "Dog.doesKnowCommand".`, []int{4}}, {`Unknown argument "unknown" on field "Dog.doesKnowCommand".`, []int{9}}}},
}

var knownTypeNamesCases = []specCase{
	{"known type names are valid", 0, `
      query Foo(
        $var: String
        $required: [Int!]!
        $introspectionType: __EnumValue
      ) {
        user(id: 4) {
          pets { ... on Pet { name }, ...PetFields, ... { name } }
        }
      }
      
      fragment PetFields on Pet {
        name
      }
      `, []specError{}},
	{"unknown type names are invalid", 0, `
      query Foo($var: [JumbledUpLetters!]!) {
        user(id: 4) {
          name
          pets { ... on Badger { name }, ...PetFields }
        }
      }
      fragment PetFields on Peat {
        name
      }
      `, []specError{{`Unknown type "JumbledUpLetters".`, []int{2}}, {`Unknown type "Badger".`, []int{5}}, {`Unknown type "Peat". Did you mean "Pet" or "Cat"?`, []int{8}}}},
}
