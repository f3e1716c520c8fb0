import GraphQLCore
import OrderedCollections
import Testing

/// Field arguments written as literals become variables of the argument's type; what decides a
/// plan (directive arguments), what holds a variable and custom scalars' literals stay.
@Suite("Literal extraction")
struct LiteralExtractionTests {
    static let schema = try! Schema(sdl: """
        scalar JSONValue
        enum Color { RED GREEN }
        input Filter { color: Color tags: [String!] limit: Int = 5 nested: Filter }
        type Item { id: ID! name(upper: Boolean): String price(scale: Float): Float }
        type Query {
          item(id: ID!): Item
          items(filter: Filter, first: Int): [Item!]!
          raw(value: JSONValue): String
          color(c: Color!): String
        }
        type Mutation { add(names: [String!]!): Int }
        type Subscription { ticks(every: Int): Int }
        """)

    func extract(_ text: String, _ name: String? = nil) throws -> LiteralExtraction? {
        LiteralExtraction.extract(try Parser.parse(text), operationName: name, schema: Self.schema)
    }

    @Test func literalsBecomeVariablesOfTheArgumentsTypes() throws {
        let e = try #require(try extract(#"{ item(id: "a1") { name(upper: true) price(scale: 1.5) } items(filter: {color: RED, tags: ["x"], nested: {limit: 2}}, first: null) { id } color(c: GREEN) }"#))
        let op = try #require(e.document.operations.first)
        #expect(op.variableDefinitions.map { "\($0.variable.value): \($0.type)" }
                == ["_v0: ID!", "_v1: Boolean", "_v2: Float", "_v3: Filter", "_v4: Int", "_v5: Color!"])
        #expect(e.values == ["_v0": .string("a1"), "_v1": .bool(true), "_v2": .double(1.5),
                             "_v3": .object(["color": .string("RED"), "tags": .array([.string("x")]), "nested": .object(["limit": .int(2)])]),
                             "_v4": .null, "_v5": .string("GREEN")])
        #expect(Printer.print(op.selectionSet, indent: "").contains("item(id: $_v0)"))
    }

    /// Literals that Swift's `String ==` takes for one (canonical equivalence: U+F900 and U+8C48,
    /// combining marks in another order), `-0.0` and `0.0`, are two values with two variables;
    /// an integer for a Float past 2^53 is a double (probe 36B).
    @Test func equivalentButDifferentLiteralsAreTwoValues() throws {
        let e = try #require(try extract("{ a: item(id: \"\u{F900}\") { id } b: item(id: \"\u{8C48}\") { id } c: item(id: \"a\u{301}\u{316}\") { id } d: item(id: \"a\u{316}\u{301}\") { id } }"))
        #expect(e.values.count == 4)
        #expect(e.values["_v1"]?.stringValue.map { Array($0.unicodeScalars) } == ["\u{8C48}"])
        let f = try #require(try extract("{ item(id: \"x\") { p: price(scale: -0.0) q: price(scale: 0.0) r: price(scale: 123456789012345678) } }"))
        #expect(f.values.count == 4)
        #expect(f.values["_v3"] == .double(123456789012345678))
    }

    @Test func whatDecidesAPlanOrHoldsAVariableOrACustomScalarStays() throws {
        #expect(try extract(#"query($f: Filter) { items(filter: $f) { id } }"#) == nil)
        #expect(try extract(#"query($c: Color) { items(filter: {color: $c}) { id } }"#) == nil, "a value holding a variable")
        #expect(try extract(#"{ raw(value: {a: 1}) items { id @skip(if: true) } }"#) == nil, "a custom scalar; a directive's argument")
        #expect(try extract(#"subscription { ticks(every: 5) }"#) == nil)
        #expect(try extract(#"{ __type(name: "Item") { name } }"#) == nil, "meta fields are not the schema's")
    }

    @Test func equalLiteralsShareAVariableAndNamesNeverClash() throws {
        let e = try #require(try extract(#"query($_v0: Int) { a: item(id: "x") { id } b: item(id: "x") { id } c: item(id: "y") { id } items(first: $_v0) { id } }"#))
        #expect(e.document.operations[0].variableDefinitions.map(\.variable.value) == ["_v0", "_v1", "_v2"])
        #expect(e.values == ["_v1": .string("x"), "_v2": .string("y")])
    }

    /// An input object's fields in another order are the same value (§5.3.2: the two fields
    /// merge), so they share one variable; an ID written as an integer is its digits as a
    /// string (§3.5.5), never a JSON number a subgraph might read as a double.
    @Test func inputObjectsInAnyFieldOrderShareAVariableAndIntegerIDsAreStrings() throws {
        let e = try #require(try extract(#"{ items(filter: {color: RED, limit: 1, nested: {tags: ["a"], limit: 2}}) { id } items(filter: {nested: {limit: 2, tags: ["a"]}, limit: 1, color: RED}) { id } item(id: 9007199254740993) { id } }"#))
        let op = try #require(e.document.operations.first)
        #expect(op.variableDefinitions.map(\.variable.value) == ["_v0", "_v1"])
        #expect(Printer.print(op.selectionSet, indent: "").components(separatedBy: "items(filter: $_v0)").count == 3)
        #expect(e.values["_v1"] == .string("9007199254740993"))
        let other = try #require(try extract(#"{ a: items(filter: {limit: 1, color: RED}) { id } b: items(filter: {limit: 2, color: RED}) { id } }"#))
        #expect(other.document.operations[0].variableDefinitions.count == 2, "different values, different variables")
    }

    /// Fields of one response key merge only with identical arguments: an argument written
    /// alike where its types differ (`Int` on an interface, `[Int]` on another object) stays a
    /// literal under that key, so that the fields still merge at the subgraph.
    @Test func oneKeysArgumentsOfDifferentTypesStayLiterals() throws {
        let schema = try Schema(sdl: """
            interface Shape { size(scale: Int): Int }
            type Box implements Shape { size(scale: Int): Int }
            type Bag { size(scale: [Int]): Int }
            union Thing = Box | Bag
            type Query { things: [Thing!]! shape: Shape other(scale: Int): Int }
            """)
        let text = "{ things { ... on Shape { size(scale: 2) } ... on Bag { size(scale: 2) } } other(scale: 2) shape { size(scale: 3) } }"
        let document = try Parser.parse(text)
        #expect(Validator.validate(schema: schema, document: document).isEmpty)
        let e = try #require(LiteralExtraction.extract(document, operationName: nil, schema: schema))
        let printed = Printer.print(e.document.operations[0].selectionSet, indent: "")
        #expect(printed.contains("size(scale: 2)") && !printed.contains("size(scale: $"), "\(printed)")
        #expect(printed.contains("other(scale: $_v0)"), "\(printed)")
        #expect(e.values == ["_v0": .int(2)])
        #expect(Validator.validate(schema: schema, document: e.document).isEmpty)
    }

    @Test func fragmentsAreRewrittenOnceAndTheOperationsOthersLeft() throws {
        let text = """
            query A { ...F items(first: 2) { ...G } }
            query B { item(id: "b") { ...G } }
            fragment F on Query { item(id: "f") { ...G } }
            fragment G on Item { name(upper: false) }
            fragment Unused on Item { price(scale: 2) }
            """
        let e = try #require(try extract(text, "A"))
        #expect(e.document.operations.map { $0.name?.value } == ["A"])
        #expect(e.document.fragments.map(\.name.value) == ["F", "G"])
        #expect(e.values == ["_v0": .string("f"), "_v1": .bool(false), "_v2": .int(2)])
        #expect(Printer.print(e.document).contains("name(upper: $_v1)"))
    }

    @Test func theClientsSpansAreKept() throws {
        let source = #"{ item(id: "a1") { name } }"#
        let e = try #require(try extract(source))
        guard case .field(let item) = e.document.operations[0].selectionSet.selections[0] else { Issue.record("no field"); return }
        #expect(item.span.start == 2)
    }

    @Test func fragmentsUnderMetaFieldsStay() throws {
        let e = try #require(try extract(#"{ item(id: "a") { id } __schema { queryType { ...T } } } fragment T on __Type { name }"#))
        #expect(e.document.fragments.map(\.name.value) == ["T"])
    }
}
