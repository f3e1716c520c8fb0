import GraphQLCore
import Testing

@Suite struct KnownTypeNamesRuleTests {
    @Test func knownTypes() throws {
        try expectValid(KnownTypeNamesRule.self, "query Q($id: ID, $c: [FurColor!]) { dog { ...F ... on Pet { name } } } fragment F on Dog { name }")
    }
    @Test func unknownTypesWithSuggestions() throws {
        try expectInvalid(KnownTypeNamesRule.self, "query Q($a: Strin, $b: [Bogus]) { dog { ... on Badger { name } } }\nfragment F on Peat { name }", [
            Expected("Unknown type \"Strin\". Did you mean \"String\"?", [(1, 13)]),
            Expected("Unknown type \"Bogus\". Did you mean \"Dog\"?", [(1, 25)]),
            Expected("Unknown type \"Badger\".", [(1, 48)]),
            Expected("Unknown type \"Peat\". Did you mean \"Pet\" or \"Cat\"?", [(2, 15)]),
        ])
    }
}
