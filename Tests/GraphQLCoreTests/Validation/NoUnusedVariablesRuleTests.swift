import GraphQLCore
import Testing

@Suite struct NoUnusedVariablesRuleTests {
    @Test func usedThroughFragmentsAndDirectives() throws {
        try expectValid(NoUnusedVariablesRule.self, "query Q($a: Boolean, $b: Boolean!) { dog { ...F @include(if: $b) } } fragment F on Dog { isHouseTrained(atOtherHomes: $a) }")
    }
    @Test func unused() throws {
        try expectInvalid(NoUnusedVariablesRule.self, "query Q($a: Boolean, $b: Int) { dog { name } }", [
            Expected("Variable \"$a\" is never used in operation \"Q\".", [(1, 9)]),
            Expected("Variable \"$b\" is never used in operation \"Q\".", [(1, 22)]),
        ])
    }
}
