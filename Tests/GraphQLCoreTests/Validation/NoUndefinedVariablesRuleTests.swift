import GraphQLCore
import Testing

@Suite struct NoUndefinedVariablesRuleTests {
    @Test func definedThroughFragments() throws {
        try expectValid(NoUndefinedVariablesRule.self, "query Q($a: Boolean) { dog { ...F } } fragment F on Dog { isHouseTrained(atOtherHomes: $a) }")
    }
    @Test func undefinedInOperationAndFragment() throws {
        try expectInvalid(NoUndefinedVariablesRule.self, "query Q { dog { isHouseTrained(atOtherHomes: $a) ...F } }\nfragment F on Dog { name(surname: $b) }", [
            Expected("Variable \"$a\" is not defined by operation \"Q\".", [(1, 46), (1, 1)]),
            Expected("Variable \"$b\" is not defined by operation \"Q\".", [(2, 35), (1, 1)]),
        ])
    }
}
