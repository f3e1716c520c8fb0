import GraphQLCore
import Testing

@Suite struct UniqueArgumentNamesRuleTests {
    @Test func distinct() throws {
        try expectValid(UniqueArgumentNamesRule.self, "{ dog { isAtLocation(x: 1, y: 2) } }")
    }
    @Test func duplicates() throws {
        try expectInvalid(UniqueArgumentNamesRule.self, "{ dog { isAtLocation(x: 1, x: 2) } }", [
            Expected("There can be only one argument named \"x\".", [(1, 22), (1, 28)]),
        ])
    }
    /// A name given three times is one error at its three places (graphql-js 16).
    @Test func aNameGivenThreeTimesIsOneError() throws {
        try expectInvalid(UniqueArgumentNamesRule.self, "{ dog { isAtLocation(x: 1, x: 2, x: 3) } }", [
            Expected("There can be only one argument named \"x\".", [(1, 22), (1, 28), (1, 34)]),
        ])
    }
}
