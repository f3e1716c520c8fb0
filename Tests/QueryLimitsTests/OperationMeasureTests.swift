import GraphQLCore
import QueryLimits
import Testing

func measure(_ text: String) throws -> OperationMeasure {
    let doc = try Parser.parse(text, options: ParserOptions(maxTokens: nil))
    var fragments: [String: FragmentDefinition] = [:]
    for f in doc.fragments { fragments[f.name.value] = f }
    return OperationMeasure.of(doc.operations[0], fragments: fragments)
}

@Suite("Operation measurements")
struct OperationMeasureTests {
    @Test func countsThroughFragmentsAndInlineFragments() throws {
        let m = try measure("""
            query Q @a { x: me { ...F ... on User @b { name } } other { id } }
            fragment F on User { y: reviews { author { name } } }
            """)
        #expect(m == OperationMeasure(depth: 4, aliases: 2, rootFields: 2, directives: 2, fields: 7))
    }

    @Test func spreadsCountEachTimeButAreMeasuredOnce() throws {
        func fanOut(_ levels: Int) -> String {
            var q = "{ ...F0 }\n"
            for i in 0..<levels { q += "fragment F\(i) on Query { a ...F\(i + 1) ...F\(i + 1) }\n" }
            return q + "fragment F\(levels) on Query { a }\n"
        }
        let forty = try measure(fanOut(40))
        #expect(forty.fields == (1 << 41) - 1, "every spread counts")
        #expect(forty.depth == 1)
        #expect(forty.violation(of: OperationLimits())?.code == "MAX_FIELDS_EXCEEDED")
        #expect(try measure(fanOut(70)).fields == Int.max, "2^71 - 1 saturates instead of overflowing")
    }

    @Test func introspectionCountsInTheDepth() throws {
        #expect(try measure("{ __schema { types { fields { type { ofType { name } } } } } }").depth == 6)
        #expect(try measure("query __schema { a { b { c } } }").depth == 3)
    }

    @Test func cyclesDoNotHang() throws {
        let m = try measure("{ ...A } fragment A on Query { a ...B } fragment B on Query { b ...A }")
        #expect(m.fields == 2)
    }

    @Test func limitsOffAreNotChecked() throws {
        let m = try measure("{ " + (0..<50).map { "a\($0): x" }.joined(separator: " ") + " }")
        #expect(m.violation(of: OperationLimits(maxAliases: nil, maxRootFields: nil)) == nil)
        #expect(m.violation(of: OperationLimits())?.code == "MAX_ALIASES_EXCEEDED")
    }
}

/// A subgraph's `_entities` answers one entry per representation: its cost is sized by them, not
/// by the default list size (a gateway's fetch of one entity from a subgraph served alone was
/// costed as ten, and refused where the gateway had accepted the client's query).
@Suite("Cost of _entities")
struct EntitiesCostTests {
    @Test func entitiesAreSizedByTheirRepresentations() throws {
        let schema = try Schema(sdl: """
            scalar _Any
            type Agent { id: ID! history(last: Int): [Event!]! @listSize(slicingArguments: ["last"], requireOneSlicingArgument: false) }
            type Event { id: ID! }
            union _Entity = Agent
            type Query { _entities(representations: [_Any!]!): [_Entity]! }
            directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
            """)
        let analyzer = CostAnalyzer(schema: schema)
        let doc = try Parser.parse("query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Agent { history(last: 520) { id } } } }")
        func cost(_ n: Int) throws -> Int {
            try analyzer.estimate(doc.operations[0], fragments: [:],
                                  variables: ["representations": .array((0..<n).map { _ in .object(["__typename": "Agent", "id": "a"]) })])
        }
        let one = try cost(1), two = try cost(2)
        #expect(one * 2 == two, "\(one) for one, \(two) for two")
        #expect(one < 600, "one agent's 520 events: \(one)")
        let literal = try Parser.parse(#"{ _entities(representations: [{__typename: "Agent", id: "a"}]) { ... on Agent { history(last: 520) { id } } } }"#)
        let fromLiteral = try analyzer.estimate(literal.operations[0], fragments: [:], variables: [:])
        #expect(fromLiteral == one)
    }
}
