import GraphQLCore
import Testing

@Suite struct KnownDirectivesRuleTests {
    @Test func knownInRightPlaces() throws {
        try expectValid(KnownDirectivesRule.self, "query Q($v: Boolean!) { dog @include(if: $v) { name @skip(if: true) @onField } }")
    }
    @Test func unknownAndMisplaced() throws {
        try expectInvalid(KnownDirectivesRule.self, "query Q @onField { dog @unknown { name } }", [
            Expected("Directive \"@onField\" may not be used on QUERY.", [(1, 9)]),
            Expected("Unknown directive \"@unknown\".", [(1, 24)]),
        ])
    }
}
