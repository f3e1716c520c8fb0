import GraphQLCore
import Testing

@Suite struct UniqueVariableNamesRuleTests {
    @Test func distinct() throws {
        try expectValid(UniqueVariableNamesRule.self, "query A($x: Int, $y: Int) { dog { name } } query B($x: Int) { dog { name } }")
    }
    @Test func duplicates() throws {
        try expectInvalid(UniqueVariableNamesRule.self, "query A($x: Int, $x: String) { dog { name } }", [
            Expected("There can be only one variable named \"$x\".", [(1, 10), (1, 19)]),
        ])
    }
    @Test func aNameDefinedThreeTimesIsOneError() throws {
        try expectInvalid(UniqueVariableNamesRule.self, "query A($x: Int, $x: String, $x: Int) { dog { name } }", [
            Expected("There can be only one variable named \"$x\".", [(1, 10), (1, 19), (1, 31)]),
        ])
    }
}
