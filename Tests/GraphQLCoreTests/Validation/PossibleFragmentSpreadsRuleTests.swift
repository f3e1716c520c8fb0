import GraphQLCore
import Testing

@Suite struct PossibleFragmentSpreadsRuleTests {
    @Test func overlappingTypes() throws {
        try expectValid(PossibleFragmentSpreadsRule.self, "{ dog { ...P ... on Canine { name } } pet { ... on Dog { name } } catOrDog { ... on Pet { name } } } fragment P on Pet { name }")
    }
    @Test func impossibleSpreads() throws {
        try expectInvalid(PossibleFragmentSpreadsRule.self, "{ dog { ...C ... on Cat { meows } } }\nfragment C on Cat { meows }", [
            Expected("Fragment \"C\" cannot be spread here as objects of type \"Dog\" can never be of type \"Cat\".", [(1, 9)]),
            Expected("Fragment cannot be spread here as objects of type \"Dog\" can never be of type \"Cat\".", [(1, 14)]),
        ])
    }
}
