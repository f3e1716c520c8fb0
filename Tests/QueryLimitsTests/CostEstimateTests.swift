import GraphQLCore
import QueryLimits
import Testing

/// Estimates as the IBM cost directive specification bounds them (probe 51B): an upper bound on
/// what the operation may cost, which a client cannot make small.
@Suite("Cost estimates")
struct CostEstimateTests {
    static let schema = try! Schema(sdl: """
        directive @cost(weight: String!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
        directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
        type Query {
          node: Node
          nodes: [Node!]! @listSize(assumedSize: 10)
          items(first: Int): [Item!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false, assumedSize: 5)
          defaulted(first: Int = 7): [Item!]! @listSize(slicingArguments: ["first"])
          conns(first: Int): [Conn!]! @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
          node2: Node2
          single(first: Int): [Item!]! @listSize(slicingArguments: "first", requireOneSlicingArgument: false)
        }
        interface Node2 { kids(first: Int = 1): [Item!]! @listSize(slicingArguments: ["first"]) }
        type C implements Node2 { kids(first: Int = 1000): [Item!]! }
        type D implements Node2 { kids(first: Int = 1): [Item!]! }
        interface Node { id: ID! price: Int kids(first: Int): [Item!]! }
        type A implements Node { id: ID! price: Int @cost(weight: "100") kids(first: Int): [Item!]! @listSize(slicingArguments: ["first"]) }
        type B implements Node { id: ID! price: Int kids(first: Int): [Item!]! }
        type Item {
          id: ID!
          expensive: Int @cost(weight: "50")
          half: Int @cost(weight: "0.5")
          huge: Int @cost(weight: "1e400")
          children(first: Int): [Item!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false, assumedSize: 5)
        }
        type Conn { edges: [Item!]! }
        """)

    /// The estimate, with `$n` set to `n` when given.
    func cost(_ query: String, n: Int? = nil) throws -> Int {
        let doc = try Parser.parse(query)
        var fragments: [String: FragmentDefinition] = [:]
        for f in doc.fragments { fragments[f.name.value] = f }
        let analyzer = CostAnalyzer(schema: Self.schema)
        if let n { return try analyzer.estimate(doc.operations[0], fragments: fragments, variables: ["n": .int(n)]) }
        return try analyzer.estimate(doc.operations[0], fragments: fragments, variables: [:])
    }

    func refusal(_ query: String) -> String? {
        do {
            _ = try cost(query)
            return nil
        } catch {
            return (error as? CostAnalyzer.Failure)?.error.extensions?["code"]?.stringValue
        }
    }

    /// A field of an interface costs what the costliest of the types implementing it says of
    /// it (IBM §9.1.1): its weight, its list size and its required slicing argument — they were
    /// read from the interface alone, so `kids(first: 1000)` cost 10 items.
    @Test func anInterfacesFieldCostsWhatItsCostliestImplementationSays() throws {
        #expect(try cost("{ node { kids(first: 1000) { expensive } } }") == 1 + 1_000 * 51)
        #expect(try cost("{ node { ... on A { kids(first: 1000) { expensive } } } }") == 1 + 1_000 * 51)
        #expect(try cost("{ nodes { price } }") == 10 * (1 + 100))
        #expect(refusal("{ node { kids { id } } }") == "COST_SLICING_ARGUMENT_REQUIRED")
        #expect(refusal("{ node { ... on A { kids { id } } } }") == "COST_SLICING_ARGUMENT_REQUIRED")
        // A type that repeats the field without directives sizes it by the interface's
        // `@listSize` with its own argument defaults (C runs `kids` with `first = 1000`).
        #expect(try cost("{ node2 { kids { expensive } } }") == 1 + 1_000 * 51)
    }

    /// The actual cost weighs a field selected on an interface by the object's own type when the
    /// answer says which it is (`A.price` weighs 100, `Node.price` nothing).
    @Test func theActualCostWeighsFieldsByTheObjectsOwnType() throws {
        let doc = try Parser.parse("{ node { __typename price } }")
        let analyzer = CostAnalyzer(schema: Self.schema)
        let typed = try JSONReader.parse(Array(#"{"node":{"__typename":"A","price":5}}"#.utf8))
        let untyped = try JSONReader.parse(Array(#"{"node":{"__typename":"B","price":5}}"#.utf8))
        #expect(analyzer.actual(doc.operations[0], fragments: [:], data: typed) == 1 + 100)
        #expect(analyzer.actual(doc.operations[0], fragments: [:], data: untyped) == 1)
    }

    /// One string for a `[String!]` argument is a list of one (input coercion).
    @Test func oneSlicingArgumentWrittenAsAStringSlices() throws {
        #expect(try cost("{ single(first: 1000) { expensive } }") == 1_000 * 51)
    }

    /// A negative slicing argument bounds nothing: sized as an explicit null (the larger of its
    /// default and the assumed size), where it made everything under it free.
    @Test func aNegativeSlicingArgumentIsNoBound() throws {
        #expect(try cost("{ items(first: -1) { children(first: 1000) { expensive } } }") == 5 * (1 + 1_000 * 51))
        #expect(try cost("query($n: Int) { items(first: $n) { expensive } }", n: -3) == 5 * 51)
    }

    /// A variable left out gives the argument its default (§6.4.1), as leaving the argument out
    /// does: the slicing argument is given (it was refused as missing).
    @Test func aSlicingVariableLeftOutTakesTheArgumentsDefault() throws {
        #expect(try cost("query($n: Int) { defaulted(first: $n) { id } }") == 7)
        #expect(try cost("{ defaulted { id } }") == 7)
        #expect(refusal("{ defaulted(first: null) { id } }") == "COST_SLICING_ARGUMENT_REQUIRED")
    }

    /// A list that sizes its child lists (`sizedFields`) is sized by its slicing argument too (as
    /// Apollo's router sizes it), not by the default size.
    @Test func aListWithSizedFieldsIsSizedByItsSlicingArgument() throws {
        #expect(try cost("{ conns(first: 30) { edges { expensive } } }") == 30 * (1 + 30 * 51))
    }

    /// Weights that are not whole numbers count as the next one up; one past 10^15 as 10^15.
    @Test func fractionalAndHugeWeightsAreBoundedAbove() throws {
        #expect(try cost("{ items(first: 1000) { half } }") == 1_000 * 2)
        #expect(try cost("{ items(first: 1) { huge } }") == 1 + 1_000_000_000_000_000)
    }

    /// Fields of one response key run once with their selections merged (§6.3.2), also through
    /// inline fragments on the same type: they cost once, with everything under them.
    @Test func fieldsOfOneResponseKeyAreCostedMerged() throws {
        #expect(try cost("{ items(first: 2) { expensive } items(first: 2) { children(first: 3) { id } } }") == 2 * (1 + 50 + 3))
        #expect(try cost("{ items(first: 2) { expensive } ... { items(first: 2) { expensive } } ... on Query { items(first: 2) { id } } }") == 2 * 51)
        #expect(try cost("{ items(first: 2) { expensive expensive ...F ...F } } fragment F on Item { expensive }") == 2 * (1 + 50 + 50))
    }

    /// A deferred fragment is fetched on its own, so it is costed on its own: merged, fifty
    /// `... @defer { items }` cost one fiftieth of what ran (review of session 51).
    @Test func deferredFragmentsAreCostedEachOnTheirOwn() throws {
        #expect(try cost("{ items(first: 2) { expensive } ... @defer { items(first: 2) { expensive } } ... @defer { items(first: 2) { expensive } } }") == 3 * 2 * 51)
        #expect(try cost("{ ...F @defer ...F @defer ...F } fragment F on Query { items(first: 2) { expensive } }") == 3 * 2 * 51)
        #expect(try cost("{ ...F ...F } fragment F on Query { items(first: 2) { expensive } }") == 2 * 51)
    }
}
