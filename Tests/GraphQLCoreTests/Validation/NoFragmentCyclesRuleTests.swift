import GraphQLCore
import Testing

@Suite struct NoFragmentCyclesRuleTests {
    @Test func noCycles() throws {
        try expectValid(NoFragmentCyclesRule.self, "fragment A on Dog { ...B ...B } fragment B on Dog { name }")
    }
    @Test func directAndIndirectCycles() throws {
        try expectInvalid(NoFragmentCyclesRule.self, "fragment A on Dog { ...A }", [
            Expected("Cannot spread fragment \"A\" within itself.", [(1, 21)]),
        ])
        try expectInvalid(NoFragmentCyclesRule.self, "fragment A on Dog { ...B }\nfragment B on Dog { ...C }\nfragment C on Dog { ...A }", [
            Expected("Cannot spread fragment \"A\" within itself via \"B\", \"C\".", [(1, 21), (2, 21), (3, 21)]),
        ])
    }
}
