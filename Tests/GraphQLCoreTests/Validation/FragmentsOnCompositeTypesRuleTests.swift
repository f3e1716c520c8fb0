import GraphQLCore
import Testing

@Suite struct FragmentsOnCompositeTypesRuleTests {
    @Test func compositeConditions() throws {
        try expectValid(FragmentsOnCompositeTypesRule.self, "fragment A on Dog { name } fragment B on Pet { name } fragment C on CatOrDog { __typename } fragment D on Dog { ... { name } }")
    }
    @Test func scalarAndEnumConditions() throws {
        try expectInvalid(FragmentsOnCompositeTypesRule.self, "fragment S on Boolean { x }\nfragment I on Dog { ... on String { x } }", [
            Expected("Fragment \"S\" cannot condition on non composite type \"Boolean\".", [(1, 15)]),
            Expected("Fragment cannot condition on non composite type \"String\".", [(2, 28)]),
        ])
    }
}
