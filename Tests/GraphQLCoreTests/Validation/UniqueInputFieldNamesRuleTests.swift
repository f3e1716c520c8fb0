import GraphQLCore
import Testing

@Suite struct UniqueInputFieldNamesRuleTests {
    @Test func distinct() throws {
        try expectValid(UniqueInputFieldNamesRule.self, "{ complicatedArgs { complexArgField(complexArg: {requiredField: true, intField: 1}) } }")
    }
    @Test func duplicates() throws {
        try expectInvalid(UniqueInputFieldNamesRule.self, "{ complicatedArgs { complexArgField(complexArg: {intField: 1, intField: 2, requiredField: true}) } }", [
            Expected("There can be only one input field named \"intField\".", [(1, 50), (1, 63)]),
        ])
    }
}
