import GraphQLCore
import Testing

@Suite struct ScalarLeafsRuleTests {
    @Test func leavesAndSelections() throws {
        try expectValid(ScalarLeafsRule.self, "{ dog { name barks } human { pets { name } } }")
    }
    @Test func objectWithoutSelectionAndLeafWithSelection() throws {
        try expectInvalid(ScalarLeafsRule.self, "{ human { pets } dog { barks { sinceWhen } } }", [
            Expected("Field \"pets\" of type \"[Pet]\" must have a selection of subfields. Did you mean \"pets { ... }\"?", [(1, 11)]),
            Expected("Field \"barks\" must not have a selection since type \"Boolean\" has no subfields.", [(1, 30)]),
        ])
    }
}
