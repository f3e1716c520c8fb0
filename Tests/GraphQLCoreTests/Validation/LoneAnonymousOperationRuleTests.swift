import GraphQLCore
import Testing

@Suite struct LoneAnonymousOperationRuleTests {
    @Test func oneAnonymousOperationWithFragments() throws {
        try expectValid(LoneAnonymousOperationRule.self, "{ dog { ...F } } fragment F on Dog { name }")
    }
    @Test func anonymousWithAnother() throws {
        try expectInvalid(LoneAnonymousOperationRule.self, "{ dog { name } }\nquery Foo { dog { name } }", [
            Expected("This anonymous operation must be the only defined operation.", [(1, 1)]),
        ])
    }
}
