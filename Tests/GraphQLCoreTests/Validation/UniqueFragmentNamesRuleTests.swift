import GraphQLCore
import Testing

@Suite struct UniqueFragmentNamesRuleTests {
    @Test func distinct() throws {
        try expectValid(UniqueFragmentNamesRule.self, "{ dog { ...A ...B } } fragment A on Dog { name } fragment B on Dog { name }")
    }
    @Test func duplicates() throws {
        try expectInvalid(UniqueFragmentNamesRule.self, "{ dog { ...A } }\nfragment A on Dog { name }\nfragment A on Dog { barks }", [
            Expected("There can be only one fragment named \"A\".", [(2, 10), (3, 10)]),
        ])
    }
}
