import GraphQLCore
import Testing

@Suite struct UniqueOperationNamesRuleTests {
    @Test func distinctNames() throws {
        try expectValid(UniqueOperationNamesRule.self, "query Foo { dog { name } } query Bar { dog { name } } { dog { name } }")
    }
    @Test func duplicateNamesAcrossOperationTypes() throws {
        try expectInvalid(UniqueOperationNamesRule.self, "query Foo { dog { name } }\nmutation Foo { addDog { name } }", [
            Expected("There can be only one operation named \"Foo\".", [(1, 7), (2, 10)]),
        ])
    }
}
