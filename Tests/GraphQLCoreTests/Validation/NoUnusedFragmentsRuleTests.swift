import GraphQLCore
import Testing

@Suite struct NoUnusedFragmentsRuleTests {
    @Test func allUsedIncludingTransitively() throws {
        try expectValid(NoUnusedFragmentsRule.self, "{ dog { ...A } } fragment A on Dog { ...B } fragment B on Dog { name }")
    }
    @Test func reachedFromAnyOperation() throws {
        try expectInvalid(NoUnusedFragmentsRule.self, """
            query A { dog { ...A1 } } query B { dog { ...B1 ...A2 } }
            fragment A1 on Dog { ...A2 } fragment A2 on Dog { ...A3 } fragment A3 on Dog { name }
            fragment B1 on Dog { name } fragment C on Dog { ...A1 }
            """, [
            Expected("Fragment \"C\" is never used.", [(3, 29)]),
        ])
    }
    @Test func unused() throws {
        try expectInvalid(NoUnusedFragmentsRule.self, "{ dog { ...A } }\nfragment A on Dog { name }\nfragment Unused on Dog { name }", [
            Expected("Fragment \"Unused\" is never used.", [(3, 1)]),
        ])
    }
}
