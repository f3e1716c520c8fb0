import GraphQLCore
import Testing

@Suite struct VariablesAreInputTypesRuleTests {
    @Test func inputTypes() throws {
        try expectValid(VariablesAreInputTypesRule.self, "query Q($a: String, $b: [Boolean!]!, $c: ComplexInput) { dog { name } }")
    }
    @Test func outputTypes() throws {
        try expectInvalid(VariablesAreInputTypesRule.self, "query Q($a: Dog, $b: [[CatOrDog!]]!, $c: Pet) { dog { name } }", [
            Expected("Variable \"$a\" cannot be non-input type \"Dog\".", [(1, 13)]),
            Expected("Variable \"$b\" cannot be non-input type \"[[CatOrDog!]]!\".", [(1, 22)]),
            Expected("Variable \"$c\" cannot be non-input type \"Pet\".", [(1, 42)]),
        ])
    }
}
