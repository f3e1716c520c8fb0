import GraphQLCore
import Testing

@Suite struct OverlappingFieldsCanBeMergedRuleTests {
    @Test func identicalAndDisjointFields() throws {
        try expectValid(OverlappingFieldsCanBeMergedRule.self, """
            { dog { name name otherName: nickname doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: SIT) ...F }
              pet { ... on Dog { name: nickname } ... on Cat { name } } }
            fragment F on Dog { name }
            """)
    }
    @Test func differentFieldsUnderOneAlias() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ dog { name: nickname name } }", [
            Expected("Fields \"name\" conflict because \"nickname\" and \"name\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", [(1, 9), (1, 24)]),
        ])
    }
    @Test func differingArguments() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: HEEL) } }", [
            Expected("Fields \"doesKnowCommand\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.", [(1, 9), (1, 42)]),
        ])
    }
    @Test func conflictingReturnTypesOnDifferentParents() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ pet { ... on Dog { x: barkVolume } ... on Cat { x: nickname } } }", [
            Expected("Fields \"x\" conflict because they return conflicting types \"Int\" and \"String\". Use different aliases on the fields to fetch both if this was intentional.", [(1, 22), (1, 51)]),
        ])
    }
    @Test func conflictingSubfieldsThroughAFragment() throws {
        try expectInvalid(OverlappingFieldsCanBeMergedRule.self, "{ dog { mother { name } ...F } }\nfragment F on Dog { mother { name: nickname } }", [
            Expected("Fields \"mother\" conflict because subfields \"name\" conflict because \"name\" and \"nickname\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", [(1, 9), (2, 21), (1, 18), (2, 30)]),
        ])
    }
    @Test func tenThousandRepeatedFieldsAreLinear() throws {
        let query = "{ dog { " + String(repeating: "__typename ", count: 10_000) + "} }"
        let doc = try Parser.parse(query, options: ParserOptions(maxTokens: nil))
        let start = ContinuousClock.now
        #expect(Validator.validate(schema: validationSchema, document: doc).isEmpty)
        // A generous bound: a quadratic comparison would take minutes.
        #expect(ContinuousClock.now - start < .seconds(5))
    }
    @Test func exponentialFragmentFanOutIsLinear() throws {
        var q = "{ dog { ...F0 } }\n"
        for i in 0..<20 { q += "fragment F\(i) on Dog { name ...F\(i + 1) ...F\(i + 1) }\n" }
        q += "fragment F20 on Dog { name barks }\n"
        let doc = try Parser.parse(q)
        let start = ContinuousClock.now
        #expect(Validator.validate(schema: validationSchema, document: doc).isEmpty)
        #expect(ContinuousClock.now - start < .seconds(5), "2^20 spread paths must not be walked")
    }
}
