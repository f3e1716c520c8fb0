import GraphQLCore
import Testing

@Suite struct UniqueDirectivesPerLocationRuleTests {
    @Test func distinctAndRepeatable() throws {
        try expectValid(UniqueDirectivesPerLocationRule.self, "{ dog @onField @repeatable @repeatable { name @onField } }")
    }
    @Test func duplicates() throws {
        try expectInvalid(UniqueDirectivesPerLocationRule.self, "{ dog @onField @onField { name } }", [
            Expected("The directive \"@onField\" can only be used once at this location.", [(1, 7), (1, 16)]),
        ])
    }
    /// A directive the schema does not define is KnownDirectives' error alone (graphql-js).
    @Test func unknownDirectivesAreNotCounted() throws {
        try expectValid(UniqueDirectivesPerLocationRule.self, "{ dog @unknown @unknown { name } }")
    }
}
