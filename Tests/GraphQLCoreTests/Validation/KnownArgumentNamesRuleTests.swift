import GraphQLCore
import Testing

@Suite struct KnownArgumentNamesRuleTests {
    @Test func knownArguments() throws {
        try expectValid(KnownArgumentNamesRule.self, "{ dog { doesKnowCommand(dogCommand: SIT) name @skip(if: false) } }")
    }
    @Test func unknownArguments() throws {
        try expectInvalid(KnownArgumentNamesRule.self, "{ dog { doesKnowCommand(dogcommand: SIT) name @skip(iff: false) } }", [
            Expected("Unknown argument \"dogcommand\" on field \"Dog.doesKnowCommand\". Did you mean \"dogCommand\"?", [(1, 25)]),
            Expected("Unknown argument \"iff\" on directive \"@skip\". Did you mean \"if\"?", [(1, 53)]),
        ])
    }
}
