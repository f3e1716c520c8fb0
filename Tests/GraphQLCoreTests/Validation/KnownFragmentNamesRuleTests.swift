import GraphQLCore
import Testing

@Suite struct KnownFragmentNamesRuleTests {
    @Test func known() throws {
        try expectValid(KnownFragmentNamesRule.self, "{ dog { ...A } } fragment A on Dog { name }")
    }
    @Test func unknown() throws {
        try expectInvalid(KnownFragmentNamesRule.self, "{ dog { ...Nope ... on Dog { ...Other } } }", [
            Expected("Unknown fragment \"Nope\".", [(1, 12)]),
            Expected("Unknown fragment \"Other\".", [(1, 33)]),
        ])
    }
}
