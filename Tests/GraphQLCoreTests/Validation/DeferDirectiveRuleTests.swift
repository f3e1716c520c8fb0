import GraphQLCore
import Testing

@Suite struct DeferDirectiveRuleTests {
    static let schema = try! Schema(sdl: """
        directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT
        type Query { dog: Dog }
        type Mutation { rename(name: String): Dog }
        type Subscription { barked: Dog }
        type Dog { name: String owner: Human }
        type Human { name: String }
        """)

    @Test func labelsAreUniqueStaticStrings() throws {
        try #expect(errors(DeferDirectiveRule.self, #"{ dog { ... @defer(label: "a") { name } owner { ... @defer(label: "b") { name } } } }"#, schema: Self.schema) == [])
        try expectInvalid(#"{ dog { ... @defer(label: "a") { name } owner { ... @defer(label: "a") { name } } } }"#, [
            Expected("Defer/Stream directive label argument must be unique.", [(1, 53)]),
        ])
        try expectInvalid(#"query Q($l: String) { dog { ... @defer(label: $l) { name } } }"#, [
            Expected("Directive \"defer\"'s label argument must be a static string.", [(1, 33)]),
        ])
    }

    @Test func notOnTheRootOfAMutationNorInASubscription() throws {
        try expectInvalid(#"mutation { ... @defer { rename(name: "Rex") { name } } }"#, [
            Expected("Defer directive cannot be used on root mutation type \"Mutation\".", [(1, 16)]),
        ])
        // Below a mutation's root field it may be used.
        try #expect(errors(DeferDirectiveRule.self, #"mutation { rename(name: "Rex") { ... @defer { name } } }"#, schema: Self.schema) == [])
        try expectInvalid(#"subscription { barked { ... @defer { name } } }"#, [
            Expected("Defer directive not supported on subscription operations. Disable `@defer` by setting the `if` argument to `false`.", [(1, 29)]),
        ])
        try #expect(errors(DeferDirectiveRule.self, #"subscription { barked { ... @defer(if: false) { name } } }"#, schema: Self.schema) == [])
        // A variable may switch it off (graphql-js 17); the gateway refuses it turned on.
        try #expect(errors(DeferDirectiveRule.self, #"subscription($d: Boolean!) { barked { ... @defer(if: $d) { name } } }"#, schema: Self.schema) == [])
        try expectInvalid(#"subscription { barked { ... @defer(if: true) { name } } }"#, [
            Expected("Defer directive not supported on subscription operations. Disable `@defer` by setting the `if` argument to `false`.", [(1, 29)]),
        ])
    }

    func expectInvalid(_ query: String, _ expected: [Expected], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        #expect(try errors(DeferDirectiveRule.self, query, schema: Self.schema) == expected, sourceLocation: sourceLocation)
    }
}
