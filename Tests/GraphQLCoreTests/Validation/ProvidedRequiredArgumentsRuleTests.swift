import GraphQLCore
import Testing

@Suite struct ProvidedRequiredArgumentsRuleTests {
    @Test func providedOrDefaulted() throws {
        try expectValid(ProvidedRequiredArgumentsRule.self, "{ complicatedArgs { multipleReqs(req1: 1, req2: 2) nonNullFieldWithDefault multipleOpts } }")
    }
    @Test func missing() throws {
        try expectInvalid(ProvidedRequiredArgumentsRule.self, "{ complicatedArgs { multipleReqs(req2: 2) } dog @include { name } }", [
            Expected("Field \"multipleReqs\" argument \"req1\" of type \"Int!\" is required, but it was not provided.", [(1, 21)]),
            Expected("Directive \"@include\" argument \"if\" of type \"Boolean!\" is required, but it was not provided.", [(1, 49)]),
        ])
    }
}
