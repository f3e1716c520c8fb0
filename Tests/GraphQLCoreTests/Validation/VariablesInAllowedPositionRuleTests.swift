import GraphQLCore
import Testing

@Suite struct VariablesInAllowedPositionRuleTests {
    @Test func allowedPositions() throws {
        try expectValid(VariablesInAllowedPositionRule.self, """
            query Q($b: Boolean!, $i: Int = 1, $s: [String!]) {
              dog { isHouseTrained(atOtherHomes: $b) }
              complicatedArgs { nonNullIntArgField(nonNullIntArg: $i) stringListArgField(stringListArg: $s) }
            }
            """)
    }
    @Test func nullableIntoNonNullAndWrongTypes() throws {
        try expectInvalid(VariablesInAllowedPositionRule.self, "query Q($i: Int, $s: String) {\n  complicatedArgs { nonNullIntArgField(nonNullIntArg: $i) intArgField(intArg: $s) }\n}", [
            Expected("Variable \"$i\" of type \"Int\" used in position expecting type \"Int!\".", [(1, 9), (2, 55)]),
            Expected("Variable \"$s\" of type \"String\" used in position expecting type \"Int\".", [(1, 18), (2, 79)]),
        ])
    }
    @Test func checkedThroughFragments() throws {
        try expectInvalid(VariablesInAllowedPositionRule.self, "query Q($b: String) { dog { ...F } }\nfragment F on Dog { isHouseTrained(atOtherHomes: $b) }", [
            Expected("Variable \"$b\" of type \"String\" used in position expecting type \"Boolean\".", [(1, 9), (2, 50)]),
        ])
    }
}
