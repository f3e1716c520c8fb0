import BenchSubgraphs
import Federation
import Foundation
import GraphQLCore
import Testing

func benchSubgraph(_ name: String) throws -> SubgraphSchema {
    try SubgraphSchema(name: name, url: "http://127.0.0.1:4200/\(name)", sdl: try #require(BenchSubgraphs.sdl(name)))
}

func compose(_ subgraphs: [(String, String)]) throws -> String {
    try Composer.compose(subgraphs.map { try SubgraphSchema(name: $0.0, url: "http://\($0.0)", sdl: $0.1) })
}

func compositionCodes(_ subgraphs: [(String, String)]) -> [String] {
    do {
        _ = try compose(subgraphs)
        return []
    } catch let e as CompositionErrors {
        return e.errors.map(\.code.rawValue)
    } catch let e as CompositionError {
        return [e.code.rawValue]
    } catch {
        return ["\(error)"]
    }
}

let fed2 = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible"])"#

@Suite("Composition")
struct CompositionTests {
    @Test func composesTheBenchmarkSubgraphsIntoAPlannableSupergraph() throws {
        let sdl = try Composer.compose(["accounts", "inventory", "products", "reviews"].map(benchSubgraph))
        try expectSnapshot(sdl, "bench-supergraph.graphql")
        let supergraph = try Supergraph(sdl: sdl)
        #expect(supergraph.graphs.map(\.name) == ["accounts", "inventory", "products", "reviews"])
        #expect(supergraph.apiSchema.types["Product"]?.fields.keys.elements == ["upc", "weight", "price", "inStock", "shippingEstimate", "name", "reviews"])
        #expect(supergraph.fieldGraph("Product", "shippingEstimate", in: "INVENTORY")?.requires != nil)
        #expect(supergraph.fieldGraph("Review", "author", in: "REVIEWS")?.provides != nil)
        // The same plan shape as Apollo's composition gives.
        let query = try String(contentsOf: benchDirectory.appendingPathComponent("query.graphql"), encoding: .utf8)
        let plan = try QueryPlanner(supergraph: supergraph).plan(try Parser.parse(query), operationName: nil)
        let apollo = try Supergraph(sdl: try String(contentsOf: benchDirectory.appendingPathComponent("supergraph.graphql"), encoding: .utf8))
        let apolloPlan = try QueryPlanner(supergraph: apollo).plan(try Parser.parse(query), operationName: nil)
        #expect(plan.text == apolloPlan.text)
    }

    /// What no schema may hold is refused with the subgraph and the name: a type defined twice, a
    /// field named twice in one type (its extensions included), a name starting with `__`.
    @Test func aSubgraphWithDuplicateOrReservedNamesIsRefused() throws {
        let cases = [
            ("type Query { a: Int a: String }", #""Query.a" is defined more than once"#),
            ("type Query { a: Int } type T { x: Int } type T { y: Int }", #"type "T" is defined more than once"#),
            ("type Query { a: Int } extend type Query { a: Int }", #""Query.a" is defined more than once"#),
            ("type Query { a: __Thing } type __Thing { x: Int }", #"the name "__Thing" is reserved"#),
            ("type Query { a: E } enum E { X X }", #""E.X" is defined more than once"#),
        ]
        for (sdl, message) in cases {
            let error = #expect(throws: CompositionError.self, "\(sdl)") { try SubgraphSchema(name: "s", url: "http://s", sdl: fed2 + "\n" + sdl) }
            #expect(error?.message.contains(message) == true, "\(sdl): \(String(describing: error))")
        }
        #expect(throws: Never.self) { try SubgraphSchema(name: "s", url: "http://s", sdl: fed2 + "\ntype Query { a: Int } extend type Query { b: Int }") }
    }

    /// The supergraph does not depend on the order subgraphs are listed in: they are taken in the
    /// order of their names, as Apollo's composition takes them (a tie in descriptions goes to the
    /// first by name, a merged type's fields follow that order).
    @Test func theListingOrderOfSubgraphsChangesNothing() throws {
        let link = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable"])"#
        let zeta = ("zeta", link + "\n" + #""Z desc" type T @shareable { a: Int z1: Int d: Int } type Query { t: T @shareable }"#)
        let alpha = ("alpha", link + "\n" + #""A desc" type T @shareable { a: Int a1: Int d: Int } type Query { t: T @shareable }"#)
        let listed = try compose([zeta, alpha])
        #expect(listed == (try compose([alpha, zeta])))
        let t = try #require(try Supergraph(sdl: listed).apiSchema.types["T"])
        #expect(t.description == "A desc")
        #expect(t.fields.keys.elements == ["a", "a1", "d", "z1"])
    }

    /// Subgraph names that would share a `join__Graph` value get values of their own (and a name
    /// starting with a digit a value that is a Name): each field is still planned to its own subgraph.
    @Test func subgraphNamesThatWouldShareAGraphValueGetTheirOwn() throws {
        let link = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])"#
        let sdl = try compose([("shop-x", link + "\ntype Query { products: [String] }"), ("shop_x", link + "\ntype Query { reviews: [String] }"),
                               ("1b", link + "\ntype Query { third: Int }")])
        let supergraph = try Supergraph(sdl: sdl)
        // (In the order of their names, as Apollo's composition takes subgraphs.)
        #expect(supergraph.graphs.map(\.id) == ["_1B", "SHOP_X", "SHOP_X_1"])
        #expect(supergraph.graphs.map(\.name) == ["1b", "shop-x", "shop_x"])
        for (field, subgraph) in [("products", "shop-x"), ("reviews", "shop_x"), ("third", "1b")] {
            let plan = try QueryPlanner(supergraph: supergraph).plan(try Parser.parse("{ \(field) }"), operationName: nil)
            #expect(plan.text.contains(#"Fetch(service: "\#(subgraph)")"#), "\(plan.text)")
        }
    }

    @Test func renamedImportsAndFederationPrefix() throws {
        let a = """
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: [{ name: "@key", as: "@primaryKey" }, "@shareable"])
        type Query { thing(id: ID!): Thing }
        type Thing @primaryKey(fields: "id") { id: ID! name: String @federation__inaccessible }
        """
        let b = """
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
        type Thing @key(fields: "id") { id: ID! size: Int }
        """
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        #expect(supergraph.types["Thing"]?.graphs["A"]?.resolvableKeys.count == 1)
        #expect(supergraph.apiSchema.types["Thing"]?.fields["name"] == nil, "@inaccessible hides the field from the API schema")
        #expect(supergraph.apiSchema.types["Thing"]?.fields["size"] != nil)
    }

    @Test func federationOneStyleExtendType() throws {
        let a = "type Query { me: User } type User @key(fields: \"id\") { id: ID! name: String }"
        let b = "extend type User @key(fields: \"id\") { id: ID! @external age: Int }"
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        #expect(supergraph.resolvingGraphs("User", "age") == ["B"])
        #expect(supergraph.types["User"]?.graphs["B"]?.isExtension == true)
    }

    @Test func errorsHaveStableCodes() {
        #expect(compositionCodes([("a", "\(fed2) type Query { x: T } type T { id: ID }"), ("b", "\(fed2) type Query { y: Int } enum T { A }")])
                == ["TYPE_KIND_MISMATCH"])
        #expect(compositionCodes([("a", "\(fed2) type Query { x: T } type T @key(fields: \"id\") { id: ID! name: String }"),
                                  ("b", "\(fed2) type T @key(fields: \"id\") { id: ID! name: String }")])
                == ["INVALID_FIELD_SHARING"])
        #expect(compositionCodes([("a", "\(fed2) type Query { x: T } type T @key(fields: \"id\") { id: ID! name: String @shareable }"),
                                  ("b", "\(fed2) type T @key(fields: \"id\") { id: ID! name: Int @shareable }")])
                == ["FIELD_TYPE_MISMATCH"])
        #expect(compositionCodes([("a", "\(fed2) type Query { x: T } type T @key(fields: \"nope\") { id: ID! }")]) == ["KEY_INVALID_FIELDS"])
        // b's only key (sku) is a field a cannot provide: T.extra is unreachable from a.
        #expect(compositionCodes([("a", "\(fed2) type Query { x: T } type T { id: ID! @shareable }"),
                                  ("b", "\(fed2) type T @key(fields: \"sku\") { id: ID! @shareable sku: ID! extra: Int }")])
                .contains("SATISFIABILITY_ERROR"))
        #expect(compositionCodes([("a", "\(fed2) type Query { x(e: E): E } enum E { A B }"), ("b", "\(fed2) type Query { y(e: E): Int @shareable } enum E { A }")])
                .contains("ENUM_VALUE_MISMATCH"))
        #expect(compositionCodes([("a", "\(fed2) type T { id: ID }")]) == ["NO_QUERIES"])
    }

    /// A field no subgraph can reach is named with the query path that leads to it, step by step
    /// (each state keeps its step and where it came from; a chain of 20,000 types kept a growing
    /// path string per state and took gigabytes to compose).
    @Test func anUnreachableFieldIsNamedWithItsWholeQueryPath() throws {
        let chain = (0..<300).map { "type T\($0) { v: Int next: T\($0 + 1) @shareable }" }.joined(separator: "\n")
        let a = "\(fed2) type Query { start: T0 }\n\(chain)\ntype T300 { id: ID! @shareable }"
        let b = "\(fed2) type T300 @key(fields: \"sku\") { id: ID! @shareable sku: ID! extra: Int }"
        do {
            _ = try compose([("a", a), ("b", b)])
            Issue.record("composed")
        } catch let e as CompositionErrors {
            let path = "Query.start" + (0..<300).map { " → T\($0).next" }.joined()
            for field in ["sku", "extra"] {
                #expect(e.errors.contains { $0.code.rawValue == "SATISFIABILITY_ERROR"
                        && $0.message.contains("The field \"T300.\(field)\" cannot be reached from subgraph(s) \"a\" (query path \(path)):") })
            }
        }
    }

    /// Apollo's subgraph validation: what a subgraph breaks on its own is named before anything is
    /// merged (each was accepted, and failed at planning or answered wrongly, before).
    @Test func subgraphsBreakingFederationRulesAreRefusedWithTheirCode() {
        func codes(_ sdl: String, _ header: String = fed2) -> [String] { compositionCodes([("a", header + "\n" + sdl)]) }
        let entity = "type P @key(fields: \"id\") { id: ID! x: Int @external "
        let cases: [(String, String)] = [
            ("type Query { a: Int @foo }", "INVALID_GRAPHQL"),                                        // unknown directive
            ("type Query { a: Int @policy(policies: [[\"x\"]]) }", "INVALID_GRAPHQL"),               // federation, not imported
            ("type Query { a: Int @key(fields: \"a\") }", "INVALID_GRAPHQL"),                          // wrong location
            ("type Query { a: Int @deprecated @deprecated }", "INVALID_GRAPHQL"),                      // not repeatable
            ("type Query { a(x: Int, x: Int): Int }", "INVALID_GRAPHQL"),                               // argument twice
            ("type Query { p: P } type P @key(fields: \"id\") { id(v: Int): ID! }", "KEY_FIELDS_HAS_ARGS"),
            ("type Query { p: P } type P @key(fields: \"i { x }\") { i: I } interface I { x: Int }", "KEY_FIELDS_SELECT_INVALID_TYPE"),
            ("type Query { p: P } type P @key(fields: \"id { x }\") { id: ID! }", "KEY_INVALID_FIELDS"),
            ("type Query { p: P } type P @key(fields: \"k: id\") { id: ID! }", "KEY_INVALID_FIELDS"),               // an alias
            ("type Query { p: P } \(entity) y: Int @requires(fields: \"w: x\") }", "REQUIRES_INVALID_FIELDS"),
            ("type Query { p: P @provides(fields: \"w: x\") } \(entity) }", "PROVIDES_INVALID_FIELDS"),
            ("type Query { p: P } \(entity) y: Int @requires(fields: \"zzz\") }", "REQUIRES_INVALID_FIELDS"),
            ("type Query { p: P } \(entity) z: Int y: Int @requires(fields: \"z\") }", "REQUIRES_FIELDS_MISSING_EXTERNAL"),
            ("type Query { p: P @provides(fields: \"zzz\") } \(entity) }", "PROVIDES_INVALID_FIELDS"),
            ("type Query { p: P @provides(fields: \"id\") } \(entity) }", "PROVIDES_FIELDS_MISSING_EXTERNAL"),
            ("type Query { p: Int @provides(fields: \"x\") }", "PROVIDES_ON_NON_OBJECT_FIELD"),
            ("type Query { p: P @provides(fields: \"x @include(if: true)\") } \(entity) }", "PROVIDES_DIRECTIVE_IN_FIELDS_ARG"),
            ("type Query { i: I } interface I { x: Int @shareable }", "INVALID_SHAREABLE_USAGE"),
            ("type Query { p: P } \(entity) }", "EXTERNAL_UNUSED"),                                 // x serves nothing
            ("type Query { p: P } type P @key(fields: \"id\") { id: ID! x: Int @external @override(from: \"b\") }", "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE"),
            ("type Query { p: P } type P @key(fields: \"id\") { id: ID! f(c: String @federation__fromContext(field: \"$nowhere { x }\")): Int }",
             "CONTEXT_NOT_SET"),
            // Not a valid schema on its own: a type defined nowhere here (another subgraph's), an
            // interface field missing from an implementation.
            ("type Query { a(x: In): Int }", "INVALID_GRAPHQL"),
            // A required argument or input field that is deprecated (§3.6.1; a supergraph composed
            // elsewhere that has one is served: `deprecatedRequiredInputsOfASupergraphAreServed`).
            ("type Query { a(x: Int! @deprecated): Int }", "INVALID_GRAPHQL"),
            ("type Query { a(f: F): Int } input F { x: Int! @deprecated(reason: \"y\") }", "INVALID_GRAPHQL"),
            ("type Query { a: A } type A implements I { x: Int }", "INVALID_GRAPHQL"),
            ("type Query { a: Out }", "INVALID_GRAPHQL"),
            ("type Query { i: I } interface I { a: Int b: Int } type A implements I @key(fields: \"a\") { a: Int }", "INVALID_GRAPHQL"),
        ]
        for (sdl, code) in cases { #expect(codes(sdl).contains(code), "\(sdl)") }
        // What the rules allow: a provided or required path through local fields to external
        // leaves, a directive another @link brings in, a directive the SDL defines, imports under
        // their prefix, and Federation 1 subgraphs' bare names.
        let valid: [(String, String)] = [
            ("type Query { p: P @provides(fields: \"x\") } \(entity) } type R @key(fields: \"id\") { id: ID! c: [C] @shareable "
                + "a: Int @requires(fields: \"c { v }\") } type C { v: Int @external }", fed2),
            ("extend schema @link(url: \"https://example.com/auth/v1.0\", import: [\"@auth\"]) type Query { a: Int @auth @auth__x }", fed2),
            ("directive @cached(ttl: Int) on FIELD_DEFINITION type Query { a: Int @cached(ttl: 1) @federation__shareable }", fed2),
            ("type Query { p: P } extend type P @key(fields: \"id\") { id: ID! @external x: Int @requires(fields: \"id\") }", ""),
            // An external field an interface of its type asks for is used; so is a key's.
            ("type Query { p: P } interface I { x: Int } type P implements I @key(fields: \"id\") { id: ID! @external x: Int @external }", fed2),
        ]
        for (sdl, header) in valid {
            #expect((try? SubgraphSchema(name: "a", url: "http://a", sdl: header + "\n" + sdl).validationErrors().map(\.description)) == [], "\(sdl)")
        }
    }

    /// Rules across subgraphs Apollo's composition enforces (its compose.auth, override,
    /// demandControl and inaccessible tests), and a union `@provides` with type conditions it
    /// accepts.
    @Test func rulesAcrossSubgraphsAreEnforcedAsApollosAre() throws {
        let all = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@external", "@requires", "@provides", "@shareable", "@inaccessible", "@override", "@authenticated", "@policy", "@requiresScopes", "@listSize", "@cost", "@context", "@fromContext", "@interfaceObject"])"#
        func codes(_ graphs: [String]) -> [String] { compositionCodes(graphs.enumerated().map { ("s\($0.offset)", all + "\n" + $0.element) }) }
        // A @requires reading a protected field must be protected itself (the gateway fetches the
        // input whatever the client may see); the type's own protection counts.
        let protectedExtra = #"type T @key(fields: "id") { id: ID extra: String @authenticated }"#
        #expect(codes([#"type Query { t: T } type T @key(fields: "id") { id: ID extra: String @external derived: String @requires(fields: "extra") }"#, protectedExtra])
                == ["MISSING_TRANSITIVE_AUTH_REQUIREMENTS"])
        #expect(codes([#"type Query { t: T } type T @key(fields: "id") { id: ID extra: String @external derived: String @requires(fields: "extra") @authenticated }"#, protectedExtra]) == [])
        #expect(codes([#"type Query { t: T } type T @key(fields: "id") @policy(policies: [["p"]]) { id: ID extra: String @external derived: String @requires(fields: "extra") }"#,
                       #"type T @key(fields: "id") { id: ID extra: String @policy(policies: [["p"]]) }"#]) == [])
        // A field open to S1 or S2 may read one field needing S1 and, through another context,
        // one needing S2 (Apollo composes it: one alternative of the field's covers each read).
        #expect(codes([#"type Query { foo: Foo! bar: Bar! } type Foo @key(fields: "id") @context(name: "context") { id: ID! u: U! prop: String! @requiresScopes(scopes: [["S1"]]) } "#
                       + #"type Bar @key(fields: "id") @context(name: "context") { id: ID! u: U! prop: String! @requiresScopes(scopes: [["S2"]]) } "#
                       + #"type U @key(fields: "id") { id: ID! field(a: String @fromContext(field: "$context { prop }")): Int! @requiresScopes(scopes: [["S1"], ["S2"]]) }"#,
                       #"type Query { a: Int! } type U @key(fields: "id") { id: ID! }"#]) == [])
        #expect(codes([#"type Query { t: T } type T @key(fields: "id") { id: ID extra: String @external derived: String @requires(fields: "extra") @requiresScopes(scopes: [["S1"]]) }"#,
                       #"type T @key(fields: "id") { id: ID extra: String @requiresScopes(scopes: [["S1", "S2"]]) }"#]) == ["MISSING_TRANSITIVE_AUTH_REQUIREMENTS"])
        // A shared field must answer with some runtime type its subgraphs have in common.
        #expect(codes([#"type Query { a: A @shareable } interface A { x: Int } type I1 implements A { x: Int i1: Int }"#,
                       #"type Query { a: A @shareable } interface A { x: Int } type I2 implements A { x: Int i2: Int }"#]) == ["SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES"])
        #expect(codes([#"type Query { e: E! @shareable } type E @key(fields: "id") { id: ID! s: U! @shareable } union U = A | B type A { a: Int } type B { b: Int }"#,
                       #"type E @key(fields: "id") { id: ID! s: U! @shareable } union U = C | D type C { c: Int } type D { d: Int }"#]) == ["SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES"])
        #expect(codes([#"type Query { a: A @shareable } interface A { x: Int } type I1 implements A @shareable { x: Int i1: Int } type I2 implements A @shareable { x: Int }"#,
                       #"type Query { a: A @shareable } interface A { x: Int } type I2 implements A @shareable { x: Int }"#]) == [])
        // Errors name subgraphs as configured.
        do {
            _ = try compose([("subgraph-A", all + #" type Query { t: Int }"#), ("subgraphB", all + #" type Query { t: Int }"#)])
            Issue.record("composed a non-shareable field resolved twice")
        } catch {
            #expect("\(error)".contains(#""subgraph-A" and "subgraphB""#), "\(error)")
        }
        // The access- and demand-control definitions only where used: a subgraph's own composed
        // `@authenticated` is its own, and a supergraph using none defines none.
        let ownAuthenticated = try compose([("a", #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"]) "#
            + #"@link(url: "https://custom.dev/authenticated/v1.0", import: ["@authenticated"]) @composeDirective(name: "@authenticated") "#
            + #"directive @authenticated(scope: [String!]) repeatable on FIELD_DEFINITION type Query { a: String @authenticated(scope: ["x"]) }"#)])
        #expect(ownAuthenticated.contains("directive @authenticated(scope: [String!]) repeatable on FIELD_DEFINITION"), "\(ownAuthenticated)")
        #expect(!ownAuthenticated.contains("authenticated/v0.1"))
        let plain = try compose([("a", all + " type Query { a: String }")])
        #expect(!plain.contains("directive @authenticated") && !plain.contains("directive @cost"), "\(plain)")
        // `@listSize` linked from its own spec is kept as from `cost`.
        let listSized = try compose([("s", #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"]) "#
                                     + #"@link(url: "https://specs.apollo.dev/listSize/v0.1", import: ["@listSize"]) type Query { items: [String!] @listSize(assumedSize: 2000) }"#)])
        #expect(listSized.contains("assumedSize: 2000"), "\(listSized)")
        // A variable in a @requires field set stands for an argument of the requiring field, of
        // a type that fits; a @provides field set takes no arguments at all.
        let owner = #"type T @key(fields: "id") { id: ID! x(arg: Int): Int }"#
        #expect(codes([#"type Query { t: T } type T @key(fields: "id") { id: ID! x(arg: Int): Int @external y(arg: Int): Int @requires(fields: "x(arg: $arg)") }"#, owner]) == [])
        #expect(codes([#"type Query { t: T } type T @key(fields: "id") { id: ID! x(arg: Int): Int @external y: Int @requires(fields: "x(arg: $arg)") }"#, owner])
                == ["REQUIRES_INVALID_FIELDS"])
        #expect(codes([#"type Query { t: T } type T @key(fields: "id") { id: ID! x(arg: Int): Int @external y(arg: String): Int @requires(fields: "x(arg: $arg)") }"#, owner])
                == ["REQUIRES_INVALID_FIELDS"])
        #expect(codes([#"type Query { u(arg: Int): T @provides(fields: "x(arg: $arg)") } type T @key(fields: "id") { id: ID! x(arg: Int): Int @external }"#, owner])
                == ["PROVIDES_FIELDS_HAS_ARGS"])
        // Negative sizes would let one part of an operation pay for another under max_cost.
        #expect(codes([#"type Query { items: [Int] @listSize(assumedSize: -100) }"#]) == ["LIST_SIZE_INVALID_ASSUMED_SIZE"])
        // An @inaccessible type referenced by a visible field is refused, not silently cut.
        #expect(codes([#"type Query { t: T } type T @inaccessible { a: Int }"#]).contains("REFERENCED_INACCESSIBLE"))
        #expect(codes([#"type Query { t: T @inaccessible u: Int } type T @inaccessible { a: Int }"#]) == [])
        // @override: not on interfaces, labels well formed, not over a @requires/@provides.
        #expect(codes([#"type Query { i: I } interface I { x: Int @override(from: "s1") }"#]).contains("OVERRIDE_ON_INTERFACE"))
        let overriding = { (label: String) in #"type Query { t: T } type T @key(fields: "id") { id: ID x: Int @override(from: "s1", label: "\#(label)") }"# }
        let source = #"type T @key(fields: "id") { id: ID x: Int }"#
        for label in ["abc123", "Z_1-2:3/4.5", "percent(0.5)", "percent(99.9)"] { #expect(codes([overriding(label), source]) == [], "\(label)") }
        for label in ["1abc", "a!b", "percent(.1)", "percent(101)", "percent(1.1234567879)"] {
            #expect(codes([overriding(label), source]) == ["OVERRIDE_LABEL_INVALID"], "\(label)")
        }
        #expect(codes([#"type Query { t: T } type T @key(fields: "id") { id: ID x: Int @override(from: "s1") }"#,
                       #"type T @key(fields: "id") { id: ID y: Int @external x: Int @requires(fields: "y") }"#,
                       #"type T @key(fields: "id") { id: ID y: Int }"#]).contains("OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE"))
        // Demand control where it means something: no @cost on interface fields, @listSize on
        // lists (or sized fields that are), slicing arguments of type Int, sized fields that exist.
        #expect(codes([#"type Query { a: A } interface A { x: Int @cost(weight: 10) } type B implements A { x: Int }"#]) == ["COST_APPLIED_TO_INTERFACE_FIELD"])
        #expect(codes([#"type Query { a: A @listSize(assumedSize: 5) } type A { ints: [Int] }"#]) == ["LIST_SIZE_APPLIED_TO_NON_LIST"])
        #expect(codes([#"type Query { f(s: String): [Int] @listSize(slicingArguments: ["s"]) }"#]) == ["LIST_SIZE_INVALID_SLICING_ARGUMENT"])
        #expect(codes([#"type Query { a: A @listSize(assumedSize: 5, sizedFields: ["nope"]) } type A { ints: [Int] }"#]) == ["LIST_SIZE_INVALID_SIZED_FIELD"])
        // One string for a `[String!]` argument is a list of one (input coercion): checked as one.
        #expect(codes([#"type Query { a(first: Int): A @listSize(slicingArguments: "first", sizedFields: "ints") } type A { ints: [Int] }"#]) == [])
        #expect(codes([#"type Query { a: A @listSize(assumedSize: 5, sizedFields: "nope") } type A { ints: [Int] }"#]) == ["LIST_SIZE_INVALID_SIZED_FIELD"])
        #expect(codes([#"type Query { a(first: Int): A @listSize(slicingArguments: ["first"], sizedFields: ["ints"]) } type A { ints: [Int] }"#]) == [])
        // An interface key resolves every implementation there; an @interfaceObject subgraph
        // defines none of them, and has a key.
        let keyed = #"type Query { i: I } interface I @key(fields: "id") { id: ID! } type A implements I @key(fields: "id") { id: ID! }"#
        #expect(codes([keyed, #"interface I { id: ID! } type C implements I @key(fields: "id") { id: ID! }"#]).contains("INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE"))
        #expect(codes([keyed, #"type I @interfaceObject @key(fields: "id") { id: ID! y: Int } type A @key(fields: "id") { id: ID! z: Int }"#]).contains("INTERFACE_OBJECT_USAGE_ERROR"))
        #expect(codes([keyed, #"type Query { b: I } type I @interfaceObject { id: ID! }"#]).contains("INTERFACE_OBJECT_USAGE_ERROR"))
        // A union @provides through type conditions on members that are entities elsewhere.
        #expect(codes([#"type Query { r: U @provides(fields: "... on A { f }") } type A { f: String @external } union U = A"#,
                       #"type Query { a: A } type A @key(fields: "f") { f: String @shareable }"#]) == [])
    }

    /// Federation 1 subgraphs are read as Apollo's composition upgrades them: a key given as a
    /// list of names, @provides/@requires on interface fields, @provides on a leaf field and
    /// @external on an object type compose (the meaningless directives dropped).
    @Test func federationOneSubgraphsAreUpgradedAsApollosAre() throws {
        #expect(compositionCodes([("a", #"type Query { t: T } type T @key(fields: ["id", "sku"]) { id: ID! sku: String! x: Int }"#),
                                  ("b", #"extend type T @key(fields: "id sku") { id: ID! @external sku: String! @external y: Int }"#)]) == [])
        #expect(compositionCodes([("a", #"type Query { i: I s: String @provides(fields: "x") } interface I { id: ID! u: U @provides(fields: "name") n: Int @requires(fields: "id") } type X implements I @key(fields: "id") { id: ID! u: U n: Int } type U @key(fields: "id") { id: ID! name: String }"#)]) == [])
    }

    /// Roots are merged by operation, not by name: `schema { query: RootQuery }` is `Query`
    /// (its fields beside other subgraphs'); another type named `Query` there is ROOT_QUERY_USED.
    @Test func renamedRootTypesAreTheSupergraphsRoots() throws {
        let supergraph = try Supergraph(sdl: try compose([
            ("a", "\(fed2) schema { query: RootQuery mutation: RootMutation } type RootQuery { a: Int } type RootMutation { m: Int }"),
            ("b", "\(fed2) type Query { b: Int }")]))
        #expect(Set(supergraph.apiSchema.types["Query"]?.fields.keys.map { $0 } ?? []) == ["a", "b"])
        #expect(supergraph.apiSchema.types["Mutation"]?.fields["m"] != nil)
        #expect(supergraph.apiSchema.types["RootQuery"] == nil)
        #expect(compositionCodes([("a", "\(fed2) schema { query: MyQuery } type MyQuery { a: Int } type Query { b: Int }")]) == ["ROOT_QUERY_USED"])
    }

    /// An argument typed `String` in one subgraph and `String!` in another is `String!` (a value
    /// every subgraph takes), list levels too; types that differ otherwise are refused.
    @Test func argumentTypesMergeToTheStricter() throws {
        let entity = "type T @key(fields: \"id\") { id: ID! "
        let supergraph = try Supergraph(sdl: try compose([
            ("a", "\(fed2) type Query { t: T } \(entity) f(x: String, l: [Int]): String @shareable }"),
            ("b", "\(fed2) \(entity) f(x: String!, l: [Int!]): String @shareable }")]))
        let f = try #require(supergraph.apiSchema.types["T"]?.fields["f"])
        #expect(f.arguments["x"]?.type.description == "String!")
        #expect(f.arguments["l"]?.type.description == "[Int!]")
        #expect(compositionCodes([("a", "\(fed2) type Query { t: T } \(entity) f(x: String): String @shareable }"),
                                  ("b", "\(fed2) \(entity) f(x: [String]): String @shareable }")]).contains("FIELD_ARGUMENT_TYPE_MISMATCH"))
    }

    /// Defaults are compared as values, as Apollo compares them: `1` and `1.0`, and the fields of
    /// an input object in any order, are one default (probe 55H: refused as mismatches).
    @Test func equalDefaultsWrittenDifferentlyCompose() throws {
        let input = "input Obj { a: Int b: Int } input In { n: Float = 2 o: Obj = {a: 1, b: 2} }"
        let supergraph = try Supergraph(sdl: try compose([
            ("a", "\(fed2) type Query { f(x: Float = 1, o: Obj = {a: 1, b: 2}, i: In): Int @shareable } \(input)"),
            ("b", "\(fed2) type Query { f(x: Float = 1.0, o: Obj = {b: 2, a: 1}, i: In): Int @shareable } input Obj { a: Int b: Int } input In { n: Float = 2.0 o: Obj = {b: 2, a: 1} }")]))
        let f = try #require(supergraph.apiSchema.types["Query"]?.fields["f"])
        #expect(f.arguments["x"]?.defaultValue.map(Printer.print) == "1")
        #expect(compositionCodes([("a", "\(fed2) type Query { f(x: Float = 1): Int @shareable }"),
                                  ("b", "\(fed2) type Query { f(x: Float = 2): Int @shareable }")]) == ["FIELD_ARGUMENT_DEFAULT_MISMATCH"])
    }

    /// A default that is no value of its type is refused, as Apollo refuses it (probe 55H: served,
    /// and a client's schema builder dropped it).
    @Test func aDefaultThatIsNoValueOfItsTypeIsRefused() throws {
        for (sdl, got) in [("type Query { a(x: Int = \"foo\"): Int }", #""foo""#), ("enum Role { A } type Query { b(r: Role = \"A\"): Int }", #""A""#),
                           ("type Query { c(s: String! = null): Int }", "null"), ("input In { n: Int = 2147483648 } type Query { d(i: In): Int }", "2147483648"),
                           ("type Query { e(s: String = Anonymous): Int }", "Anonymous")] {
            do {
                _ = try compose([("a", "\(fed2) \(sdl)")])
                Issue.record("composed: \(sdl)")
            } catch let e as CompositionErrors {
                #expect(e.errors.map(\.code.rawValue) == ["INVALID_GRAPHQL"] && e.errors[0].message.hasPrefix("Invalid default value (got: \(got))"), "\(e.errors)")
            }
        }
    }

    /// A key with a nested selection (`o { id }`) is not provided by a subgraph whose `o` lacks
    /// `id`: a graph whose `T.x` is reachable only through that key is refused (probe 56F: it
    /// composed, and every query of `T.x` failed to plan); with `id` there it composes.
    @Test func aNestedKeyFieldMustBeHadWholeWhereItIsTaken() {
        let a = "\(fed2) type Query { t: T } type T @key(fields: \"k\", resolvable: false) { k: String! }"
        let c = "\(fed2) type T @key(fields: \"o { id }\") { o: O! @shareable x: String } type O @shareable { id: ID! }"
        let b = "\(fed2) type T @key(fields: \"k\") { k: String! o: O! @shareable } type O @shareable { name: String }"
        #expect(compositionCodes([("a", a), ("b", b), ("c", c)]) == ["SATISFIABILITY_ERROR", "SATISFIABILITY_ERROR"])
        let whole = "\(fed2) type T @key(fields: \"k\") { k: String! o: O! @shareable } type O @shareable { id: ID! name: String }"
        #expect(compositionCodes([("a", a), ("b", whole), ("c", c)]) == [])
    }

    /// A key chain of its own per subgraph, none of which the root's subgraph can provide: refused
    /// at once (probe 55A: each key's provision was found again from every subgraph that shares a
    /// field, to the power of the hops — 40 subgraphs took over 5 minutes).
    @Test(.timeLimit(.minutes(1))) func aMeshOfKeysNoneCanReachIsRefusedAtOnce() throws {
        let n = 40
        var subgraphs = [("s0", "\(fed2) type Query { t: T } type T @key(fields: \"k0\") { k0: ID! }")]
        for i in 1...n {
            subgraphs.append(("s\(i)", "\(fed2) type T @key(fields: \"k\(i)\") { " + (1...n).map { "k\($0): ID! @shareable" }.joined(separator: " ") + " x\(i): Int }"))
        }
        let codes = compositionCodes(subgraphs)
        #expect(!codes.isEmpty && codes.allSatisfy { $0 == "SATISFIABILITY_ERROR" }, "\(codes.count) \(Set(codes))")
    }

    @Test func aSupergraphNamingAGraphItDoesNotDefineIsRefused() throws {
        let sdl = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/guild-federation/supergraph.graphql"), encoding: .utf8)
        #expect(throws: Never.self) { try Supergraph(sdl: sdl) }
        let error = #expect(throws: FederationError.self) {
            try Supergraph(sdl: sdl.replacingOccurrences(of: "@join__type(graph: PRODUCTS, key: \"upc\")", with: "@join__type(graph: PRODUCTZ, key: \"upc\")"))
        }
        #expect(error?.message.contains("PRODUCTZ") == true)
    }

    @Test func interfaceObjectAddsFieldsToEveryImplementation() throws {
        let a = "\(fed2) type Query { media: [Media] } interface Media @key(fields: \"id\") { id: ID! } type Book implements Media @key(fields: \"id\") { id: ID! }"
        let b = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@interfaceObject"])"#
            + " type Media @key(fields: \"id\") @interfaceObject { id: ID! rating: Int }"
        let sdl = try compose([("a", a), ("b", b)])
        #expect(sdl.contains("interface Media\n  @join__type(graph: A, key: \"id\")\n  @join__type(graph: B, key: \"id\", isInterfaceObject: true)"))
        #expect(sdl.contains("  rating: Int @join__field\n"), "Book.rating: resolved through the interface, by no graph on Book")
        let supergraph = try Supergraph(sdl: sdl)
        #expect(supergraph.apiSchema.types["Book"]?.fields["rating"] != nil)
        #expect(supergraph.resolvingGraphs("Media", "rating") == ["B"])
        #expect(supergraph.resolvingGraphs("Book", "rating") == [])
        // An @interfaceObject needs the interface somewhere.
        #expect(compositionCodes([("a", "\(fed2) type Query { x: Int }"), ("b", b)]) == ["INTERFACE_OBJECT_USAGE_ERROR"])
    }

    @Test func composeDirectiveCarriesACustomDirectiveIntoTheSupergraph() throws {
        let head = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@composeDirective"]) @link(url: "https://example.dev/cache/v1.0", import: ["@cacheHint"]) @composeDirective(name: "@cacheHint")"#
        let a = head + " directive @cacheHint(maxAge: Int) on FIELD_DEFINITION | OBJECT type Query { t: T @cacheHint(maxAge: 60) } type T @key(fields: \"id\") @cacheHint(maxAge: 5) { id: ID! }"
        let b = head + " directive @cacheHint(maxAge: Int) on FIELD_DEFINITION | OBJECT type T @key(fields: \"id\") { id: ID! name: String @cacheHint(maxAge: 10) }"
        let sdl = try compose([("a", a), ("b", b)])
        #expect(sdl.contains(#"@link(url: "https://example.dev/cache/v1.0", import: ["@cacheHint"])"#))
        #expect(sdl.contains("directive @cacheHint(maxAge: Int) on FIELD_DEFINITION | OBJECT"))
        #expect(sdl.contains("t: T @join__field(graph: A) @cacheHint(maxAge: 60)"))
        #expect(sdl.contains("type Query\n  @join__type(graph: A)\n  @join__type(graph: B)\n"), "every subgraph has a query type")
        #expect(sdl.contains("name: String @join__field(graph: B) @cacheHint(maxAge: 10)"))
        #expect(sdl.contains("  @cacheHint(maxAge: 5)\n"))
        _ = try Supergraph(sdl: sdl) // still a valid supergraph
        // Two different definitions of one composed directive are refused.
        let c = head + " directive @cacheHint(maxAge: String) on FIELD_DEFINITION type Query { u: Int }"
        #expect(compositionCodes([("a", a), ("c", c)]) == ["DIRECTIVE_DEFINITION_INVALID"])
    }

    @Test func overrideMovesAField() throws {
        let a = "\(fed2) type Query { t: T } type T @key(fields: \"id\") { id: ID! total: Int }"
        let b = "\(fed2) type T @key(fields: \"id\") { id: ID! total: Int @override(from: \"a\") }"
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        #expect(supergraph.resolvingGraphs("T", "total") == ["B"])
    }

    /// What Apollo's composition accepts (issue: composition refused valid graphs), one case each.
    @Test func keyFieldsAndExternalFieldsAreNotSharedResolution() throws {
        // Federation 1 extension and Federation 2 `extend type` with an @external key field.
        let a = "\(fed2) type Query { u: User } type User @key(fields: \"id\") { id: ID! name: String }"
        let b = "\(fed2) extend type User @key(fields: \"id\") { id: ID! @external age: Int }"
        let c = "\(fed2) type User @key(fields: \"email\") { email: String! @external nick: String }"
        let a2 = "\(fed2) type Query { u: User } type User @key(fields: \"id\") @key(fields: \"email\") { id: ID! email: String! name: String }"
        _ = try compose([("a", a), ("b", b)])
        let supergraph = try Supergraph(sdl: try compose([("a", a2), ("c", c)]))
        #expect(supergraph.resolvingGraphs("User", "email") == ["A"])
    }

    @Test func valueTypesAreSharedWithShareable() throws {
        // Federation 2: a value type defined in two subgraphs, even identically, needs @shareable
        // (Apollo's "Value types": "attempting to compose these two subgraph schemas together
        // will break composition").
        let plainA = "\(fed2) type Query { a: Money } type Money { cents: Int! currency: String! }"
        let plainB = "\(fed2) type Query { b: Money } type Money { cents: Int! currency: String! }"
        #expect(compositionCodes([("a", plainA), ("b", plainB)]) == ["INVALID_FIELD_SHARING", "INVALID_FIELD_SHARING"])
        // Shareable on one side only: still refused.
        let a = "\(fed2) type Query { a: Money } type Money @shareable { cents: Int! currency: String! }"
        #expect(compositionCodes([("a", a), ("b", plainB)]).contains("INVALID_FIELD_SHARING"))
        let b = "\(fed2) type Query { b: Money } type Money @shareable { cents: Int! currency: String! }"
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        #expect(Set(supergraph.resolvingGraphs("Money", "cents")) == ["A", "B"])
        // Not the same type: a type mismatch as well.
        let c = "\(fed2) type Query { c: Money } type Money @shareable { cents: Float! currency: String! }"
        #expect(compositionCodes([("a", a), ("c", c)]).contains("FIELD_TYPE_MISMATCH"))
        // Defaults of one argument or input field differ: refused (absent in one: the other's).
        #expect(compositionCodes([("a", "\(fed2) type Query { f(n: Int = 1): Int @shareable }"), ("b", "\(fed2) type Query { f(n: Int = 2): Int @shareable }")])
                == ["FIELD_ARGUMENT_DEFAULT_MISMATCH"])
        #expect(compositionCodes([("a", "\(fed2) type Query { f(i: I): Int } input I { n: Int = 1 }"), ("b", "\(fed2) type Query { g(i: I): Int } input I { n: Int = 3 }")])
                == ["INPUT_FIELD_DEFAULT_MISMATCH"])
        _ = try compose([("a", "\(fed2) type Query { f(n: Int = 1): Int @shareable }"), ("b", "\(fed2) type Query { f(n: Int): Int @shareable }")])
        // A field overriding its own subgraph.
        #expect(compositionCodes([("a", "\(fed2) type Query { t: T } type T @key(fields: \"id\") { id: ID! x: Int @override(from: \"a\") }"),
                                  ("b", "\(fed2) type T @key(fields: \"id\") { id: ID! y: Int }")]) == ["OVERRIDE_FROM_SELF_ERROR"])
        // A subscription field has one home, shareable or not.
        let subA = "\(fed2) type Query { a: Int } type Subscription { ticks: Int @shareable }"
        let subB = "\(fed2) type Query { b: Int } type Subscription { ticks: Int @shareable }"
        #expect(compositionCodes([("a", subA), ("b", subB)]).contains("INVALID_FIELD_SHARING"))
        #expect(compositionCodes([("a", subA), ("b", "\(fed2) type Query { b: Int } type Subscription { other: Int }")]) == ["INVALID_FIELD_SHARING"])
        // A Federation 1 subgraph's own `@override` definition is federation's, and checked as such.
        let fed1Owner = #"type Query { a: A } type A @key(fields: "id") { id: ID! x: Int }"#
        let fed1Override = try compose([("subgraphA", fed1Owner), ("subgraphB", #"type A @key(fields: "id") { id: ID! x: Int @override(from: "subgraphA") } directive @override(from: String!) on FIELD_DEFINITION"#)])
        #expect(fed1Override.contains(#"@join__field(graph: SUBGRAPHB, override: "subgraphA")"#), "\(fed1Override)")
        #expect(compositionCodes([("subgraphA", fed1Owner), ("subgraphB", #"type A @key(fields: "id") { id: ID! x: Int @override } directive @override on FIELD_DEFINITION"#)])
                == ["DIRECTIVE_DEFINITION_INVALID"])
        // Federation 1 value types are shareable as they are.
        let fed1A = "type Query { a: Money } type Money { cents: Int! currency: String! }"
        let fed1B = "type Query { b: Money } type Money { cents: Int! currency: String! }"
        _ = try compose([("a", fed1A), ("b", fed1B)])
    }

    @Test func aValueTypeReachableOnlyThroughShareableRootFields() throws {
        let a = "\(fed2) type Query { p: P @shareable } type P @shareable { id: ID! name: String }"
        let b = "\(fed2) type Query { p: P @shareable } type P @shareable { id: ID! price: Int }"
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        let plan = try QueryPlanner(supergraph: supergraph).plan(try Parser.parse("{ p { name price } }"), operationName: nil)
        #expect(plan.fetchCount == 2, "p from each subgraph, merged: \(plan.text)")
    }

    @Test func aFieldMayReturnAMemberInOneSubgraphAndTheAbstractTypeInAnother() throws {
        let a = "\(fed2) type Query { book: Book @shareable } union Media = Book | Song type Book @key(fields: \"id\") { id: ID! } type Song @key(fields: \"id\") { id: ID! }"
        let b = "\(fed2) type Query { book: Media @shareable } union Media = Book | Movie type Book @key(fields: \"id\") { id: ID! } type Movie @key(fields: \"id\") { id: ID! }"
        let sdl = try compose([("a", a), ("b", b)])
        #expect(sdl.contains("book: Media @join__field(graph: A, type: \"Book\") @join__field(graph: B)"))
        let i = "\(fed2) type Query { n: Node @shareable } interface Node { id: ID! } type Doc implements Node @key(fields: \"id\") { id: ID! }"
        let j = "\(fed2) type Query { n: Doc @shareable } type Doc @key(fields: \"id\") { id: ID! }"
        _ = try compose([("i", i), ("j", j)])
    }

    @Test func inaccessibleEnumValuesDoNotMakeEnumsMismatch() throws {
        let a = "\(fed2) type Query { x(kind: Kind): Int } enum Kind { A B @inaccessible }"
        let b = "\(fed2) type Query { y(kind: Kind): Int } enum Kind { A }"
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        #expect(supergraph.apiSchema.types["Kind"]?.enumValues.keys.elements == ["A"])
    }

    @Test func argumentsAndInputTypesAreIntersected() throws {
        let a = "\(fed2) type Query { s(q: String, limit: Int): [String] @shareable } input F { a: Int b: Int }  type Mutation { m(f: F): Int }"
        let b = "\(fed2) type Query { s(q: String): [String] @shareable } input F { a: Int }"
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        #expect(supergraph.apiSchema.types["Query"]?.fields["s"]?.arguments.keys.elements == ["q"])
        #expect(supergraph.apiSchema.types["F"]?.inputFields.keys.elements == ["a"])
        // A required argument some subgraph lacks is an error.
        let c = "\(fed2) type Query { s(q: String!, extra: Int!): [String] @shareable }"
        #expect(compositionCodes([("b", b), ("c", c)]).contains("REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH"))
    }

    @Test func interfaceMembershipMayDifferPerSubgraph() throws {
        let a = "\(fed2) type Query { items: [Item] } interface Item { id: ID! } type Oven implements Item @key(fields: \"id\") { id: ID! } type Toaster @key(fields: \"id\") { id: ID! }"
        let b = "\(fed2) interface Item { id: ID! } type Toaster implements Item @key(fields: \"id\") { id: ID! watts: Int }"
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        let graph = QueryGraph(supergraph: supergraph)
        #expect(graph.node("Item", "A")?.possibleTypes == ["Oven"])
        #expect(graph.node("Item", "B")?.possibleTypes == ["Toaster"])
    }

    @Test func externalTypesUsedInRequires() throws {
        let a = "\(fed2) type Query { p: P } type P @key(fields: \"id\") { id: ID! size: Size } type Size @shareable { w: Int h: Int }"
        let b = "\(fed2) type P @key(fields: \"id\") { id: ID! size: Size @external area: Int @requires(fields: \"size { w h }\") } type Size @shareable { w: Int h: Int }"
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        let plan = try QueryPlanner(supergraph: supergraph).plan(try Parser.parse("{ p { area } }"), operationName: nil)
        #expect(plan.text.contains("... on P { __typename id size { w h } }"), "\(plan.text)")
    }

    @Test func composedDirectiveDefinitionsMergeTheirDefaults() throws {
        func sub(_ def: String, _ field: String) -> String {
            #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@composeDirective"]) @link(url: "https://example.dev/access/v1.0", import: ["@access"]) @composeDirective(name: "@access")"#
                + " \(def) enum Scope { PUBLIC PRIVATE } type Query { \(field): String }"
        }
        let sdl = try compose([("a", sub("directive @access(scope: Scope!) on FIELD", "a")),
                               ("b", sub("directive @access(scope: Scope! = PUBLIC) on FIELD | FRAGMENT_SPREAD", "b"))])
        #expect(sdl.contains("directive @access(scope: Scope! = PUBLIC) on FIELD\n"))
    }

    @Test func progressiveOverrideKeepsBothSubgraphsUnderTheLabel() throws {
        let a = "\(fed2) type Query { t: T } type T @key(fields: \"id\") { id: ID! total: Int }"
        let b = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])"#
            + " type T @key(fields: \"id\") { id: ID! total: Int @override(from: \"a\", label: \"percent(0)\") }"
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        #expect(QueryGraph(supergraph: supergraph).graphs(resolving: "T", "total") == ["A"], "percent(0): not moved")
        // percent(40): a request that rolled the label on plans with the new subgraph, one that did not with the old.
        let b40 = b.replacingOccurrences(of: "percent(0)", with: "percent(40)")
        let graph = QueryGraph(supergraph: try Supergraph(sdl: try compose([("a", a), ("b", b40)])))
        #expect(graph.overrideLabels == ["percent(40)": 40])
        let planner = QueryPlanner(queryGraph: graph)
        let doc = try Parser.parse("{ t { total } }")
        #expect(try planner.plan(doc, operationName: nil, enabledLabels: ["percent(40)"]).text.contains("service: \"b\""))
        #expect(try !planner.plan(doc, operationName: nil, enabledLabels: []).text.contains("service: \"b\""))
    }

    @Test func federationOneSupergraphsGiveOwnedFieldsToTheirOwner() throws {
        // join v0.1: fields without @join__field belong to the type's @join__owner.
        let sdl = """
            schema @core(feature: "https://specs.apollo.dev/core/v0.1") @core(feature: "https://specs.apollo.dev/join/v0.1") { query: Query }
            directive @core(feature: String!) repeatable on SCHEMA
            directive @join__owner(graph: join__Graph!) on INTERFACE | OBJECT
            directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on INTERFACE | OBJECT
            directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet) on FIELD_DEFINITION
            directive @join__graph(name: String!, url: String!) on ENUM_VALUE
            scalar join__FieldSet
            enum join__Graph { A @join__graph(name: "a", url: "http://a") B @join__graph(name: "b", url: "http://b") }
            type Query { me: User @join__field(graph: A) }
            type User @join__owner(graph: A) @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
              id: ID!
              name: String
              age: Int @join__field(graph: B)
            }
            """
        let supergraph = try Supergraph(sdl: sdl)
        #expect(supergraph.resolvingGraphs("User", "name") == ["A"])
        #expect(supergraph.resolvingGraphs("User", "age") == ["B"])
        let plan = try QueryPlanner(supergraph: supergraph).plan(try Parser.parse("{ me { name age } }"), operationName: nil)
        #expect(plan.fetchCount == 2, "\(plan.text)")
    }

    /// join v0.1 as Apollo's Federation 1 composition writes it (the router's own test supergraph):
    /// every field names its owner in @join__field, yet a graph with a @key of the type returns
    /// the key's fields with its references, and a @provides gives the provided fields there.
    @Test func federationOneSupergraphsKeyAndProvidedFields() throws {
        let sdl = """
            schema @core(feature: "https://specs.apollo.dev/core/v0.1") @core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION) { query: Query }
            directive @core(feature: String!, as: String, for: core__Purpose) repeatable on SCHEMA
            directive @join__owner(graph: join__Graph!) on INTERFACE | OBJECT
            directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on INTERFACE | OBJECT
            directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet) on FIELD_DEFINITION
            directive @join__graph(name: String!, url: String!) on ENUM_VALUE
            scalar join__FieldSet
            enum core__Purpose { EXECUTION SECURITY }
            enum join__Graph { ACCOUNTS @join__graph(name: "accounts", url: "http://a") REVIEWS @join__graph(name: "reviews", url: "http://r") }
            type Query { me: User @join__field(graph: ACCOUNTS) topReviews: [Review] @join__field(graph: REVIEWS) }
            type Review @join__owner(graph: REVIEWS) @join__type(graph: REVIEWS, key: "id") {
              id: ID! @join__field(graph: REVIEWS)
              author: User @join__field(graph: REVIEWS, provides: "username")
            }
            type User @join__owner(graph: ACCOUNTS) @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {
              id: ID! @join__field(graph: ACCOUNTS)
              name: String @join__field(graph: ACCOUNTS)
              username: String @join__field(graph: ACCOUNTS)
              reviews: [Review] @join__field(graph: REVIEWS)
            }
            """
        let supergraph = try Supergraph(sdl: sdl)
        let planner = QueryPlanner(supergraph: supergraph)
        // The author's key comes from reviews, its name from accounts.
        let byKey = try planner.plan(try Parser.parse("{ topReviews { author { name } } }"), operationName: nil)
        #expect(byKey.fetchCount == 2, "\(byKey.text)")
        #expect(byKey.text.contains("author{__typename id}"), "\(byKey.text)")
        // The provided username comes with the review.
        let provided = try planner.plan(try Parser.parse("{ topReviews { author { username } } }"), operationName: nil)
        #expect(provided.fetchCount == 1, "\(provided.text)")
        #expect(supergraph.resolvingGraphs("User", "username") == ["ACCOUNTS"])
        // The core spec's machinery is not the API's.
        #expect(supergraph.apiSchema.types["core__Purpose"] == nil)
    }

    /// A feature linked for SECURITY or EXECUTION that the gateway does not implement refuses the
    /// supergraph (its fields would be served unprotected, or wrongly); supported ones load.
    @Test func unsupportedSecurityOrExecutionFeaturesRefuseTheSupergraph() throws {
        let base = try compose([("a", "\(fed2) type Query { a: Int }")])
        func with(_ link: String) -> String { base.replacingOccurrences(of: "schema\n", with: "schema\n  \(link)\n") }
        // A feature is known by its whole identity and a version the gateway has: a spec of the
        // same name elsewhere, or a version past the known ones, is not the one implemented.
        for link in ["@link(url: \"https://specs.apollo.dev/something-unsupported/v0.1\", for: SECURITY)",
                     "@link(url: \"https://specs.apollo.dev/connect/v0.1\", for: EXECUTION)",
                     "@link(url: \"https://auth.example.com/policy/v1.0\", for: SECURITY)",
                     "@link(url: \"https://example.com/join/v0.3\", for: EXECUTION)",
                     "@link(url: \"https://specs.apollo.dev/authenticated/v9.0\", for: SECURITY)",
                     "@link(url: \"https://specs.apollo.dev/inaccessible/v0.9\", for: SECURITY)",
                     "@join__directive(graphs: [A], name: \"link\", args: {url: \"https://specs.apollo.dev/connect/v0.1\", import: [\"@connect\"]})"] {
            #expect(throws: FederationError.self, "\(link)") { try Supergraph(sdl: with(link)) }
        }
        // Two graphs of one name, and a graph given as a string: refused, not served wrongly.
        #expect(throws: FederationError.self) {
            try Supergraph(sdl: base.replacingOccurrences(of: "enum join__Graph {\n", with: "enum join__Graph {\n  B @join__graph(name: \"a\", url: \"http://b\")\n"))
        }
        #expect(throws: FederationError.self) {
            try Supergraph(sdl: base.replacingOccurrences(of: "@join__type(graph: A)", with: "@join__type(graph: \"A\")"))
        }
        // A @requires of the field itself, or of a field its type lacks: refused at load.
        let head = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@external", "@requires"])"#
        let requiring = try compose([("a", head + #" type Query { t: T } type T @key(fields: "id") { id: ID! y: Int }"#),
                                     ("b", head + #" type T @key(fields: "id") { id: ID! y: Int @external x: Int @requires(fields: "y") }"#)])
        _ = try Supergraph(sdl: requiring)
        for wrong in [#"requires: "x""#, #"requires: "nosuch""#] {
            #expect(throws: FederationError.self, "\(wrong)") { try Supergraph(sdl: requiring.replacingOccurrences(of: #"requires: "y""#, with: wrong)) }
        }
        for link in ["@link(url: \"https://specs.apollo.dev/policy/v0.1\", for: SECURITY)",
                     "@link(url: \"https://specs.apollo.dev/requiresScopes/v0.1\", for: SECURITY)",
                     "@link(url: \"https://example.com/docs/v1.0\")"] {
            _ = try Supergraph(sdl: with(link))
        }
    }

    /// Graphs Apollo's composition accepts that were refused: an enum used only as input takes
    /// the values every subgraph has; a field or a key a `@provides` gives is reachable where
    /// provided; a chain of keys across five subgraphs.
    @Test func inputOnlyEnumsProvidedKeysAndLongKeyChainsCompose() throws {
        let a = "\(fed2) type Query { f(e: E!): Int } enum E { V1 }"
        let b = "\(fed2) type Query { g: Int } enum E { V1 V2 }"
        let merged = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        #expect(merged.apiSchema.types["E"]?.enumValues.keys.elements == ["V1"])
        #expect(compositionCodes([("a", "\(fed2) type Query { f(e: E!): Int } enum E { V1 }"), ("b", "\(fed2) type Query { g: Int } enum E { V2 }")])
                == ["EMPTY_MERGED_ENUM_TYPE"])
        // Used as output too: every value everywhere, as before.
        #expect(compositionCodes([("a", "\(fed2) type Query { f(e: E!): E } enum E { V1 }"), ("b", "\(fed2) type Query { g: E } enum E { V1 V2 }")])
                .contains("ENUM_VALUE_MISMATCH"))
        // A provided field, and a provided field that is another subgraph's key.
        _ = try compose([("a", "\(fed2) type Query { t: T @provides(fields: \"x\") } type T @key(fields: \"id\") { id: ID! x: Int @external }"),
                         ("b", "\(fed2) type Query { other: Int } type T @key(fields: \"id\", resolvable: false) { id: ID! x: Int @shareable }")])
        let viaKey = try Supergraph(sdl: try compose([
            ("a", "\(fed2) type Query { t: T @provides(fields: \"k2\") } type T @key(fields: \"k1\") { k1: ID k2: ID @external }"),
            ("b", "\(fed2) type T @key(fields: \"k2\") { k2: ID v: Int }")]))
        let plan = try QueryPlanner(supergraph: viaKey).plan(try Parser.parse("{ t { v } }"), operationName: nil)
        #expect(plan.fetchCount == 2, "\(plan.text)")
        // T.v four key hops away.
        let chain = [("a", "type Query { t: T } type T @key(fields: \"k1\") { k1: ID }"),
                     ("b", "type T @key(fields: \"k1\") { k1: ID k2: ID @shareable }"),
                     ("c", "type T @key(fields: \"k2\") { k2: ID k3: ID @shareable }"),
                     ("d", "type T @key(fields: \"k3\") { k3: ID k4: ID @shareable }"),
                     ("e", "type T @key(fields: \"k4\") { k4: ID v: Int }")].map { ($0.0, "\(fed2) " + $0.1) }
        let long = try QueryPlanner(supergraph: try Supergraph(sdl: try compose(chain))).plan(try Parser.parse("{ t { v } }"), operationName: nil)
        #expect(long.fetchCount == 5, "\(long.text)")
    }

    /// Where subgraphs say different things of one element, the supergraph says what Apollo's
    /// composition does (its compose and hints tests): the description and `@deprecated` reason
    /// most subgraphs give (an empty description last), no default where some subgraph has
    /// none, input fields of the stricter type, the highest `@cost`, the schema's description,
    /// and the executable directives every subgraph defines (their shared locations/arguments).
    @Test func whereSubgraphsDisagreeTheSupergraphTakesWhatApolloDoes() throws {
        let sdl = { (schemaDoc: String, body: String) in "\(schemaDoc)\n\(fed2)\n\(body)" }
        let a = sdl(#""A cool schema" schema { query: Query }"#, #"""
            type Query { t(n: Int = 1, m: Int = 2): T @shareable @federation__cost(weight: 5) e: E }
            "" type T @shareable { "first" f: Int @deprecated(reason: "because") }
            input I { x: Int y: Int = 3 z: [Int] }
            enum E { "one" A B }
            "Repeats." directive @repeat(times: Int, sep: String) repeatable on FIELD | QUERY
            directive @only on FIELD
            directive @mask(by: String!) on FIELD
            directive @trace(tag: String = "x") on FIELD
            type Mutation { m(i: I): Int }
            """#)
        let b = sdl("", #"""
            type Query { t(n: Int = 1, m: Int): T @shareable @federation__cost(weight: 10) }
            "Type T" type T @shareable { "second" f: Int @deprecated(reason: "Replaced by field 'b'") }
            input I { x: Int! y: Int z: [Int!] }
            enum E { "uno" A B }
            directive @repeat(times: Int) on FIELD
            directive @mask(by: String) on FIELD
            directive @trace(tag: String) on FIELD
            """#)
        let c = sdl("", #"""
            type Query { u: T }
            "Type T" type T @shareable { "second" f: Int @deprecated(reason: "Replaced by field 'b'") }
            enum E { "uno" A B }
            directive @repeat(times: Int) on FIELD | QUERY
            directive @mask(by: String) on FIELD
            directive @trace(tag: String) on FIELD
            """#)
        let composed = try compose([("a", a), ("b", b), ("c", c)])
        let api = try Supergraph(sdl: composed).apiSchema
        #expect(api.description == "A cool schema")
        let t = try #require(api.types["T"])
        #expect(t.description == "Type T")
        #expect(t.fields["f"]?.description == "second" && t.fields["f"]?.deprecationReason == "Replaced by field 'b'")
        #expect(api.types["E"]?.enumValues["A"]?.description == "uno")
        let q = try #require(api.types["Query"]?.fields["t"])
        #expect(q.arguments["n"]?.defaultValue != nil && q.arguments["m"]?.defaultValue == nil)
        let i = try #require(api.types["I"])
        #expect(i.inputFields["x"]?.type.description == "Int!" && i.inputFields["z"]?.type.description == "[Int!]")
        #expect(i.inputFields["y"]?.defaultValue == nil)
        #expect(composed.contains("@cost(weight: 10)") && !composed.contains("@cost(weight: 5)"))
        let repeated = try #require(api.directives["repeat"])
        #expect(repeated.arguments.keys.elements == ["times"] && repeated.locations.map(\.rawValue) == ["FIELD"] && !repeated.isRepeatable)
        #expect(api.directives["only"] == nil)
        // Arguments of compatible types take the stricter one; a default some subgraph lacks is dropped.
        #expect(api.directives["mask"]?.arguments["by"]?.type.description == "String!")
        let trace = try #require(api.directives["trace"])
        #expect(trace.arguments["tag"]?.type.description == "String" && trace.arguments["tag"]?.defaultValue == nil)
        // Input fields of different named types are refused.
        #expect(compositionCodes([("a", "\(fed2) type Query { a(i: I): Int } input I { x: Int }"),
                                  ("b", "\(fed2) type Query { b(i: I): Int } input I { x: String }")]).contains("FIELD_TYPE_MISMATCH"))
    }

    /// A subgraph may link the cost spec itself (`https://specs.apollo.dev/cost/v0.1`); a
    /// Federation 1 subgraph's own `@authenticated(scope:)` is its own directive, not federation's.
    @Test func linkedSpecsAndFederationOneDirectives() throws {
        let cost = #"""
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
              @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@cost", {name: "@listSize", as: "@size"}])
            type Query { f: Int @cost(weight: 5) l: [Int] @size(assumedSize: 7) }
            """#
        let composed = try compose([("a", cost)])
        #expect(composed.contains("@cost(weight: 5)"))
        #expect(composed.contains("@listSize(assumedSize: 7)"))
        let fed1 = #"""
            directive @authenticated(scope: String) on FIELD_DEFINITION
            type Query { me: String @authenticated(scope: "read") }
            """#
        let own = try compose([("a", fed1)])
        #expect(!own.contains("@authenticated(scope"), "\(own)")
        let me = try #require(try Supergraph(sdl: own).apiSchema.types["Query"]?.fields["me"])
        #expect(!me.directives.contains { $0.name.value == "authenticated" })
    }

    /// What makes the merged API schema invalid, and @external definitions that do not fit the
    /// field, get the codes Apollo's composition gives them.
    @Test func invalidMergedSchemasAndExternalsHaveApollosCodes() throws {
        func codes(_ graphs: [String]) -> [String] { Set(compositionCodes(graphs.enumerated().map { ("s\($0.offset)", fed2 + "\n" + $0.element) })).sorted() }
        #expect(codes([#"type Query { i: [I!] } interface I { a: Int } type A implements I { a: Int b: Int }"#,
                       #"interface I { b: Int } type B implements I { b: Int }"#]) == ["INTERFACE_FIELD_NO_IMPLEM"])
        #expect(codes([#"type Query { i: I } interface I { x: Int } type A implements I { x: Int @inaccessible y: Int }"#]) == ["IMPLEMENTED_BY_INACCESSIBLE"])
        #expect(codes([#"type Query { o: O } type O { a: Int @inaccessible }"#]) == ["ONLY_INACCESSIBLE_CHILDREN"])
        #expect(codes([#"type Query @inaccessible { a: Int }"#]) == ["QUERY_ROOT_TYPE_INACCESSIBLE"])
        #expect(codes([#"type Query { t: T! @provides(fields: "f") } type T @key(fields: "id") { id: ID! f: String @external }"#,
                       #"type T @key(fields: "id") { id: ID! f: Int @shareable }"#]) == ["EXTERNAL_TYPE_MISMATCH"])
        #expect(codes([#"type Query { t: T! } type T @key(fields: "id") { id: ID! f: String @external g: Int @requires(fields: "f") }"#,
                       #"type T @key(fields: "id") { id: ID! f: Int }"#]) == ["EXTERNAL_TYPE_MISMATCH"])
        // The field's type is its resolving subgraphs' (an @external nullable one does not make it nullable).
        let sdl = try compose([("a", fed2 + #"type Query { t: T! } type T @key(fields: "id") { id: ID! f: String @external g: Int @requires(fields: "f") }"#),
                               ("b", fed2 + #"type T @key(fields: "id") { id: ID! f: String! }"#)])
        #expect(try Supergraph(sdl: sdl).apiSchema.types["T"]?.fields["f"]?.type.description == "String!")
        // Merged directives on @external fields; what the API schema hides a client cannot be asked for.
        #expect(codes([#"type Query { u: [U] } type U @key(fields: "id") { id: ID! b: Int! @external @inaccessible age: Int! @requires(fields: "b") }"#,
                       #"type U @key(fields: "id") { id: ID! b: Int! }"#]) == ["MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL"])
        #expect(codes([#"type Query { f(a: Int! @inaccessible): Int }"#]) == ["REQUIRED_INACCESSIBLE"])
        #expect(codes([#"type Query { f(a: In): Int } input In { x: Int! @inaccessible y: Int }"#]) == ["REQUIRED_INACCESSIBLE"])
        #expect(codes([#"type Query { f(a: Int! = 1 @inaccessible): Int g(a: Int! @inaccessible): Int @inaccessible }"#]) == [])
        #expect(codes([#"type Query { f(e: E = B): Int } enum E { A B @inaccessible }"#]) == ["DEFAULT_VALUE_USES_INACCESSIBLE"])
        // An input object's field, and an enum value another subgraph hides (probe 53A: served,
        // the first default was cut to `{name: "x"}`, the second showed the hidden name).
        #expect(codes([#"type Query { f(i: In = {name: "x", hidden: "y"}): Int } input In { name: String hidden: String @inaccessible }"#]) == ["DEFAULT_VALUE_USES_INACCESSIBLE"])
        #expect(codes([#"type Query { f(e: [E!] = [A, B]): Int } enum E { A B }"#, #"type Query { g: E } enum E { A B @inaccessible }"#]) == ["DEFAULT_VALUE_USES_INACCESSIBLE"])
        #expect(compositionCodes([("_", fed2 + "type Query { a: Int }")]) == ["INVALID_SUBGRAPH_NAME"])
        let renamed = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: [{name: "@tag", as: "@apolloTag"}])"#
        #expect(compositionCodes([("a", renamed + " type Query { q1: Int @apolloTag(name: \"t\") }"),
                                  ("b", #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: ["@tag"]) type Query { q2: Int @tag(name: "t") }"#)])
                == ["LINK_IMPORT_NAME_MISMATCH"])
    }

    /// The federation `@link`: a feature url with a known version, linked once, importing what
    /// the spec defines; a subgraph's own definition of a federation directive must fit it.
    @Test func theFederationLinkAndDirectiveDefinitionsAreChecked() throws {
        func link(_ version: String, _ imports: String) -> String {
            #"extend schema @link(url: "https://specs.apollo.dev/federation/\#(version)", import: [\#(imports)])"#
        }
        let body = #"type Query { t: T } type T @key(fields: "id") { id: ID! }"#
        func codes(_ head: String, _ rest: String = "") -> [String] { compositionCodes([("s", head + "\n" + body + "\n" + rest)]) }
        #expect(codes(link("v2.99", #""@key""#)) == ["UNKNOWN_FEDERATION_LINK_VERSION"])
        #expect(codes(link("v2.9", #""@key""#) + #" @link(url: "not-a-url")"#) == ["INVALID_LINK_IDENTIFIER"])
        #expect(codes(link("v2.9", #""@key", "@nope""#)) == ["INVALID_LINK_DIRECTIVE_USAGE"])
        #expect(codes(link("v2.9", #""@key""#) + " " + link("v2.5", #""@shareable""#).replacing("extend schema ", with: "")) == ["INVALID_LINK_DIRECTIVE_USAGE"])
        // An element of a later version than the one linked is unknown to that version, as
        // @override(label:) is before v2.7 and @key on an interface before v2.3.
        for (version, element) in [("v2.2", "@interfaceObject"), ("v2.5", "@policy"), ("v2.5", "@listSize"), ("v2.0", "@composeDirective"), ("v2.7", "@context")] {
            #expect(codes(link(version, #""@key", "\#(element)""#)) == ["INVALID_LINK_DIRECTIVE_USAGE"], "\(element) from \(version)")
        }
        for (version, element) in [("v2.3", "@interfaceObject"), ("v2.6", "@policy"), ("v2.9", "@listSize"), ("v2.1", "@composeDirective"), ("v2.12", "@context")] {
            #expect(codes(link(version, #""@key", "\#(element)""#)) == [], "\(element) from \(version)")
        }
        let labelled = #"type U @key(fields: "id") { id: ID! a: Int @override(from: "t", label: "percent(50)") } extend type T { u: U }"#
        #expect(codes(link("v2.6", #""@key", "@override""#), labelled) == ["INVALID_GRAPHQL"])
        #expect(compositionCodes([("s", link("v2.7", #""@key", "@override""#) + "\n" + body + "\n" + labelled),
                                  ("t", link("v2.7", #""@key""#) + #"\#ntype U @key(fields: "id") { id: ID! a: Int }"#)]) == [])
        #expect(codes(link("v2.2", #""@key""#), #"extend type T { i: I } interface I @key(fields: "id") { id: ID! }"#) == ["KEY_UNSUPPORTED_ON_INTERFACE"])
        // Definitions: locations, repetition, arguments and their types as the spec has them.
        let v20 = link("v2.0", #""@key""#)
        #expect(codes(v20, "directive @federation__external(reason: String) on OBJECT | FIELD_DEFINITION | SCHEMA") == ["DIRECTIVE_DEFINITION_INVALID"])
        #expect(codes(v20, "directive @federation__external repeatable on OBJECT | FIELD_DEFINITION") == ["DIRECTIVE_DEFINITION_INVALID"])
        #expect(codes(v20, "directive @federation__external(foo: Int) on OBJECT | FIELD_DEFINITION") == ["DIRECTIVE_DEFINITION_INVALID"])
        #expect(codes(v20, "directive @key(fields: String! resolvable: String) repeatable on OBJECT | INTERFACE") == ["DIRECTIVE_DEFINITION_INVALID"])
        #expect(codes(v20, "directive @key(fields: federation__FieldSet resolvable: Boolean = true) repeatable on OBJECT | INTERFACE scalar federation__FieldSet") == ["DIRECTIVE_DEFINITION_INVALID"])
        #expect(codes(v20, "directive @key(fields: String! resolvable: Boolean = true) repeatable on OBJECT | INTERFACE") == [])
        #expect(codes(v20, "directive @key(fields: federation__FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE scalar federation__FieldSet") == [])
        #expect(codes(v20, "directive @federation__external on FIELD_DEFINITION") == [])
        // Federation 1: locations and repetition vary between libraries, arguments do not.
        let fed1 = #"type Query { a: T } type T @key(fields: "id") { id: ID! } scalar _FieldSet "#
        #expect(compositionCodes([("s", fed1 + "directive @key(fields: _FieldSet!, unknown: Int) on OBJECT | INTERFACE")]) == ["DIRECTIVE_DEFINITION_INVALID"])
        #expect(compositionCodes([("s", fed1 + "directive @key(fields: _FieldSet!) on OBJECT directive @external(reason: String) on FIELD_DEFINITION | OBJECT")]) == [])
        // @shareable once per declaration; an interface's key on every implementation, resolvable.
        let v25 = link("v2.5", #""@key", "@shareable""#)
        #expect(codes(v25, #"type E @shareable @shareable { a: Int } extend type T { e: E }"#) == ["INVALID_SHAREABLE_USAGE"])
        #expect(codes(v25, #"type E @shareable { a: Int @shareable @shareable } extend type T { e: E }"#) == ["INVALID_SHAREABLE_USAGE"])
        #expect(codes(v25, #"type E @shareable { a: Int } extend type E @shareable { b: Int } extend type T { e: E }"#) == [])
        let iface = #"extend type T { i: I } interface I @key(fields: "a b") { a: Int b: Int }"#
        #expect(codes(v25, iface + #" type A implements I @key(fields: "b a") { a: Int b: Int }"#) == [])
        #expect(codes(v25, iface + #" type A implements I @key(fields: "a") { a: Int b: Int }"#) == ["INTERFACE_KEY_NOT_ON_IMPLEMENTATION"])
        #expect(codes(v25, iface + #" type A implements I @key(fields: "a b", resolvable: false) { a: Int b: Int }"#) == ["INTERFACE_KEY_NOT_ON_IMPLEMENTATION"])
        // @fromContext: one field, unaliased, of every type setting the context, of a fitting type.
        let v28 = link("v2.8", #""@key", "@context", "@fromContext""#)
        func context(_ selection: String, setter: String = #"type C @key(fields: "id") @context(name: "ctx") { id: ID! u: U! prop: String! opt: String }"#,
                     key: String = #"@key(fields: "id")"#) -> [String] {
            codes(v28, #"extend type T { c: C } \#(setter) type U \#(key) { id: ID! f(a: String! @fromContext(field: "\#(selection)")): Int! }"#)
        }
        #expect(context("$ctx { prop }") == [])
        #expect(context("$ctx ... on C { prop }") == [])
        #expect(context("$ctx { nope }") == ["CONTEXT_INVALID_SELECTION"])
        #expect(context("$ctx { opt }") == ["CONTEXT_INVALID_SELECTION"])
        #expect(context("$ctx { id prop }") == ["CONTEXT_INVALID_SELECTION"])
        #expect(context("$ctx { p: prop }") == ["CONTEXT_INVALID_SELECTION"])
        #expect(context("$ctx ... on U { id }") == ["CONTEXT_INVALID_SELECTION"])
        #expect(context("$ctx { prop }", key: #"@key(fields: "id", resolvable: false)"#) == ["CONTEXT_NO_RESOLVABLE_KEY"])
        #expect(context("$my_ctx { prop }", setter: #"type C @key(fields: "id") @context(name: "my_ctx") { id: ID! prop: String! }"#) == ["CONTEXT_NAME_INVALID"])
        #expect(context("$ctx { prop }", setter: #"union C @context(name: "ctx") = C1 | C2 type C1 @key(fields: "id") { id: ID! prop: String! } type C2 @key(fields: "id") { id: ID! prop: String! }"#) == [])
        // No `$context`; on a directive definition, an interface field, with a default; from an @interfaceObject.
        #expect(context("{ prop }") == ["NO_CONTEXT_REFERENCED"])
        #expect(codes(v28, #"extend type T { c: C } type C @key(fields: "id") @context(name: "ctx") { id: ID! prop: String! } directive @d(a: String! @fromContext(field: "$ctx { prop }")) on FIELD_DEFINITION"#).contains("CONTEXT_NOT_SET"))
        #expect(codes(v28, #"extend type T { c: C } type C @key(fields: "id") @context(name: "ctx") { id: ID! prop: String! } type U @key(fields: "id") { id: ID! f(a: String! = "x" @fromContext(field: "$ctx { prop }")): Int! }"#) == ["CONTEXT_NOT_SET"])
        #expect(codes(v28, #"extend type T { c: C } type C @key(fields: "id") @context(name: "ctx") { id: ID! prop: String! } interface I { f(a: String! @fromContext(field: "$ctx { prop }")): Int! }"#) == ["CONTEXT_NOT_SET"])
        let v28o = link("v2.8", #""@key", "@context", "@fromContext", "@interfaceObject""#)
        #expect(codes(v28o, #"extend type T { c: C } type C @interfaceObject @key(fields: "id") @context(name: "ctx") { id: ID! prop: String! } type U @key(fields: "id") { id: ID! f(a: String! @fromContext(field: "$ctx { prop }")): Int! }"#) == ["CONTEXT_INVALID_SELECTION"])
    }

    /// Apollo's `@composeDirective` rules (its composeDirective tests, case by case).
    @Test func composedDirectivesFollowApollosRules() throws {
        let fed = #"@link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@composeDirective", "@shareable", "@inaccessible", "@tag"])"#
        func sg(_ name: String, _ links: String, _ compose: String?, _ defs: String, _ use: String = "") -> (String, String) {
            (name, "extend schema \(fed) \(links) \(compose.map { "@composeDirective(name: \($0))" } ?? "")\n\(defs)\ntype Query { \(name): User }\ntype User @key(fields: \"id\") { id: Int \(name): String \(use) }")
        }
        let foo = "directive @foo(name: String!) on FIELD_DEFINITION"
        let fooV1 = #"@link(url: "https://specs.apollo.dev/foo/v1.0", import: ["@foo"])"#
        let plain = sg("b", "", nil, "")
        // Composed: the directive reaches the supergraph (and its API schema).
        let supergraph = try compose([sg("a", fooV1, #""@foo""#, foo, #"@foo(name: "a")"#), plain])
        #expect(supergraph.contains(#"@foo(name: "a")"#))
        #expect(compositionCodes([sg("a", #"@link(url: "https://specs.apollo.dev/foo/v1.0", import: ["@foo"])"#, #""@foo""#, foo, #"@foo(name: "a")"#),
                                  sg("b", #"@link(url: "https://specs.apollo.dev/foo/v1.4", import: ["@foo"])"#, #""@foo""#, "directive @foo(name: String!, address: String) on FIELD_DEFINITION | OBJECT", #"@foo(name: "b")"#)]) == [])
        // The argument: present, not empty, with its "@", naming a directive defined here.
        for bad in ["\"\"", "null", "\"foo\"", "\"@fooz\""] {
            #expect(compositionCodes([sg("a", fooV1, bad, foo), plain]) == ["DIRECTIVE_COMPOSITION_ERROR"], "\(bad)")
        }
        #expect(compositionCodes([("a", "extend schema \(fed) @composeDirective\ntype Query { a: Int }"), plain]) == ["DIRECTIVE_COMPOSITION_ERROR"])
        // Federation's own: an error, except those composed anyway.
        #expect(compositionCodes([sg("a", "", #""@key""#, ""), plain]) == ["DIRECTIVE_COMPOSITION_ERROR"])
        #expect(compositionCodes([sg("a", "", #""@shareable""#, ""), plain]) == ["DIRECTIVE_COMPOSITION_ERROR"])
        #expect(compositionCodes([sg("a", "", #""@tag""#, ""), plain]) == [])
        // From a linked feature, the same one and the same directive everywhere, by one name.
        #expect(compositionCodes([sg("a", "", #""@foo""#, foo), plain]) == ["DIRECTIVE_COMPOSITION_ERROR"])
        #expect(compositionCodes([sg("a", fooV1, #""@foo""#, foo),
                                  sg("b", #"@link(url: "https://specs.apollo.dev/bar/v1.0", import: ["@foo"])"#, #""@foo""#, foo)]) == ["DIRECTIVE_COMPOSITION_ERROR"])
        #expect(compositionCodes([sg("a", #"@link(url: "https://specs.apollo.dev/foo/v1.0", import: ["@baz"])"#, #""@baz""#, "directive @baz on FIELD_DEFINITION"),
                                  sg("b", #"@link(url: "https://specs.apollo.dev/foo/v1.0", import: [{ name: "@bar", as: "@baz" }])"#, #""@baz""#, "directive @baz on FIELD_DEFINITION")]) == ["DIRECTIVE_COMPOSITION_ERROR"])
        #expect(compositionCodes([sg("a", fooV1, #""@foo""#, foo),
                                  sg("b", #"@link(url: "https://specs.apollo.dev/foo/v1.0", import: [{ name: "@foo", as: "@bar" }])"#, #""@bar""#, "directive @bar(name: String!) on FIELD_DEFINITION")]) == ["DIRECTIVE_COMPOSITION_ERROR"])
        // One major version; the newest linked version defines every directive composed from it.
        #expect(compositionCodes([sg("a", fooV1, #""@foo""#, foo),
                                  sg("b", #"@link(url: "https://specs.apollo.dev/foo/v2.0", import: ["@foo"])"#, #""@foo""#, foo)]) == ["DIRECTIVE_COMPOSITION_ERROR"])
        #expect(compositionCodes([sg("a", fooV1, nil, foo), sg("b", #"@link(url: "https://specs.apollo.dev/foo/v2.0", import: ["@foo"])"#, nil, foo)]) == [])
        #expect(compositionCodes([sg("a", #"@link(url: "https://specs.apollo.dev/foo/v1.1", import: ["@foo"])"#, #""@foo""#, foo),
                                  sg("b", #"@link(url: "https://specs.apollo.dev/foo/v1.0", import: ["@bar"])"#, #""@bar""#, "directive @bar(name: String!) on FIELD_DEFINITION")]) == ["DIRECTIVE_COMPOSITION_ERROR"])
        // Each directive of a feature is defined by a subgraph at the newest version composing
        // from it (here both link v1.0: A defines @foo, B @bar); the supergraph links the
        // feature once, at that version, with every directive composed from it.
        let bar = "directive @bar(name: String!, address: String) on FIELD_DEFINITION | OBJECT"
        let split = try compose([sg("a", fooV1, #""@foo""#, foo),
                                 sg("b", #"@link(url: "https://specs.apollo.dev/foo/v1.0", import: ["@bar"])"#, #""@bar""#, bar)])
        #expect(split.contains(#"@link(url: "https://specs.apollo.dev/foo/v1.0", import: ["@foo", "@bar"])"#), "\(split)")
        #expect(split.contains(bar), "\(split)")
        let versions = try compose([sg("a", fooV1, #""@foo""#, foo),
                                    sg("b", #"@link(url: "https://specs.apollo.dev/foo/v1.1", import: ["@bar"])"#, #""@bar""#, foo + "\n" + bar)])
        #expect(versions.components(separatedBy: "https://specs.apollo.dev/foo/").count == 2, "\(versions)")
        #expect(versions.contains(#"@link(url: "https://specs.apollo.dev/foo/v1.1", import: ["@foo", "@bar"])"#), "\(versions)")
        // The join and link specs' own names are not a subgraph's to compose.
        #expect(compositionCodes([sg("a", #"@link(url: "https://specs.apollo.dev/join/v0.3", import: ["@join__field"])"#, #""@join__field""#,
                                     "directive @join__field on FIELD_DEFINITION"), plain]) == ["DIRECTIVE_COMPOSITION_ERROR"])
        // Not under the name of a federation directive another subgraph uses.
        #expect(compositionCodes([("a", #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.1", import: ["@key", "@composeDirective"]) @link(url: "https://specs.apollo.dev/foo/v1.0", import: [{ name: "@foo", as: "@inaccessible" }]) @composeDirective(name: "@inaccessible") directive @inaccessible(name: String!) on FIELD_DEFINITION type Query { a: Int }"#),
                                  ("b", #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.1", import: ["@key", "@inaccessible"]) type Query { b: Int @inaccessible c: Int }"#)]).contains("DIRECTIVE_COMPOSITION_ERROR"))
    }

    /// @shareable on a type covers the fields of that definition only; an @interfaceObject's
    /// field resolves it for every implementation, so both sides must be shareable.
    @Test func shareabilityCountsDefinitionsAndInterfaceObjects() throws {
        #expect(compositionCodes([("a", "\(fed2) type Query { e: E } type E @shareable { id: ID! a: Int } extend type E { b: Int }"),
                                  ("b", "\(fed2) type E @shareable { id: ID! a: Int b: Int }")]) == ["INVALID_FIELD_SHARING"])
        #expect(compositionCodes([("a", "\(fed2) type Query { e: E } type E @shareable { id: ID! a: Int } extend type E @shareable { b: Int }"),
                                  ("b", "\(fed2) type E @shareable { id: ID! a: Int b: Int }")]) == [])
        let io = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@interfaceObject", "@shareable"])"#
        for (concrete, abstracted, ok) in [("", "", false), ("@shareable", "", false), ("", "@shareable", false), ("@shareable", "@shareable", true)] {
            let codes = compositionCodes([("a", #"\#(io) type Query { iFromA: I } type I @interfaceObject @key(fields: "id") { id: ID! x: Int \#(abstracted) }"#),
                                          ("b", #"\#(io) type Query { iFromB: I } interface I @key(fields: "id") { id: ID! x: Int } type A implements I @key(fields: "id") { id: ID! x: Int \#(concrete) }"#)])
            #expect(codes == (ok ? [] : ["INVALID_FIELD_SHARING"]), "\(concrete) / \(abstracted)")
        }
        let two = #"type I1 @interfaceObject @key(fields: "id") { id: ID! x: Int @shareable } type I2 @interfaceObject @key(fields: "id") { id: ID! x: Int }"#
        #expect(compositionCodes([("a", #"\#(io) type Query { i1FromA: I1 i2FromA: I2 } \#(two)"#),
                                  ("b", #"\#(io) type Query { i1FromB: I1 i2FromB: I2 } interface I1 @key(fields: "id") { id: ID! } interface I2 @key(fields: "id") { id: ID! } type A implements I1 & I2 @key(fields: "id") { id: ID! }"#)]) == ["INVALID_FIELD_SHARING"])
    }

    /// Built-in scalars cannot be hidden; @provides on an interface's leaf field names the leaf;
    /// an argument contextual in one subgraph may not be required in another.
    @Test func builtinsInterfaceProvidesAndContextualArgumentsHaveApollosCodes() throws {
        #expect(compositionCodes([("s", "\(fed2) type Query { someField: String other: Int } extend scalar String @inaccessible")]) == ["DISALLOWED_INACCESSIBLE"])
        // Authorization on interfaces, their fields and @interfaceObject types: refused from v2.9 on.
        let auth = { (v: String) in #"extend schema @link(url: "https://specs.apollo.dev/federation/\#(v)", import: ["@key", "@authenticated", "@interfaceObject"])"# }
        let onInterface = #"type Query { i: I } interface I { x: Int @authenticated } type T implements I { x: Int }"#
        #expect(compositionCodes([("s", auth("v2.9") + "\n" + onInterface)]) == ["AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE"])
        #expect(compositionCodes([("s", auth("v2.8") + "\n" + onInterface)]) == [])
        #expect(compositionCodes([("s1", auth("v2.9") + "\n" + #"type Query { i: I } type I @interfaceObject @key(fields: "id") { id: ID! secret: String @authenticated }"#),
                                  ("s2", auth("v2.9") + "\n" + #"interface I @key(fields: "id") { id: ID! } type T implements I @key(fields: "id") { id: ID! }"#)]) == [])
        // The link spec's types as the spec has them.
        #expect(compositionCodes([("s", "\(fed2) type Query { a: Int } enum link__Purpose { EXECUTION RANDOM }")]) == ["TYPE_DEFINITION_INVALID"])
        #expect(compositionCodes([("s", "\(fed2) type Query { a: Int } enum link__Purpose { SECURITY EXECUTION }")]) == [])
        // An implementation's field may add arguments, none of them required.
        #expect(compositionCodes([("s", "\(fed2) type Query { i: I } interface I { f: Int } type T implements I { f(a: String!): Int }")]) == ["INVALID_GRAPHQL"])
        #expect(compositionCodes([("s", #"\#(fed2) type Query { i: I } interface I { f: Int } type T implements I { f(a: String, b: Int! = 1): Int }"#)]) == [])
        let provides = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@provides"])"#
        #expect(compositionCodes([("s", #"\#(provides) type Query { users: [User] } type R implements User @key(fields: "id") { id: ID! name: String! email: String } interface User @key(fields: "id") { id: ID! name: String! email: String @provides(fields: "name") }"#)]) == ["PROVIDES_ON_NON_OBJECT_FIELD"])
        let ctx = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key", "@context", "@fromContext", "@shareable"])"#
        let one = #"\#(ctx) type Query { t: T! } type T @key(fields: "id") @context(name: "context") { id: ID! u: U! prop: String! } type U @key(fields: "id") { id: ID! field(a: String! @fromContext(field: "$context { prop }")): Int! @shareable }"#
        for (other, codes) in [("a: String!", ["CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS"]), ("a: String", []), (#"a: String! = "d""#, [])] {
            let two = #"\#(ctx) type Query { a: Int! } type U @key(fields: "id") { id: ID! field(\#(other)): Int! @shareable }"#
            #expect(compositionCodes([("s1", one), ("s2", two)]) == codes, "\(other)")
        }
    }

    /// @external declarations against the field's definition; @requires arguments against the
    /// supergraph's; extensions with no base; @override of an @interfaceObject's field.
    @Test func externalsRequiresExtensionsAndOverridesAreChecked() throws {
        #expect(compositionCodes([("a", #"\#(fed2) type Query { t: T! @provides(fields: "f") } type T @key(fields: "id") { id: ID! f: String @external }"#),
                                  ("b", #"\#(fed2) type T @key(fields: "id") { id: ID! f(x: Int): String @shareable }"#)]) == ["EXTERNAL_ARGUMENT_MISSING"])
        #expect(compositionCodes([("a", #"\#(fed2) type Query { t: T! } interface I { f(x: Int): String } type T implements I @key(fields: "id") { id: ID! f(x: Int): String @external g: Int @requires(fields: "f") }"#),
                                  ("b", #"\#(fed2) type T @key(fields: "id") { id: ID! f(x: Int = 1): String }"#)]).contains("EXTERNAL_ARGUMENT_DEFAULT_MISMATCH"))
        #expect(compositionCodes([("a", #"\#(fed2) type Query { t: I } interface I { id: ID f: Int @external } type A implements I @key(fields: "id") { id: ID f: Int }"#)]) == ["EXTERNAL_ON_INTERFACE"])
        #expect(compositionCodes([("a", #"\#(fed2) type Query { t: T } type T @key(fields: "id") { id: ID! x(arg: Int): Int @external y: Int @requires(fields: "x") }"#),
                                  ("b", #"\#(fed2) type T @key(fields: "id") { id: ID! x(arg: Int!): Int }"#)]) == ["REQUIRES_INVALID_FIELDS"])
        #expect(compositionCodes([("a", #"\#(fed2) type Query { t: T } type T @key(fields: "id") { id: ID! x(arg: Int): Int @external y: Int @requires(fields: "x(arg: 42)") }"#),
                                  ("b", #"\#(fed2) type T @key(fields: "id") { id: ID! x: Int }"#)]) == ["REQUIRES_INVALID_FIELDS"])
        #expect(compositionCodes([("a", #"\#(fed2) type Query { t: T } type T @key(fields: "id") { id: ID! x(arg: Int): Int @external y: Int @requires(fields: "x(arg: 42)") }"#),
                                  ("b", #"\#(fed2) type T @key(fields: "id") { id: ID! x(arg: Int): Int }"#)]) == [])
        // Federation 1: an extension of a type no subgraph defines.
        #expect(compositionCodes([("a", "type Query { q: String }"), ("b", #"extend type A @key(fields: "k") { k: ID! }"#)]) == ["EXTENSION_WITH_NO_BASE"])
        #expect(compositionCodes([("a", #"type Query { q: A } type A @key(fields: "k") { k: ID! }"#), ("b", #"extend type A @key(fields: "k") { k: ID! @external n: Int }"#)]) == [])
        let io = #"@link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@interfaceObject", "@override"])"#
        #expect(compositionCodes([("s1", #"extend schema \#(io) type Query { i1: I } type I @interfaceObject @key(fields: "k") { k: ID a: Int }"#),
                                  ("s2", #"extend schema \#(io) type Query { i2: I } interface I @key(fields: "k") { k: ID a: Int } type A implements I @key(fields: "k") { k: ID a: Int @override(from: "s1") }"#)]).contains("OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE"))
    }

    @Test func outputEnumsTakeTheUnion() throws {
        let a = "\(fed2) type Query { s: Status } enum Status { ACTIVE }"
        let b = "\(fed2) type Query { t: Status @shareable } enum Status { RETIRED }"
        let supergraph = try Supergraph(sdl: try compose([("a", a), ("b", b)]))
        #expect(supergraph.apiSchema.types["Status"]?.enumValues.keys.elements == ["ACTIVE", "RETIRED"])
    }
    /// A `@requires` that can never be met — a cycle (`x` needs `y`, which needs `x`), or an input
    /// only behind a key no other subgraph can give — is `SATISFIABILITY_ERROR` (every query
    /// reaching the field would fail to plan); a chain that ends is fine.
    @Test func requiresThatCanNeverBeMetIsUnsatisfiable() throws {
        let head = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@external", "@requires", "@shareable", "@inaccessible"])"#
        let root = (#"root"#, head + #" type Query { t: T } type T @key(fields: "id") { id: ID! }"#)
        let cycle = [root,
                     ("a", head + #" type T @key(fields: "id") { id: ID! y: Int @external x: Int @requires(fields: "y") }"#),
                     ("b", head + #" type T @key(fields: "id") { id: ID! x: Int @external y: Int @requires(fields: "x") }"#)]
        #expect(compositionCodes(cycle).contains("SATISFIABILITY_ERROR"))
        let behindAKey = [root,
                          ("a", head + #" type T @key(fields: "id") { id: ID! w: Int @external x: Int @requires(fields: "w") }"#),
                          ("d", head + #" type T @key(fields: "secret") { secret: ID! @inaccessible w: Int @inaccessible } type Query { d: Int }"#)]
        #expect(compositionCodes(behindAKey).contains("SATISFIABILITY_ERROR"))
        let chain = [root,
                     ("a", head + #" type T @key(fields: "id") { id: ID! y: Int @external x: Int @requires(fields: "y") }"#),
                     ("b", head + #" type T @key(fields: "id") { id: ID! z: Int @external y: Int @requires(fields: "z") }"#),
                     ("c", head + #" type T @key(fields: "id") { id: ID! z: Int }"#)]
        #expect(compositionCodes(chain) == [])
    }

    /// A field overridden away from a subgraph that still needs it there (in a key, or for an
    /// interface it implements there) is kept as `usedOverridden` (the subgraph's key and
    /// interface stay valid in the printed supergraph), and resolved where it went.
    @Test func anOverriddenFieldTheSourceStillUsesIsKeptAsUsedOverridden() throws {
        let head = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@override"])"#
        let key = try compose([("Subgraph1", head + #" type Query { t: T } type T @key(fields: "k") { k: ID @override(from: "Subgraph2") a: Int }"#),
                               ("Subgraph2", head + #" type T @key(fields: "k") { k: ID b: Int }"#)])
        #expect(key.contains(#"k: ID @join__field(graph: SUBGRAPH1, override: "Subgraph2") @join__field(graph: SUBGRAPH2, usedOverridden: true)"#), "\(key)")
        let plan = try QueryPlanner(supergraph: try Supergraph(sdl: key)).plan(try Parser.parse("{ t { k b } }"), operationName: nil)
        #expect(plan.fetchCount == 2, "\(plan.text)")
        let interface = try compose([("Subgraph1", head + #" type Query { t: T } interface I { x: Int } type T implements I @key(fields: "k") { k: ID x: Int }"#),
                                     ("Subgraph2", head + #" type T @key(fields: "k") { k: ID x: Int @override(from: "Subgraph1") }"#)])
        #expect(interface.contains("@join__field(graph: SUBGRAPH1, usedOverridden: true)"), "\(interface)")
        // Used deeper down: inside another type's key (`e { k }`), inside a `@requires`.
        let nestedKey = try compose([("Subgraph1", head + #" type Query { t: T } type T @key(fields: "e { k }") { e: E } type E { k: ID @override(from: "Subgraph2") a: Int }"#),
                                     ("Subgraph2", head + #" type T @key(fields: "e { k }") { e: E x: Int } type E { k: ID b: Int }"#)])
        #expect(nestedKey.contains(#"k: ID @join__field(graph: SUBGRAPH1, override: "Subgraph2") @join__field(graph: SUBGRAPH2, usedOverridden: true)"#), "\(nestedKey)")
        let requiring = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@override", "@shareable", "@requires", "@external"])"#
        let nestedRequires = try compose([
            ("Subgraph1", requiring + #" type Query { t: T } type T @key(fields: "k") { k: ID a: A @shareable } type A @key(fields: "id") { id: ID! b: B @override(from: "Subgraph2") } type B @key(fields: "id") { id: ID! v: String @shareable }"#),
            ("Subgraph2", requiring + #" type T @key(fields: "k") { k: ID a: A @shareable x: Int @requires(fields: "a { b { v } }") } type A @key(fields: "id") { id: ID! b: B } type B @key(fields: "id") { id: ID! v: String @external }"#)])
        #expect(nestedRequires.contains(#"b: B @join__field(graph: SUBGRAPH1, override: "Subgraph2") @join__field(graph: SUBGRAPH2, usedOverridden: true)"#), "\(nestedRequires)")
        // Not used there: the source's field is gone.
        let plainOverride = try compose([("Subgraph1", head + #" type Query { t: T } type T @key(fields: "k") { k: ID a: Int @override(from: "Subgraph2") }"#),
                                         ("Subgraph2", head + #" type T @key(fields: "k") { k: ID a: Int }"#)])
        #expect(!plainOverride.contains("usedOverridden: true"))
        // An interface the source's type implements, but whose definition there lacks the field
        // (only the overriding subgraph's interface has it): not used there either (probe 53B,
        // Apollo's supergraph-demo-fed2 `reviewsScore`).
        let elsewhere = try compose([("products", head + #" type Query { p: I } interface I { id: ID! } type P implements I @key(fields: "id") { id: ID! score: Float }"#),
                                     ("reviews", head + #" interface I { id: ID! score: Float } type P implements I @key(fields: "id") { id: ID! score: Float @override(from: "products") }"#)])
        #expect(!elsewhere.contains("usedOverridden: true"), "\(elsewhere)")
        #expect(elsewhere.contains(#"score: Float @join__field(graph: REVIEWS, override: "products")"#), "\(elsewhere)")
    }

    /// Apollo's own `@composeDirective(name: String)` definition (full subgraph prints carry it)
    /// is federation's; a subgraph's own type named `FieldSet` (federation's is not imported)
    /// is its own; the specs' scalars a subgraph defines (`_FieldSet` of Federation 1, an imported
    /// `Scope`) are machinery, not types of the supergraph.
    @Test func federationDefinitionsAndTypesAreTheSpecsNotTheSubgraphs() throws {
        let printed = try compose([("a", #"""
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@composeDirective", "@requiresScopes", "Scope"])
            directive @composeDirective(name: String) repeatable on SCHEMA
            directive @requiresScopes(scopes: [[Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
            scalar Scope
            type Query { f: FieldSet @requiresScopes(scopes: [["read"]]) }
            type FieldSet { name: String }
            """#), ("b", #"""
            scalar _FieldSet
            directive @key(fields: _FieldSet!) repeatable on OBJECT | INTERFACE
            type Query { g: Int }
            """#)])
        #expect(printed.contains("type FieldSet"))
        #expect(!printed.contains("scalar Scope") && !printed.contains("scalar _FieldSet"), "\(printed)")
    }

    /// `@tag` is kept wherever a subgraph puts it — arguments, enum values and input fields too,
    /// each subgraph's names once (probe 55H: only types' and fields' were kept; contracts filter
    /// by them).
    @Test func tagsAreKeptOnEveryElement() throws {
        let head = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@tag"])"#
        let printed = try compose([
            ("a", head + #" type Query { f(x: Int @tag(name: "argtag"), i: In): E @tag(name: "fieldtag") } enum E { A @tag(name: "valtag") B } input In { a: Int @tag(name: "in1") }"#),
            ("b", head + #" type Query { g: Int } enum E { A @tag(name: "valtag") B } input In { a: Int @tag(name: "in2") }"#),
        ])
        #expect(printed.contains(#"f(x: Int @tag(name: "argtag"), i: In): E @join__field(graph: A) @tag(name: "fieldtag")"#), "\(printed)")
        #expect(printed.contains(#"A @join__enumValue(graph: A) @join__enumValue(graph: B) @tag(name: "valtag")"# + "\n"), "\(printed)")
        #expect(printed.contains(#"a: Int @tag(name: "in1") @tag(name: "in2")"#), "\(printed)")
        _ = try Supergraph(sdl: printed)
    }

    /// The printed supergraph links the access directives' specs (a router knows them by their
    /// links), and one element's `@requiresScopes` from two subgraphs is one application whose
    /// alternatives need both (the directive is not repeatable).
    @Test func accessDirectivesAreLinkedAndMergedIntoOneApplication() throws {
        let head = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable", "@requiresScopes", "@authenticated"])"#
        let printed = try compose([
            ("a", head + #" type Query { t: T @authenticated } type T @key(fields: "id") { id: ID! name: String @shareable @requiresScopes(scopes: [["x"], ["z"]]) }"#),
            ("b", head + #" type T @key(fields: "id") { id: ID! name: String @shareable @requiresScopes(scopes: [["y"]]) }"#),
        ])
        #expect(printed.contains(#"@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)"#))
        #expect(printed.contains(#"@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)"#))
        #expect(!printed.contains("policy/v0.1"))
        #expect(printed.contains(#"name: String @requiresScopes(scopes: [["x", "y"], ["z", "y"]])"#), "\(printed)")
        // Written flat, as GraphQL coerces such a list (`["a"]` is `[["a"]]`): merged the same way.
        let flat = try compose([
            ("a", head + #" type Query { t: T } type T @key(fields: "id") { id: ID! name: String @shareable @requiresScopes(scopes: ["x"]) }"#),
            ("b", head + #" type T @key(fields: "id") { id: ID! name: String @shareable @requiresScopes(scopes: ["y", "z"]) }"#),
        ])
        #expect(flat.contains(#"name: String @requiresScopes(scopes: [["x", "y"], ["x", "z"]])"#), "\(flat)")
        // The gateway reads what it printed (one application, both scopes needed).
        let supergraph = try Supergraph(sdl: printed)
        #expect(supergraph.graphs.count == 2)
    }

}

/// Compares text with `Tests/FederationTests/Fixtures/NAME`; `UPDATE_SNAPSHOTS=1` rewrites it.
func expectSnapshot(_ text: String, _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    // A missing snapshot fails: it is written only on request (UPDATE_SNAPSHOTS=1), never silently.
    guard FileManager.default.fileExists(atPath: url.path) else {
        Issue.record("snapshot \(name) is missing (UPDATE_SNAPSHOTS=1 writes it)", sourceLocation: sourceLocation)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(text == expected, "snapshot \(name) differs (UPDATE_SNAPSHOTS=1 to accept)", sourceLocation: sourceLocation)
}
