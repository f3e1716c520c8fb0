import GraphQLCore
import Testing

@Suite struct NoUnusedFragmentsRuleTests {
    @Test func allUsedIncludingTransitively() throws {
        try expectValid(NoUnusedFragmentsRule.self, "{ dog { ...A } } fragment A on Dog { ...B } fragment B on Dog { name }")
    }
    @Test func unused() throws {
        try expectInvalid(NoUnusedFragmentsRule.self, "{ dog { ...A } }\nfragment A on Dog { name }\nfragment Unused on Dog { name }", [
            Expected("Fragment \"Unused\" is never used.", [(3, 1)]),
        ])
    }
}
