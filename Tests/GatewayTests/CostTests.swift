import Federation
import Foundation
import Gateway
import GraphQLCore
import SubgraphKit
import Testing

func catalogSubgraph() throws -> Subgraph<RequestContext> {
    let s = try Subgraph<RequestContext>(name: "catalog", sdl: """
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
        type Query {
          items(first: Int = 10): [Item!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
          page(first: Int, last: Int): ItemPage @listSize(slicingArguments: ["first", "last"], sizedFields: ["nodes"])
          search(filter: Filter): Int
        }
        input Filter { text: String deep: Int @cost(weight: 20) and: [Filter!] }
        type ItemPage { total: Int! nodes: [Item!]! }
        type Item {
          id: ID!
          expensive: Int @cost(weight: 50)
          children(first: Int = 5): [Item!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
        }
        """)
    let item = ObjectResolvers<RequestContext, Int>("Item")
    item.field("id") { i, _, _, _ in .leaf(.string(String(i))) }
        .field("expensive") { i, _, _, _ in .leaf(.int(i * 100)) }
        .field("children") { i, a, _, _ in .list((0..<min(a.int("first") ?? 5, 3)).map { .object(i * 10 + $0, item) }) }
    let page = ObjectResolvers<RequestContext, Int>("ItemPage")
    page.field("total") { n, _, _, _ in .leaf(.int(n)) }
        .field("nodes") { n, _, _, _ in .list((0..<n).map { .object($0, item) }) }
    s.query.field("page") { _, a, _, _ in .object(min(a.int("first") ?? a.int("last") ?? 0, 3), page) }
    s.query.field("search") { _, _, _, _ in .leaf(.int(0)) }
    s.query.field("items") { _, a, _, _ in .list((0..<min(a.int("first") ?? 10, 3)).map { .object($0, item) }) }
    return s
}

@Suite("Cost analysis")
struct CostTests {
    func withCatalog(_ limits: (inout LimitsConfiguration) -> Void, _ body: (GatewayClient, CountingTransports) async throws -> Void) async throws {
        let s = try catalogSubgraph()
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "catalog", url: "x", sdl: s.sdl)]))
        let counting = CountingTransports(["catalog": InProcessTransport(subgraph: s) { _ in RequestContext() }])
        var config = GatewayConfiguration()
        limits(&config.limits)
        try await withGateway(config, executor: FederatedExecutor(supergraph: supergraph, transports: counting.wrapped)) { try await body($0, counting) }
    }

    @Test func aCostBombIsRefusedBeforeAnySubgraphIsCalled() async throws {
        try await withCatalog({ $0.maxCost = 1_000 }) { client, counting in
            let bomb = try await client.query("{ items(first: 100000) { children(first: 100000) { children(first: 100000) { id } } } }")
            #expect(bomb.status == 400)
            #expect(bomb.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE")
            #expect(counting.total == 0)
            // One past what the estimate counts says so (in words a client can read).
            let huge = try await client.query("{ items(first: 2147483647) { children(first: 2147483647) { children(first: 2147483647) { children(first: 2147483647) { id } } } } }")
            #expect(huge.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE")
            #expect(huge.json?["errors"]?[0]?["message"] == "The operation's estimated cost is too large to count; it exceeds the limit of 1000.", "\(huge.text)")
            let fine = try await client.query("{ items(first: 2) { id expensive } }")
            #expect(fine.text == #"{"data":{"items":[{"id":"0","expensive":0},{"id":"1","expensive":100}]}}"#)
        }
    }

    /// What runs once costs once: a field written twice, or a fragment spread twice, at one
    /// level (probe 40B: `{ items { expensive expensive } }` was estimated twice the cost of what
    /// the subgraph is asked) — fields of one response key are one field with their selections
    /// merged (§6.3.2), costed with everything under them, estimated and actual alike.
    @Test func aFieldWrittenTwiceAlikeCostsOnce() async throws {
        try await withCatalog({ $0.maxCost = 520; $0.reportCost = true }) { client, _ in
            // 10 items × (1 + 50): 510, within 520 once, 1,020 twice.
            let twice = try await client.query("{ items { expensive expensive } }")
            #expect(twice.json?["errors"] == nil, "\(twice.text)")
            let spreads = try await client.query("{ items { ...F ...F } } fragment F on Item { expensive }")
            #expect(spreads.json?["errors"] == nil, "\(spreads.text)")
            let different = try await client.query("{ items { expensive } items { expensive id } }")
            #expect(different.json?["errors"] == nil, "\(different.text)")
            // Merged, `children` is under the same ten items: 10 × (1 + 50 + 5 × 1) = 560 (570 apart).
            let more = try await client.query("{ items { expensive } items { children { id } } }")
            #expect(more.json?["errors"]?[0]?["extensions"]?["cost"]?["estimated"] == 560, "\(more.text)")
            // What came back: 3 items, each with `expensive` (50) and 3 children (1 each).
            let actual = try await client.query("{ items(first: 3) { id } items(first: 3) { expensive children(first: 3) { id } } }")
            #expect(actual.json?["extensions"]?["cost"]?["actual"] == .int(3 * (1 + 50 + 3)), "\(actual.text)")
        }
    }

    /// Estimates are kept per document and variables, and a request whose variables cannot be
    /// told apart as text is estimated on its own: `1e400` (infinity) is written as `null` but
    /// sizes the list otherwise (review of session 51: its estimate was served to `null`).
    @Test func anEstimateIsKeptOnlyForVariablesWrittenAsTheyWereSent() async throws {
        try await withCatalog({ $0.reportCost = true; $0.defaultListSize = 2 }) { client, _ in
            let q = "query($n: Int) { items(first: $n) { expensive } }"
            func estimate(_ variables: String) async throws -> JSON? {
                try await client.query(q, variables: variables).json?["extensions"]?["cost"]?["estimated"]
            }
            // Infinity sizes nothing (the default list size, 2); null is the larger of the
            // argument's default (10) and that.
            var seen: [JSON?] = []
            for variables in [#"{"n":1e400}"#, #"{"n":1e400}"#, #"{"n":null}"#, #"{"n":3}"#, #"{"n":3}"#] { seen.append(try await estimate(variables)) }
            #expect(seen == [nil, nil, 510, 153, 153], "\(seen)")
        }
    }

    /// An input value's costly fields cost what they cost however deep they are: below 16 levels
    /// of `{and: [...]}` they cost nothing before (probe 40B), as a variable and as a literal.
    @Test func costlyInputFieldsDeepInAnInputValueAreCounted() async throws {
        try await withCatalog({ $0.maxCost = 1_000 }) { client, counting in
            let leaves = Array(repeating: #"{"deep":1}"#, count: 100).joined(separator: ",")
            let value = String(repeating: #"{"and":["#, count: 20) + #"{"and":["# + leaves + "]}" + String(repeating: "]}", count: 20)
            let asVariable = try await client.query("query($f: Filter) { search(filter: $f) }", variables: #"{"f":\#(value)}"#)
            #expect(asVariable.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE", "\(asVariable.text.prefix(300))")
            let literal = value.replacingOccurrences(of: #""and""#, with: "and").replacingOccurrences(of: #""deep""#, with: "deep")
            let asLiteral = try await client.query("{ search(filter: \(literal)) }")
            #expect(asLiteral.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE", "\(asLiteral.text.prefix(300))")
            #expect(counting.total == 0)
            // Shallow and cheap, it runs.
            #expect(try await client.query(#"{ search(filter: {and: [{deep: 1}]}) }"#).text == #"{"data":{"search":0}}"#)
        }
    }

    /// Fragments wrapped around a costly selection cost what it costs: 101 empty inline
    /// fragments (or a chain of named fragments) around a cost bomb made it free before.
    @Test func fragmentsNestedDeepAroundACostBombDoNotHideIt() async throws {
        try await withCatalog({ $0.maxCost = 1_000 }) { client, counting in
            let bomb = "items(first: 100000) { children(first: 100000) { id } }"
            let wrapped = try await client.query("{ " + String(repeating: "... { ", count: 120) + bomb + String(repeating: " }", count: 120) + " }")
            #expect(wrapped.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE", "\(wrapped.text)")
            var chain = "{ ...F0 }\n"
            for i in 0..<120 { chain += "fragment F\(i) on Query { ...F\(i + 1) }\n" }
            chain += "fragment F120 on Query { \(bomb) }"
            let spreads = try await client.query(chain)
            #expect(spreads.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE", "\(spreads.text)")
            // Deeper than any document the parser reads is refused, not costed as nothing.
            var deep = "{ ...G0 }\n"
            for i in 0..<300 { deep += "fragment G\(i) on Query { ...G\(i + 1) }\n" }
            deep += "fragment G300 on Query { items(first: 1) { id } }"
            let tooDeep = try await client.query(deep)
            #expect(tooDeep.json?["errors"]?[0]?["extensions"]?["code"] == "MAX_DEPTH_EXCEEDED", "\(tooDeep.text)")
            #expect(counting.total == 0)
        }
    }

    @Test func theDefaultCeilingRefusesACostBombAndAVariablesDefaultCounts() async throws {
        try await withCatalog({ _ in }) { client, counting in
            // No max_cost configured: the default ceiling (1,000,000) applies.
            let bomb = try await client.query("{ items(first: 100000) { children(first: 100000) { children(first: 100000) { id } } } }")
            #expect(bomb.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE")
            // A variable left out is costed with its default value, not the schema's.
            let defaulted = try await client.query("query($n: Int = 100000) { items(first: $n) { children(first: 1000) { id } } }")
            #expect(defaulted.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE")
            // A variable that is no Int (out of its 32-bit range) is refused as such, not as too expensive.
            let outOfRange = try await client.query("query($n: Int) { items(first: $n) { id } }", variables: #"{"n":2147483648}"#)
            #expect(outOfRange.status == 422)
            #expect(outOfRange.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_USER_INPUT")
            #expect(counting.total == 0)
        }
    }

    @Test func weightsAndListSizesAddUp() async throws {
        try await withCatalog({ $0.costMode = "measure"; $0.maxCost = 100 }) { client, _ in
            // 3 items × (1 for the object + 50 for expensive) = 153: over 100, reported but not refused.
            let r = try await client.query("query($n: Int) { items(first: $n) { expensive } }", variables: #"{"n":3}"#)
            #expect(r.status == 200)
            #expect(r.json?["extensions"]?["cost"]?.text == #"{"estimated":153,"actual":153,"max":100}"#)
            #expect(r.json?["data"]?["items"]?.arrayValue?.count == 3)
            // The slicing argument's default applies when the client gives none: 10 × (1 + 5 × 1).
            let d = try await client.query("{ items { children { id } } }")
            #expect(d.json?["extensions"]?["cost"]?["estimated"] == 60)
            // So it does for a variable left out (§6.4.1: the argument takes its default). An
            // explicit null (given, or a variable sent null) is the larger of the default and
            // the assumed size (here `default_list_size`, 10): a resolver may read null as its
            // default (the platform's do: costed at 10 it was a bypass where the default is
            // larger) or as "all".
            for (q, variables, cost) in [("query($n: Int) { items(first: $n) { children(first: $n) { id } } }", "{}", 60),
                                         ("{ items(first: null) { children(first: null) { id } } }", "{}", 110),
                                         ("query($n: Int) { items(first: $n) { children(first: $n) { id } } }", #"{"n":null}"#, 110),
                                         // A variable's default of null is an explicit null too (it was costed as left out: 60).
                                         ("query($n: Int = null) { items(first: $n) { children(first: $n) { id } } }", "{}", 110)] {
                let r = try await client.query(q, variables: variables)
                #expect(r.json?["extensions"]?["cost"]?["estimated"] == .int(cost), "\(q) \(variables): \(r.text)")
            }
            // A null slicing argument is not one given: the other one is the one.
            let oneGiven = try await client.query("{ page(first: null, last: 3) { nodes { id } } }")
            #expect(oneGiven.json?["errors"] == nil, "\(oneGiven.text)")
            // Measuring only, a missing slicing argument is not refused either: the list is sized
            // as any other (here `default_list_size`), 1 + 10 × 1.
            let noneGiven = try await client.query("{ page { nodes { id } } }")
            #expect(noneGiven.status == 200 && noneGiven.json?["errors"] == nil, "\(noneGiven.text)")
            #expect(noneGiven.json?["extensions"]?["cost"]?["estimated"] == 11, "\(noneGiven.text)")
        }
    }

    /// An input object given costs 1 and `@cost` on an input field counts where the field is
    /// given (in a literal or a variable, at any depth), as Apollo's demand control counts them
    /// (its router's own test schema: 21 for `{ somethingWithCost: 10 }`); a supergraph that imported `@cost` under another name (`@link(import: [{ name:
    /// "@cost", as: "@renamedCost" }])`) is costed the same.
    @Test func inputFieldWeightsAndRenamedImports() async throws {
        let s = try catalogSubgraph()
        let composed = try Composer.compose([try SubgraphSchema(name: "catalog", url: "x", sdl: s.sdl)])
        let renamed = composed
            .replacingOccurrences(of: "@cost(", with: "@renamedCost(")
            .replacingOccurrences(of: "@listSize(", with: "@renamedListSize(")
            .replacingOccurrences(of: "schema\n", with: "schema\n  @link(url: \"https://specs.apollo.dev/cost/v0.1\", import: [{name: \"@cost\", as: \"@renamedCost\"}, {name: \"@listSize\", as: \"@renamedListSize\"}])\n")
        #expect(renamed.contains("@renamedCost(weight: 50)"))
        // As Apollo's composition 2.9 writes them: in `@join__directive(graphs:, name:, args:)`.
        let joined = composed
            .replacingOccurrences(of: #"(?<!directive )@cost\(([^)]*)\)"#, with: #"@join__directive(graphs: [CATALOG], name: "cost", args: {$1})"#, options: .regularExpression)
            .replacingOccurrences(of: #"(?<!directive )@listSize\(([^)]*)\)"#, with: #"@join__directive(graphs: [CATALOG], name: "listSize", args: {$1})"#, options: .regularExpression)
        #expect(joined.contains(#"@join__directive(graphs: [CATALOG], name: "cost", args: {weight: 50})"#))
        for sdl in [composed, renamed, joined] {
            let supergraph = try Supergraph(sdl: sdl)
            var config = GatewayConfiguration()
            config.limits.reportCost = true
            let executor = FederatedExecutor(supergraph: supergraph, transports: ["catalog": InProcessTransport(subgraph: s) { _ in RequestContext() }])
            try await withGateway(config, executor: executor) { client in
                let r = try await client.query("{ items(first: 2) { expensive } }")
                #expect(r.json?["extensions"]?["cost"]?["estimated"] == 102, "\(r.text)")
                let f = try await client.query(#"{ a: search(filter: { text: "x" }) b: search(filter: { deep: 1, and: [{ deep: 2 }, { text: "y" }] }) }"#)
                // a: 1 (the object); b: 1 + 20 (deep) + (1 + 20) + 1 (the list's two objects).
                #expect(f.json?["extensions"]?["cost"]?["estimated"] == 44, "\(f.text)")
                let v = try await client.query("query($f: Filter) { search(filter: $f) }", variables: #"{"f":{"deep":3,"and":[{"deep":4}]}}"#)
                #expect(v.json?["extensions"]?["cost"]?["estimated"] == 42, "\(v.text)")
                // The same input object as a variable's default value (left out: it was costed as nothing).
                let d = try await client.query("query($f: Filter = { deep: 3, and: [{ deep: 4 }] }) { search(filter: $f) }")
                #expect(d.json?["extensions"]?["cost"]?["estimated"] == 42, "\(d.text)")
            }
        }
    }

    @Test func actualCostCountsWhatCameBack() async throws {
        try await withCatalog({ $0.reportCost = true }) { client, _ in
            // Asked for 10, the subgraph had 3: estimated 10 × 51, actual 3 × 51.
            let r = try await client.query("{ items(first: 10) { expensive } }")
            #expect(r.json?["extensions"]?["cost"]?.text == #"{"estimated":510,"actual":153,"max":1000000}"#)
            // Through a fragment and an alias, null-free: the same counting.
            let f = try await client.query("{ x: items(first: 2) { ...E } } fragment E on Item { expensive children(first: 1) { id } }")
            // estimated 2 × (1 + 50 + 1 × 1) = 104; actual: 2 items × 51 + their 1 child each.
            #expect(f.json?["extensions"]?["cost"]?.text == #"{"estimated":104,"actual":104,"max":1000000}"#)
        }
    }

    @Test func sizedFieldsSizeTheChildListOfAConnection() async throws {
        try await withCatalog({ $0.reportCost = true }) { client, counting in
            // page 1 + nodes 4 × (1 + 50); the page returns 3 nodes: 1 + 3 × 51.
            let r = try await client.query("{ page(first: 4) { total nodes { expensive } } }")
            #expect(r.json?["extensions"]?["cost"]?.text == #"{"estimated":205,"actual":154,"max":1000000}"#)
            // requireOneSlicingArgument defaults to true: none, or both, is refused before any call.
            let before = counting.total
            for q in ["{ page { total } }", "{ page(first: 1, last: 1) { total } }"] {
                let bad = try await client.query(q)
                #expect(bad.status == 400)
                #expect(bad.json?["errors"]?[0]?["extensions"]?["code"] == "COST_SLICING_ARGUMENT_REQUIRED")
            }
            #expect(counting.total == before)
        }
    }
    /// What Apollo's demand control charges and the estimate once missed or over-charged: the
    /// selection a field's `@requires` fetches for it (lists included), arguments counted once per
    /// field (not per item of the list it returns), `@skip`/`@include` that leave a field out,
    /// 10 for a mutation, an interface costing its costliest implementation.
    @Test func requiresArgumentsSkipsAndMutationsCostAsApollosDemandControl() async throws {
        let fleet = try Subgraph<RequestContext>(name: "fleet", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize", "@shareable"])
            type Query {
              ships: [Ship!]!
              tagged(tag: String @cost(weight: 10)): [Ship!]! @listSize(assumedSize: 5)
              vessel: Vessel
            }
            type Mutation { launch: Int }
            interface Vessel { id: ID! }
            type Ship implements Vessel @key(fields: "id") { id: ID! owner: Owner @shareable }
            type Yacht implements Vessel @cost(weight: 7) { id: ID! }
            type Owner @shareable { addresses: [Address!]! }
            type Address @shareable { zipCode: String }
            """)
        fleet.query.field("ships") { _, _, _, _ in .list([]) }
            .field("tagged") { _, _, _, _ in .list([]) }
            .field("vessel") { _, _, _, _ in .null }
        fleet.mutation!.field("launch") { _, _, _, _ in .leaf(1) }
        let fees = try Subgraph<RequestContext>(name: "fees", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@external", "@requires", "@shareable"])
            type Ship @key(fields: "id") { id: ID! owner: Owner @external registrationFee: Int @requires(fields: "owner { addresses { zipCode } }") }
            type Owner @shareable { addresses: [Address!]! }
            type Address @shareable { zipCode: String }
            """)
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "fleet", url: "x", sdl: fleet.sdl),
                                                                  try SubgraphSchema(name: "fees", url: "y", sdl: fees.sdl)]))
        var config = GatewayConfiguration()
        config.limits.costMode = "measure"
        let executor = FederatedExecutor(supergraph: supergraph, transports: ["fleet": InProcessTransport(subgraph: fleet) { _ in RequestContext() },
                                                                               "fees": InProcessTransport(subgraph: fees) { _ in RequestContext() }])
        try await withGateway(config, executor: executor) { client in
            func expectCost(_ q: String, variables: String? = nil, _ cost: Int) async throws {
                let r = try await client.query(q, variables: variables)
                #expect(r.json?["errors"] == nil, "\(q): \(r.text)")
                #expect(r.json?["extensions"]?["cost"]?["estimated"] == .int(cost), "\(q): \(r.text)")
            }
            // 10 ships × (1 + registrationFee's required owner (1) and its addresses (10 × 1)).
            try await expectCost("{ ships { id registrationFee } }", 120)
            try await expectCost("{ ships { id } }", 10)
            // 5 × 1 for the ships, the tag's 10 once.
            try await expectCost(#"{ tagged(tag: "x") { id } }"#, 15)
            try await expectCost("{ tagged(tag: null) { id } }", 5)
            try await expectCost("{ ships @skip(if: true) { id } tagged { id } }", 5)
            try await expectCost("query($on: Boolean!) { ships @include(if: $on) { id } }", variables: #"{"on":false}"#, 0)
            try await expectCost("query($on: Boolean!) { ships @include(if: $on) { id } }", variables: #"{"on":true}"#, 10)
            try await expectCost("mutation { launch }", 10)
            try await expectCost("{ vessel { id } }", 7)
        }
    }
}
